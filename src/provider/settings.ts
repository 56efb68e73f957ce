/**
 * Provider settings from stack config (`dis-checkpoints:*`), read at call time. Secrets stay in memory
 * only: they come from stack config through the provider's `configure`, or from the environment when the
 * client resolves credentials.
 */

export const CONFIG_NAMESPACE = "dis-checkpoints";

/**
 * Environment override for the endpoint. It beats stack config so that a local rehearsal (the demo, tests)
 * can point a committed stack at an emulator on an ephemeral port without editing the stack file.
 */
export const ENDPOINT_ENV = "DIS_CHECKPOINTS_ENDPOINT";

export type Convention = "next" | "last";

export interface ProviderSettings {
  region?: string;
  projectId?: string;
  endpoint?: string;
  allowInsecureHttp: boolean;
  accessKey?: string;
  secretKey?: string;
  securityToken?: string;
  authToken?: string;
  /** Commits in flight at once per resource. */
  concurrency: number;
  convention: Convention;
  /** Per-request limit for DIS to answer (and for each gap while it sends); the client's 30 s when unset. */
  requestTimeoutMs?: number;
}

export const DEFAULT_CONCURRENCY = 16;
const MAX_CONCURRENCY = 256;
/** Ten minutes: longer only postpones the retry a stuck connection needs. */
const MAX_REQUEST_TIMEOUT_MS = 600_000;

export class SettingsError extends Error {
  override name = "SettingsError";
}

/** Reads settings through a getter of fully qualified config keys (`dis-checkpoints:region`). */
export function readSettings(
  get: (key: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ProviderSettings {
  const value = (key: string) => {
    const text = get(`${CONFIG_NAMESPACE}:${key}`)?.trim();
    return text ? text : undefined;
  };
  const settings: ProviderSettings = {
    allowInsecureHttp: parseBoolean("allowInsecureHttp", value("allowInsecureHttp")),
    concurrency: parseConcurrency(value("concurrency")),
    convention: parseConvention(value("convention")),
  };
  const requestTimeoutMs = parseRequestTimeout(value("requestTimeoutMs"));
  if (requestTimeoutMs !== undefined) settings.requestTimeoutMs = requestTimeoutMs;
  const optional = {
    region: value("region"),
    projectId: value("projectId"),
    endpoint: env[ENDPOINT_ENV]?.trim() || value("endpoint"),
    accessKey: value("accessKey"),
    secretKey: value("secretKey"),
    securityToken: value("securityToken"),
    authToken: value("authToken"),
  };
  for (const [key, text] of Object.entries(optional)) {
    if (text !== undefined) (settings as unknown as Record<string, string>)[key] = text;
  }
  return settings;
}

function parseBoolean(key: string, text: string | undefined): boolean {
  if (text === undefined || text === "false") return false;
  if (text === "true") return true;
  throw new SettingsError(`${CONFIG_NAMESPACE}:${key} must be true or false, not '${text}'`);
}

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CONCURRENCY;
  const parsed = Number(text);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_CONCURRENCY) {
    throw new SettingsError(`${CONFIG_NAMESPACE}:concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, not '${text}'`);
  }
  return parsed;
}

function parseRequestTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(parsed >= 100 && parsed <= MAX_REQUEST_TIMEOUT_MS)) {
    throw new SettingsError(`${CONFIG_NAMESPACE}:requestTimeoutMs must be an integer from 100 to ${MAX_REQUEST_TIMEOUT_MS} (milliseconds), not '${text}'`);
  }
  return parsed;
}

function parseConvention(text: string | undefined): Convention {
  if (text === undefined || text === "next" || text === "last") return text ?? "next";
  throw new SettingsError(`${CONFIG_NAMESPACE}:convention must be 'next' or 'last', not '${text}'`);
}
