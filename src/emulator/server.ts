import { randomUUID } from "node:crypto";
import { STATUS_CODES, createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { setTimeout as delay } from "node:timers/promises";
import { handleAdmin, type AdminTarget } from "./admin";
import type { OperationName } from "../contract";
import { decodeComponent, parseQuery, type Authenticator } from "./auth";
import type { Clock } from "./clock";
import { EmulatorError, errorBody, errors, type DisErrorKeys } from "./errors";
import { injectedError, type Fault, type FaultPhase, type FaultRegistry } from "./faults";
import { toJson } from "./json";
import { matchOperation, type Reply } from "./operations";
import { MAX_LOGGED_BODY_BYTES, type Recorder } from "./recorder";
import type { EmulatorState } from "./state";

export interface ServerParts {
  projectId: string;
  state: EmulatorState;
  clock: Clock;
  authenticator: Authenticator;
  faults: FaultRegistry;
  recorder: Recorder;
  admin: AdminTarget;
  disErrorKeys: DisErrorKeys;
  maxBodyBytes: number;
  /** Where unexpected internal failures are reported (never request headers or bodies). */
  log: (line: string) => void;
}

/** PEM key and certificate (chain) for serving HTTPS, e.g. to rehearse a private CA through NODE_EXTRA_CA_CERTS. */
export interface TlsIdentity {
  key: string | Buffer;
  cert: string | Buffer;
}

const ADMIN_PREFIX = "/_emulator";
const JSON_CONTENT_TYPE = "application/json;charset=UTF-8";

interface ReplyOutcome {
  kind: "reply";
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  errorCode?: string;
}

/** The reply after faults: a normal or error reply, or the connection reset / left unanswered. */
type Outcome = ReplyOutcome | { kind: "reset" } | { kind: "no-response" };

/**
 * The emulator's HTTP front: reads each request whole (bounded), sends `/_emulator/` to the admin surface and
 * everything else through authenticate → route → faults → project check → operation, then records it.
 * `shutdown` aborts injected latencies so that closing never waits on them.
 */
export function createEmulatorServer(parts: ServerParts, shutdown: AbortSignal, tls?: TlsIdentity): Server {
  const listener: RequestListener = (request, response) => {
    const requestId = randomUUID().replaceAll("-", "");
    response.setHeader("X-Request-Id", requestId);
    handle(parts, request, response, requestId, shutdown).catch((error: unknown) => {
      // Closing aborts injected latencies; those requests simply end with the connection.
      if (shutdown.aborted) return;
      parts.log(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) writeOutcome(response, errorOutcome(errors.systemError(), requestId, parts.disErrorKeys));
    });
  };
  const server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
  server.on("connection", () => parts.recorder.connectionAccepted());
  return server;
}

/** The request as it came: method, raw path and query (and its decoded first values), the whole body. */
interface Received {
  requestId: string;
  method: string;
  rawPath: string;
  rawQuery: string;
  query: Map<string, string>;
  body: Buffer;
}

async function handle(
  parts: ServerParts,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  shutdown: AbortSignal,
): Promise<void> {
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const body = await readBody(request, parts.maxBodyBytes);
  if (body === undefined) {
    response.setHeader("Connection", "close");
    writeOutcome(response, errorOutcome(errors.entityTooLarge(parts.maxBodyBytes), requestId, parts.disErrorKeys));
    return;
  }
  const rawQuery = queryStart < 0 ? "" : target.slice(queryStart + 1);
  const received: Received = {
    requestId,
    method: request.method ?? "GET",
    rawPath: queryStart < 0 ? target : target.slice(0, queryStart),
    rawQuery,
    query: firstValues(parseQuery(rawQuery)),
    body,
  };
  if (received.rawPath === ADMIN_PREFIX || received.rawPath.startsWith(`${ADMIN_PREFIX}/`)) {
    const reply = handleAdmin(parts.admin, {
      method: received.method,
      path: received.rawPath.slice(ADMIN_PREFIX.length),
      query: received.query,
      body,
      remoteAddress: request.socket.remoteAddress,
    });
    writeOutcome(response, jsonOutcome(reply));
    return;
  }
  const headers = headerMap(request.rawHeaders);
  const { outcome, operation, fault } = await handleDisRequest(parts, received, headers, shutdown);
  writeOutcome(response, outcome, request);
  parts.recorder.record({
    time: new Date(parts.clock.now()).toISOString(),
    requestId,
    method: received.method,
    path: received.rawPath,
    query: Object.fromEntries(received.query),
    ...(operation === undefined ? {} : { operation }),
    status: outcome.kind === "reply" ? outcome.status : 0,
    ...(outcome.kind === "reply" && outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
    ...loggedBody(received.method, body),
    ...(fault === undefined ? {} : { fault: fault.id }),
  });
}

/** authenticate → route → faults before → project → operation → faults after. */
async function handleDisRequest(
  parts: ServerParts,
  received: Received,
  headers: Map<string, string[]>,
  shutdown: AbortSignal,
): Promise<{ outcome: Outcome; operation: OperationName | undefined; fault: Fault | undefined }> {
  const matched = matchOperation(received.method, received.rawPath.split("/").map(decodeComponent));
  const operation = matched?.operation.name;
  let firedFault: Fault | undefined;

  const applyFaults = async (phase: FaultPhase, outcome: () => Outcome): Promise<Outcome> => {
    const fired = parts.faults.fire(operation, phase);
    for (const fault of fired) if (fault.kind === "latency") await delay(fault.latencyMs ?? 0, undefined, { signal: shutdown });
    const terminal = fired.find((fault) => fault.kind !== "latency");
    firedFault = terminal ?? fired[0] ?? firedFault;
    return terminal ? faultOutcome(terminal, received.requestId, parts.disErrorKeys) : outcome();
  };

  let outcome: Outcome;
  try {
    parts.authenticator.authenticate({ ...received, headers }, parts.clock.now());
    if (!matched) throw errors.apiNotFound();
    outcome = await applyFaults("before", () => {
      checkProjectId(parts.projectId, matched.projectId, headers.get("x-project-id")?.[0]);
      const reply = matched.operation.handle({
        params: matched.params,
        query: received.query,
        body: received.body,
        state: parts.state,
        now: parts.clock.now(),
      });
      return jsonOutcome(reply);
    });
  } catch (error) {
    if (!(error instanceof EmulatorError)) throw error;
    outcome = errorOutcome(error, received.requestId, parts.disErrorKeys);
  }
  if (outcome.kind === "reply") {
    const handled = outcome;
    outcome = await applyFaults("after", () => handled);
  }
  return { outcome, operation, fault: firedFault };
}

/** DIS.4117 unless the path's project id (and X-Project-Id, when sent) is the emulated project. */
function checkProjectId(expected: string, inPath: string, inHeader: string | undefined): void {
  if (inPath !== expected) throw errors.invalidProjectId(inPath);
  if (inHeader !== undefined && inHeader.trim() !== expected) throw errors.invalidProjectId(inHeader.trim());
}

function faultOutcome(fault: Fault, requestId: string, keys: DisErrorKeys): Outcome {
  if (fault.kind === "reset") return { kind: "reset" };
  if (fault.kind === "no-response") return { kind: "no-response" };
  const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "Retry-After": String(fault.retryAfter) };
  const error = injectedError(fault);
  if (!error) {
    const status = fault.status ?? 500;
    return { kind: "reply", status, body: STATUS_CODES[status] ?? "Error", contentType: "text/plain", headers };
  }
  return { ...errorOutcome(error, requestId, keys), headers };
}

function errorOutcome(error: EmulatorError, requestId: string, keys: DisErrorKeys): ReplyOutcome {
  return {
    kind: "reply",
    status: error.status,
    body: toJson(errorBody(error, requestId, keys)),
    contentType: JSON_CONTENT_TYPE,
    errorCode: error.code,
  };
}

function jsonOutcome(reply: Reply): ReplyOutcome {
  return reply.body === undefined
    ? { kind: "reply", status: reply.status }
    : { kind: "reply", status: reply.status, body: toJson(reply.body), contentType: JSON_CONTENT_TYPE };
}

function writeOutcome(response: ServerResponse, outcome: Outcome, request?: IncomingMessage): void {
  if (outcome.kind === "reset") {
    request?.socket.resetAndDestroy();
    return;
  }
  // Left unanswered: the client's timeout (or the emulator's close) ends the connection.
  if (outcome.kind === "no-response") return;
  for (const [name, value] of Object.entries(outcome.headers ?? {})) response.setHeader(name, value);
  if (outcome.body === undefined) {
    response.writeHead(outcome.status, { "Content-Length": "0" }).end();
    return;
  }
  const payload = Buffer.from(outcome.body, "utf8");
  response
    .writeHead(outcome.status, { "Content-Type": outcome.contentType ?? JSON_CONTENT_TYPE, "Content-Length": String(payload.length) })
    .end(payload);
}

/** The whole body, or `undefined` once it exceeds `limit` (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Header name (lower-case) → every value received, in order, untouched. */
function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    const values = headers.get(name);
    if (values) values.push(value);
    else headers.set(name, [value]);
  }
  return headers;
}

function firstValues(pairs: readonly [string, string][]): Map<string, string> {
  const query = new Map<string, string>();
  for (const [key, value] of pairs) if (!query.has(key)) query.set(key, value);
  return query;
}

/** The log keeps a write's parsed JSON body (never headers); large or non-JSON bodies only by size. */
function loggedBody(method: string, body: Buffer): { body?: unknown; bodyBytes?: number } {
  if (body.length === 0 || method === "GET") return {};
  if (body.length > MAX_LOGGED_BODY_BYTES) return { bodyBytes: body.length };
  try {
    return { body: JSON.parse(body.toString("utf8")), bodyBytes: body.length };
  } catch {
    return { bodyBytes: body.length };
  }
}
