import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Backend {
  /** The backend URL Pulumi uses, when it can be told (never its credentials). */
  url: string | undefined;
  /** The state lives on this machine's disk (`file://`). */
  local: boolean;
}

/**
 * Where Pulumi keeps this stack's state, found the way the CLI finds it: PULUMI_BACKEND_URL, else the
 * backend `pulumi login` made current (its credentials file, from which only that URL is read).
 */
export function describeBackend(env: Readonly<Record<string, string | undefined>>): Backend {
  const url = env.PULUMI_BACKEND_URL?.trim() || currentLogin(env);
  return { url, local: url !== undefined && url.startsWith("file:") };
}

function currentLogin(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const home = env.PULUMI_HOME?.trim() || path.join(os.homedir(), ".pulumi");
  try {
    const current = (JSON.parse(fs.readFileSync(path.join(home, "credentials.json"), "utf8")) as { current?: unknown }).current;
    return typeof current === "string" && current !== "" ? current : undefined;
  } catch {
    return undefined;
  }
}
