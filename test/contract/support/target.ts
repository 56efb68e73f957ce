import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { signRequest, type SigningCredentials } from "../../../src/dis";
import { startEmulator } from "../../../src/emulator";

/**
 * Where the contract suite runs: an emulator it starts on 127.0.0.1 (the default), or a real DIS project when
 * DIS_CONTRACT_ENDPOINT, DIS_CONTRACT_PROJECT_ID and HUAWEICLOUD_SDK_AK/SK are set (docs/emulator.md,
 * "Contract suite"). Requests are signed with the project's signer and answered raw: the suite asserts on
 * status codes and JSON bodies exactly as they come off the wire, never on a client's parsed view.
 */

export const CONTRACT_ENV = {
  endpoint: "DIS_CONTRACT_ENDPOINT",
  projectId: "DIS_CONTRACT_PROJECT_ID",
  accessKey: "HUAWEICLOUD_SDK_AK",
  secretKey: "HUAWEICLOUD_SDK_SK",
  securityToken: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
} as const;

/** A real service may throttle a burst of calls; those are retried this often, this far apart. */
const THROTTLE_RETRIES = 4;
const THROTTLE_BACKOFF_MS = 1000;
/** One call never waits longer than this for its answer. */
const CALL_TIMEOUT_MS = 30_000;

export interface WireResponse {
  status: number;
  text: string;
  /** The parsed body; `undefined` when it is empty or not JSON. */
  // The suite asserts on arbitrary wire fields; the assertions are the type check.
  json: any;
}

export interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
}

export interface ContractTarget {
  /** "the emulator" or the real endpoint's origin, for messages. */
  description: string;
  /** A signed call; `path` is relative to `/v2/{project_id}/`. */
  call(method: "GET" | "POST" | "DELETE", path: string, options?: CallOptions): Promise<WireResponse>;
  close(): Promise<void>;
}

/** The target the environment names, or an emulator started for the suite. */
export async function openTarget(env: NodeJS.ProcessEnv = process.env): Promise<ContractTarget> {
  const endpoint = env[CONTRACT_ENV.endpoint]?.trim();
  if (!endpoint) return emulatorTarget();
  const missing = [CONTRACT_ENV.projectId, CONTRACT_ENV.accessKey, CONTRACT_ENV.secretKey].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new Error(`${CONTRACT_ENV.endpoint} is set, so the contract suite also needs ${missing.join(", ")}`);
  const origin = checkedOrigin(endpoint);
  const securityToken = env[CONTRACT_ENV.securityToken]?.trim();
  const credentials: SigningCredentials = {
    accessKey: (env[CONTRACT_ENV.accessKey] as string).trim(),
    secretKey: (env[CONTRACT_ENV.secretKey] as string).trim(),
    ...(securityToken ? { securityToken } : {}),
  };
  return {
    description: origin,
    call: signedCaller(origin, (env[CONTRACT_ENV.projectId] as string).trim(), credentials),
    close: async () => undefined,
  };
}

async function emulatorTarget(): Promise<ContractTarget> {
  // As shipped: the suite checks the emulator's defaults, the behaviour every other test relies on.
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
  return {
    description: "the emulator",
    call: signedCaller(emulator.url, emulator.projectId, { accessKey: emulator.accessKey, secretKey: emulator.secretKey }),
    close: () => emulator.close(),
  };
}

/** Credentials travel only over HTTPS, or plain HTTP to this machine (a separately started dis-emulator). */
function checkedOrigin(endpoint: string): string {
  const url = new URL(endpoint);
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "[::1]" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(`${CONTRACT_ENV.endpoint} must be an https:// origin (or http:// on loopback), got ${endpoint}`);
  }
  if (url.pathname !== "/" || url.search !== "") throw new Error(`${CONTRACT_ENV.endpoint} must be an origin without a path, got ${endpoint}`);
  return url.origin;
}

function signedCaller(origin: string, projectId: string, credentials: SigningCredentials): ContractTarget["call"] {
  return async (method, path, options = {}) => {
    const query = Object.entries(options.query ?? {})
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join("&");
    const url = `${origin}/v2/${projectId}/${path}${query === "" ? "" : `?${query}`}`;
    const body = options.body === undefined ? "" : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      const headers = signRequest(
        { method, url, headers: { "Content-Type": "application/json", "X-Project-Id": projectId }, body },
        credentials,
        new Date(),
      );
      const response = await request(url, {
        method,
        headers,
        ...(body === "" ? {} : { body }),
        headersTimeout: CALL_TIMEOUT_MS,
        bodyTimeout: CALL_TIMEOUT_MS,
      });
      const text = await response.body.text();
      if (response.statusCode === 429 && attempt < THROTTLE_RETRIES) {
        await sleep(THROTTLE_BACKOFF_MS * (attempt + 1));
        continue;
      }
      return { status: response.statusCode, text, json: parseJson(text) };
    }
  };
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Names no other run (and no one else's resource) shares: `dcc-<time><random>` and a suffix. */
export function uniquePrefix(): string {
  return `dcc-${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** Polls `read` until `done` holds for its result; fails (never hangs) after `timeoutMs`. */
export async function pollUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(500);
  }
}
