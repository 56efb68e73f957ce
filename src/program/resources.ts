import * as pulumi from "@pulumi/pulumi";
import type { AppInputs, StreamDeclaration } from "../provider";
import { appProvider, streamCheckpointsProvider } from "../provider";
import { RESOURCE_MODULE, streamCheckpointsName } from "./declarations";


/** A DIS consumer app: created when missing, adopted when present, never deleted. */
export class App extends pulumi.dynamic.Resource {
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(inputs: AppInputs, opts?: pulumi.CustomResourceOptions) {
    super(appProvider, inputs.app, { ...inputs, adopted: undefined }, opts, RESOURCE_MODULE, "App");
  }
}

/** The declared checkpoints of one app on one stream. */
export class StreamCheckpoints extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<Record<string, string | null>>;
  declare readonly previous: pulumi.Output<Record<string, string | null>>;

  constructor(declaration: StreamDeclaration, opts?: pulumi.CustomResourceOptions) {
    super(
      streamCheckpointsProvider,
      streamCheckpointsName(declaration.app, declaration.stream),
      { ...declaration, observed: undefined, observedAt: undefined, previous: undefined },
      opts,
      RESOURCE_MODULE,
      "StreamCheckpoints",
    );
  }
}
