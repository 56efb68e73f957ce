import { request as httpRequest } from "node:http";
import { request } from "undici";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../src/emulator";
import { sdkDateOf, sign, wireQuery } from "./signer";

/** A fixed instant the tests' emulators start at: far from any real clock, so nothing depends on today. */
export const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);

/** A time source the test moves by hand. */
export function manualTime(start = T0): { source: () => number; advance(ms: number): void } {
  let now = start;
  return { source: () => now, advance: (ms) => void (now += ms) };
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ timeSource: manualTime().source, ...options });
}

export type Auth =
  | "sign"
  | "none"
  | { accessKey?: string; secretKey?: string; sdkDate?: string; extraHeaders?: Record<string, string> };

export interface CallOptions {
  query?: readonly (readonly [string, string])[] | Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  auth?: Auth;
  /** Give up waiting for response headers after this long (undici's headersTimeout). */
  timeoutMs?: number;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Tests read arbitrary response fields; the assertions are the type check.
  json: any;
}

/**
 * Sends one request to the emulator, signed with its keys at its clock unless `auth` says otherwise. `path` is
 * relative to `/v2/{project_id}/` unless it starts with `/`.
 */
export async function call(emulator: EmulatorHandle, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const fullPath = path.startsWith("/") ? path : `/v2/${emulator.projectId}/${path}`;
  const query = Array.isArray(options.query) ? options.query : Object.entries(options.query ?? {});
  const body =
    options.body === undefined ? "" : typeof options.body === "string" || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  const host = new URL(emulator.url).host;
  let headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  const auth = options.auth ?? "sign";
  if (auth !== "none") {
    const settings = auth === "sign" ? {} : auth;
    headers = sign({
      method,
      path: fullPath,
      query,
      headers: { ...headers, host, ...settings.extraHeaders },
      body,
      accessKey: settings.accessKey ?? emulator.accessKey,
      secretKey: settings.secretKey ?? emulator.secretKey,
      sdkDate: settings.sdkDate ?? sdkDateOf(emulator.clock().now),
    });
    delete headers.host;
  }
  const search = wireQuery(query);
  const response = await request(`${emulator.url}${fullPath}${search ? `?${search}` : ""}`, {
    method: method as "GET",
    headers,
    body: body === "" ? undefined : body,
    ...(options.timeoutMs === undefined ? {} : { headersTimeout: options.timeoutMs }),
  });
  const text = await response.body.text();
  const contentType = String(response.headers["content-type"] ?? "");
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    json: contentType.includes("application/json") ? JSON.parse(text) : undefined,
  };
}

/** The body of a DIS business error by default: the documented pair, and the same values under the SDKs' keys. */
export function disError(code: string, message: string): { errorCode: string; message: string; error_code: string; error_msg: string } {
  return { errorCode: code, message, error_code: code, error_msg: message };
}

export interface RawExchange {
  method: string;
  /** Path and query exactly as they go on the wire. */
  target: string;
  /** Sent verbatim, including any `host` header (Node's client then sends no Host of its own). */
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** One request through node:http with byte-exact method, target, headers and body. */
export function sendRaw(emulator: EmulatorHandle, exchange: RawExchange): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: emulator.host, port: emulator.port, method: exchange.method, path: exchange.target, headers: exchange.headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const isJson = String(incoming.headers["content-type"] ?? "").includes("application/json");
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json: isJson ? JSON.parse(text) : undefined });
        });
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(exchange.body);
  });
}
