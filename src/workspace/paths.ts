import * as fs from "node:fs";
import * as path from "node:path";
import { ProjectError } from "../errors";

/** The repository root: compiled files live in `dist/<concern>/`, two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Everything Pulumi writes locally lives under one git-ignored folder of the project. */
export interface LocalPulumiPaths {
  /** What `npm run setup` builds: the Pulumi CLI, `pulumi-resource-pulumi-nodejs` beside it, the tools in tools.ts. */
  bin: string;
  /** PULUMI_HOME: plugin cache, workspace settings; keeps the user's home directory clean. */
  home: string;
  /** The file backend holding stack state. */
  state: string;
}

export function localPulumiPaths(root: string = PROJECT_ROOT): LocalPulumiPaths {
  const base = path.join(root, ".pulumi");
  return { bin: path.join(base, "bin"), home: path.join(base, "home"), state: path.join(base, "state") };
}

export class ProjectNotFoundError extends ProjectError {
  override name = "ProjectNotFoundError";
  readonly code = "project-not-found";
}

/** The nearest directory at or above `start` holding Pulumi.yaml: the project declarations are relative to. */
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

/** The passphrase of the `local` demo stack, whose only secrets are the emulator's demo keys. */
export const LOCAL_STACK_PASSPHRASE = "dis-checkpoints-local";

/** What to use when the environment gives no passphrase: the demo stack's own, for it alone. */
export function fallbackPassphraseFor(stack: string | undefined): { fallbackPassphrase?: string } {
  return stack === "local" ? { fallbackPassphrase: LOCAL_STACK_PASSPHRASE } : {};
}
