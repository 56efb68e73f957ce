/**
 * `dis-checkpoints preview|up|refresh|destroy [--stack S]`: the Pulumi program run through the real
 * Pulumi CLI (Automation API), with the previous declarations known so that refusals name file:line:col
 * and the preview shows each stream's impact.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runStack, type StackOperation, type StackRunResult } from "../program";

/** The passphrase of the `local` demo stack, whose only secrets are the emulator's demo keys. */
export const LOCAL_STACK_PASSPHRASE = "dis-checkpoints-local";

export class ProjectNotFoundError extends Error {
  override name = "ProjectNotFoundError";
}

/** The nearest directory at or above `start` holding Pulumi.yaml. */
export function findProjectDir(start: string): string {
  let dir = path.resolve(start);
  for (let depth = 0; depth < 64; depth++) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ProjectNotFoundError(`no Pulumi.yaml in ${start} or above: run dis-checkpoints inside the project`);
}

export interface StackCommandOptions {
  operation: StackOperation;
  stack: string;
  cwd: string;
  write: (text: string) => void;
  env?: Record<string, string>;
}

export async function runStackCommand(options: StackCommandOptions): Promise<StackRunResult> {
  return runStack({
    operation: options.operation,
    stack: options.stack,
    projectDir: findProjectDir(options.cwd),
    onOutput: options.write,
    ...(options.stack === "local" ? { fallbackPassphrase: LOCAL_STACK_PASSPHRASE } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}

/** One line per kind of change, e.g. `2 created, 1 updated, 3 unchanged`. */
export function describeChanges(changes: Record<string, number>): string {
  const words: Record<string, string> = { create: "created", update: "updated", delete: "deleted", same: "unchanged", replace: "replaced" };
  const parts = Object.entries(changes)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${words[kind] ?? kind}`);
  return parts.length > 0 ? parts.join(", ") : "no resources";
}
