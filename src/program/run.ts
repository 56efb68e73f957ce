/**
 * Runs the program through the real Pulumi CLI with the Automation API: the CLI and engine do the work,
 * the program runs in this process (inline), and the dynamic provider in its own process started by the
 * engine. Before each run the stack's state is read so the program knows what was last declared.
 */
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type OutputMap } from "@pulumi/pulumi/automation";
import { writeRestorePoint } from "../replay";
import { pulumiEnvironment, requirePulumiCli } from "../workspace";
import { createProgram, type ProgramContext } from "./program";
import { previousDeclarations, RESTORE_POINT_OUTPUT, stackOutput } from "./declarations";

export const PROJECT_NAME = "dis-checkpoints";

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
  const context: ProgramContext = options.env ? { env: options.env } : {};
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stack, projectName: PROJECT_NAME, program: createProgram(context) },
    { workDir: options.projectDir, pulumiCommand, envVars },
  );
  const exported = await stack.exportStack();
  context.previous = previousDeclarations(exported);
  context.previousRestorePoint = stackOutput(exported, RESTORE_POINT_OUTPUT);
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
      // A run that commits nothing keeps the last restore point as the output: nothing new to write.
      const fresh = JSON.stringify(outputs[RESTORE_POINT_OUTPUT]) !== JSON.stringify(context.previousRestorePoint);
      const restorePoint = fresh ? writeRestorePoint(options.projectDir, options.stack, outputs[RESTORE_POINT_OUTPUT], new Date().toISOString()) : undefined;
      return { changes: result.summary.resourceChanges ?? {}, outputs, ...(restorePoint ? { restorePoint } : {}) };
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
