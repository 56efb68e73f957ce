import * as fs from "node:fs";
import * as path from "node:path";
import { localPulumiPaths, PROJECT_ROOT } from "./paths";

export interface PulumiEnvironmentOptions {
  root?: string;
  /** Directory of the `pulumi` executable to put first on PATH. */
  cliDir?: string;
  /**
   * Passphrase for the passphrase secrets provider, used only when neither PULUMI_CONFIG_PASSPHRASE nor
   * PULUMI_CONFIG_PASSPHRASE_FILE is set: scripts pass one for throw-away local stacks, real stacks never do.
   */
  fallbackPassphrase?: string;
  /** The environment to extend; process.env by default. */
  base?: NodeJS.ProcessEnv;
}

/**
 * The environment every Pulumi invocation of this project runs with: no update checks, no plugin downloads
 * (the plugins this project needs are local) and, unless the caller chose a backend with PULUMI_BACKEND_URL,
 * a file backend (created if missing) and PULUMI_HOME inside the project.
 */
export function pulumiEnvironment(options: PulumiEnvironmentOptions = {}): Record<string, string> {
  const base = options.base ?? process.env;
  const paths = localPulumiPaths(options.root ?? PROJECT_ROOT);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  if (!base.PULUMI_BACKEND_URL) {
    // The file backend refuses a missing directory.
    fs.mkdirSync(paths.state, { recursive: true });
    Object.assign(env, { PULUMI_HOME: paths.home, PULUMI_BACKEND_URL: `file://${paths.state}` });
  }
  Object.assign(env, {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  });
  const hasPassphrase = base.PULUMI_CONFIG_PASSPHRASE !== undefined || base.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  if (!hasPassphrase && options.fallbackPassphrase !== undefined) {
    env.PULUMI_CONFIG_PASSPHRASE = options.fallbackPassphrase;
  }
  if (options.cliDir !== undefined) {
    env.PATH = [options.cliDir, base.PATH ?? ""].filter(Boolean).join(path.delimiter);
  }
  return env;
}
