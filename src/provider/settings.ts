/**
 * Provider settings from stack config (`dis-checkpoints:*`), read at call time. Secrets stay in memory
 * only: they come from stack config through the provider's `configure`, or from the environment when the
 * client resolves credentials.
 */

import { ProjectError } from "../errors";

export const CONFIG_NAMESPACE = "dis-checkpoints";

/**
 * Environment override for the endpoint. It beats stack config so that a local rehearsal (the demo, tests)
 * can point a committed stack at an emulator on an ephemeral port without editing the stack file.
 */
export const ENDPOINT_ENV = "DIS_CHECKPOINTS_ENDPOINT";

/**
 * The acknowledgement of a first apply (see `acknowledgeFirstApply`), also accepted from the environment so
 * that `dis-checkpoints up --acknowledge-first-apply TOKEN` and a pipeline step can give it for one run
 * without writing it into the stack file.
 */
export const ACKNOWLEDGE_FIRST_APPLY_ENV = "DIS_CHECKPOINTS_ACKNOWLEDGE_FIRST_APPLY";

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
  /** How long apart the two reads are that tell whether a stream's consumers are running. */
  activityWindowMs: number;
  /** How long after the commits their partitions are read again, to see whether the values held. */
  settleIntervalMs: number;
  /** The token of the first-apply moves the user acknowledged, if any. */
  acknowledgeFirstApply?: string;
  /** Accept a file backend (state on one machine's disk) against a DIS endpoint that is not loopback. */
  allowLocalBackend: boolean;
}

export const DEFAULT_CONCURRENCY = 16;
/**
 * Twice the Kafka client's default auto-commit interval (5 s), which the DIS Kafka adapter keeps: a consumer
 * committing its progress that often commits at least once inside any 10 s window, even when a slow poll
 * delays a commit by a few seconds. Consumers that commit less often are caught by the verification after
 * the commits, which waits as long again (settleInterval).
 */
export const DEFAULT_ACTIVITY_WINDOW_MS = 10_000;
const MAX_WINDOW_MS = 600_000;
const MAX_CONCURRENCY = 256;
/** Ten minutes: longer only postpones the retry a stuck connection needs. */
const MAX_REQUEST_TIMEOUT_MS = 600_000;

export class SettingsError extends ProjectError {
  override name = "SettingsError";
  readonly code = "settings";
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
    activityWindowMs: parseDuration("activityWindow", value("activityWindow"), DEFAULT_ACTIVITY_WINDOW_MS),
    settleIntervalMs: parseDuration("settleInterval", value("settleInterval"), DEFAULT_ACTIVITY_WINDOW_MS),
    allowLocalBackend: parseBoolean("allowLocalBackend", value("allowLocalBackend")),
  };
  const acknowledgement = env[ACKNOWLEDGE_FIRST_APPLY_ENV]?.trim() || value("acknowledgeFirstApply");
  if (acknowledgement !== undefined) settings.acknowledgeFirstApply = acknowledgement;
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

const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `10s`, `1500ms`, `2m` or `0`. */
function parseDuration(key: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(?:0|([1-9][0-9]*)(ms|s|m))$/.exec(text);
  const milliseconds = match === null ? Number.NaN : match[1] === undefined ? 0 : Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
  if (!(milliseconds >= 0 && milliseconds <= MAX_WINDOW_MS)) {
    throw new SettingsError(`${CONFIG_NAMESPACE}:${key} must be a duration such as 10s, 1500ms or 2m (at most 10m), or 0, not '${text}'`);
  }
  return milliseconds;
}

function parseConvention(text: string | undefined): Convention {
  if (text === undefined || text === "next" || text === "last") return text ?? "next";
  throw new SettingsError(`${CONFIG_NAMESPACE}:convention must be 'next' or 'last', not '${text}'`);
}
