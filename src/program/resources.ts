import * as pulumi from "@pulumi/pulumi";
import { checkpointsProvider, type CheckpointsInputs, type CheckpointsOutputs } from "../provider";
import { CHECKPOINTS_RESOURCE_NAME, RESOURCE_MODULE } from "./declarations";

type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };

/**
 * Every declared checkpoint of the stack, in one resource: one engine step and one state write per run
 * however many partitions are declared, one provider call that can check, commit and verify the whole run
 * at once, and one place where partial progress is recorded (docs/architecture.md).
 */
export class Checkpoints extends pulumi.dynamic.Resource {
  declare readonly applied: Outputs<CheckpointsOutputs>["applied"];
  declare readonly apps: Outputs<CheckpointsOutputs>["apps"];
  declare readonly restorePoint: Outputs<CheckpointsOutputs>["restorePoint"];
  declare readonly failures: Outputs<CheckpointsOutputs>["failures"];
  declare readonly lastRun: Outputs<CheckpointsOutputs>["lastRun"];

  constructor(inputs: CheckpointsInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      checkpointsProvider,
      CHECKPOINTS_RESOURCE_NAME,
      { ...inputs, applied: undefined, apps: undefined, restorePoint: undefined, failures: undefined, lastRun: undefined },
      opts,
      RESOURCE_MODULE,
      "Checkpoints",
    );
  }
}

/**
 * The provider text Pulumi stores with the Checkpoints resource, serialized as the SDK serializes a dynamic
 * provider, for states written outside a run (`dis-checkpoints migrate`).
 */
export async function checkpointsProviderText(): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => checkpointsProvider, { allowSecrets: true })).text;
}
