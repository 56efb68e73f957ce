import * as path from "node:path";

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
