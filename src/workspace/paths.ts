import * as path from "node:path";

/** The repository root: compiled files live in `dist/<concern>/`, two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Everything Pulumi writes locally lives under one git-ignored folder of the project. */
export interface LocalPulumiPaths {
  /** The Pulumi CLI built by `npm run setup`, with `pulumi-resource-pulumi-nodejs` beside it. */
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
