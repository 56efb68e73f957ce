/**
 * `dis-checkpoints preview|up|refresh|destroy`: the project's own program (main.ts) through the real Pulumi
 * CLI with the Automation API, the way a plain `pulumi up` runs it (the nodejs language host runs the
 * program, the engine starts the dynamic provider). This only adds the project's local environment and, after
 * a committing `up`, the restore point directory under .restore/.
 */
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type OutputMap } from "@pulumi/pulumi/automation";
import { writeRestorePoint } from "../replay";
import { pulumiEnvironment, requirePulumiCli } from "../workspace";
import { OUTPUTS } from "./declarations";

export type StackOperation = "preview" | "up" | "refresh" | "destroy";

export interface StackRunOptions {
  operation: StackOperation;
  stack: string;
  /** The directory holding Pulumi.yaml. */
  projectDir: string;
  /** Engine output, as the CLI prints it. */
  onOutput?: (text: string) => void;
  /** Passphrase for throw-away local stacks when the environment sets none. */
  fallbackPassphrase?: string;
  /** Extra environment for the CLI, the engine and the provider (e.g. DIS_CHECKPOINTS_ENDPOINT). */
  env?: Record<string, string>;
  /** Aborting sends the Pulumi CLI one SIGINT: it stops starting operations and lets those in flight finish. */
  signal?: AbortSignal;
  /**
   * Pulumi's own debug logging (`-v=N --logflow --logtostderr`, providers included), passed to `onError`; used
   * to prove that no secret reaches the logs at any verbosity.
   */
  debugLog?: { verbosity: number; onError: (text: string) => void };
}

export interface StackRunResult {
  /** Resource changes by kind (create, update, same, delete…). */
  changes: Record<string, number>;
  outputs: Record<string, unknown>;
  /** After an `up` that committed: the restore point's directory (under .restore/<stack>/). */
  restorePoint?: string;
}

function plainOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
}

/** Whether this run created or updated the Checkpoints resource (only such a run can have committed). */
function ranCommits(changes: Record<string, number>): boolean {
  return (changes.create ?? 0) + (changes.update ?? 0) > 0;
}

export async function runStack(options: StackRunOptions): Promise<StackRunResult> {
  const cli = requirePulumiCli();
  const cliDir = path.dirname(cli.command);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cliDir) });
  const envVars = {
    ...pulumiEnvironment({
      root: options.projectDir,
      cliDir,
      ...(options.fallbackPassphrase !== undefined ? { fallbackPassphrase: options.fallbackPassphrase } : {}),
    }),
    ...options.env,
  };
  // The project's own program (Pulumi.yaml, package.json `main`), run by the nodejs language host exactly as
  // a plain `pulumi up` runs it: one code path for both doors.
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: options.stack, workDir: options.projectDir }, { pulumiCommand, envVars });
  const onOutput = options.onOutput;
  const debug = options.debugLog;
  const common = {
    ...(onOutput ? { onOutput } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(debug ? { logVerbosity: debug.verbosity, logFlow: true, logToStdErr: true, onError: debug.onError } : {}),
  };
  switch (options.operation) {
    case "preview": {
      const result = await stack.preview({ ...common, diff: false });
      return { changes: result.changeSummary, outputs: {} };
    }
    case "up": {
      const result = await stack.up(common);
      const outputs = plainOutputs(result.outputs);
      // Secret (so that Pulumi does not print it), so read from the run's own decrypted outputs.
      const point = result.outputs[OUTPUTS.restorePoint]?.value as { createdAt?: string } | undefined;
      const changes = result.summary.resourceChanges ?? {};
      // The outputs keep the last committing run's counts and restore point; they are this run's only if it changed the resource.
      const committed = ranCommits(changes) ? ((outputs.lastRun as { commits?: number } | undefined)?.commits ?? 0) : 0;
      const restorePoint = committed > 0 && point?.createdAt ? writeRestorePoint(options.projectDir, options.stack, point, point.createdAt) : undefined;
      return { changes, outputs, ...(restorePoint ? { restorePoint } : {}) };
    }
    case "refresh": {
      const result = await stack.refresh(common);
      return { changes: result.summary.resourceChanges ?? {}, outputs: {} };
    }
    case "destroy": {
      const result = await stack.destroy(common);
      return { changes: result.summary.resourceChanges ?? {}, outputs: {} };
    }
  }
}
