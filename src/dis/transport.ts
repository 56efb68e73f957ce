/**
 * HTTP to one DIS endpoint: an undici Pool (keep-alive, bounded connections), per-attempt signing, timeouts,
 * retries with full-jitter backoff that honour Retry-After, a deadline per call, and typed errors.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pool } from "undici";
import { MAX_SIGNED_BODY_BYTES, type OperationName } from "../contract";
import type { DisCredentials } from "./credentials";
import {
  DisApiError,
  DisInputError,
  DisProtocolError,
  DisTransportError,
  describeApiError,
  parseErrorBody,
  redactSecrets,
  type RequestSubject,
  type TransportFailureKind,
} from "./errors";
import { DEFAULT_RETRY_POLICY, isRetryable, outcomeUnknown, parseRetryAfter, retryDecision, type AttemptOutcome, type RetryPolicy } from "./retry";
import { encodeQuery, signRequest } from "./signer";
import { ResponseFormatError } from "./wire";

/** Reported before each retry; never carries credentials. */
export interface RetryEvent {
  operation: OperationName;
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  delayMs: number;
  /** e.g. `HTTP 429 APIGW.0308` or `connection reset`. */
  reason: string;
}

/** How the client talks to its endpoint; every field has a default (TRANSPORT_DEFAULTS, DEFAULT_RETRY_POLICY). */
export interface TransportTuning {
  /** Concurrent connections (and so requests) to the endpoint. Default 16. */
  connections?: number | undefined;
  connectTimeoutMs?: number | undefined;
  /** Limit for the response headers, and separately for each gap while reading the body. Default 30 s. */
  requestTimeoutMs?: number | undefined;
  /** All attempts of one operation, waits included. Default 60 s. */
  deadlineMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Clock for X-Sdk-Date and HTTP-date Retry-After values. */
  now?: (() => Date) | undefined;
}

export interface TransportOptions extends TransportTuning {
  origin: string;
  projectId: string;
  /** Called once per operation, so rotated keys and tokens are picked up without a new client. */
  credentials: () => DisCredentials;
}

export const TRANSPORT_DEFAULTS = {
  connections: 16,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  deadlineMs: 60_000,
} as const;

export interface DisRequest {
  operation: OperationName;
  method: "GET" | "POST" | "DELETE";
  /** Already percent-encoded, relative to the origin. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** What the request is about, for error messages. */
  subject: Omit<RequestSubject, "projectId">;
  /**
   * `fail`: when an attempt was sent and its outcome is unknown (outcomeUnknown in retry.ts), throw at once,
   * flagged, instead of retrying: the caller decides, because a blind retry of a commit could land after a
   * consumer moved on. Default `retry`.
   */
  onUnknownOutcome?: "retry" | "fail";
}

export interface DisResponse {
  status: number;
  body: string;
  requestId: string | undefined;
  attempts: number;
}

const USER_AGENT = "dis-checkpoints";
const FAILURE_BY_CODE: Record<string, TransportFailureKind> = {
  UND_ERR_CONNECT_TIMEOUT: "connect",
  ECONNREFUSED: "connect",
  ENOTFOUND: "connect",
  EAI_AGAIN: "connect",
  EHOSTUNREACH: "connect",
  ENETUNREACH: "connect",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_SOCKET: "reset",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ECONNABORTED: "reset",
  UND_ERR_CLOSED: "closed",
  UND_ERR_DESTROYED: "closed",
  // Not retried: the same certificate is presented again.
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate",
  CERT_HAS_EXPIRED: "certificate",
  CERT_NOT_YET_VALID: "certificate",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate",
};

/**
 * undici is loaded when the first transport is made, not when this module is: it takes about 100 ms to
 * load, and commands that never reach DIS (validate, --help) should not pay for it.
 */
function loadUndici(): typeof import("undici") {
  return require("undici") as typeof import("undici");
}

export class Transport {
  private readonly pool: Pool;
  private readonly policy: RetryPolicy;
  private readonly deadlineMs: number;
  private readonly requestTimeoutMs: number;
  private readonly now: () => Date;
  private readonly slots: Slots;

  constructor(private readonly options: TransportOptions) {
    this.slots = new Slots(options.connections ?? TRANSPORT_DEFAULTS.connections);
    this.requestTimeoutMs = options.requestTimeoutMs ?? TRANSPORT_DEFAULTS.requestTimeoutMs;
    this.deadlineMs = options.deadlineMs ?? TRANSPORT_DEFAULTS.deadlineMs;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? (() => new Date());
    this.pool = new (loadUndici().Pool)(options.origin, {
      connections: options.connections ?? TRANSPORT_DEFAULTS.connections,
      pipelining: 1,
      connectTimeout: options.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  /** Sends with retries. Resolves with a 2xx response; throws DisApiError or DisTransportError otherwise. */
  async send(request: DisRequest): Promise<DisResponse> {
    const credentials = this.options.credentials();
    const query = encodeQuery(
      Object.entries(request.query ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)] as [string, string]])),
    );
    const pathWithQuery = query === "" ? request.path : `${request.path}?${query}`;
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), "utf8");
    if (body !== undefined && body.length > MAX_SIGNED_BODY_BYTES) {
      throw new DisInputError(
        "body",
        `${request.operation} request of ${body.length} bytes exceeds the gateway's limit of ${MAX_SIGNED_BODY_BYTES}: send fewer or smaller records per call`,
      );
    }
    // The deadline starts when the first attempt gets a connection, not while the call waits behind others
    // for one: thousands of queued commits must not expire unsent.
    let deadline: number | undefined;

    for (let attempt = 1; ; attempt += 1) {
      const headers = this.headersFor(request.method, pathWithQuery, body, credentials);
      const release = await this.slots.acquire();
      deadline ??= performance.now() + this.deadlineMs;
      let result: AttemptResult;
      try {
        result = await this.attempt(request.method, pathWithQuery, headers, body, deadline);
      } finally {
        release();
      }
      if (result.kind === "response" && result.status >= 200 && result.status < 300) {
        return { status: result.status, body: result.body, requestId: result.requestId, attempts: attempt };
      }
      const outcome: AttemptOutcome =
        result.kind === "failure"
          ? result
          : { kind: "response", status: result.status, code: result.parsed.code, retryAfterMs: result.retryAfterMs };
      const unknown = (result.kind === "response" || result.sent) && outcomeUnknown(outcome);
      const decision = unknown && request.onUnknownOutcome === "fail" ? { retry: false as const } : retryDecision(outcome, attempt, this.policy);
      if (!decision.retry || performance.now() + decision.delayMs >= deadline) {
        throw result.kind === "failure"
          ? new DisTransportError(request.operation, result.failure, attempt, result.detail, unknown)
          : this.apiError(request, result, attempt, isRetryable(outcome), credentials, unknown);
      }
      this.options.onRetry?.({ operation: request.operation, attempt, delayMs: decision.delayMs, reason: reasonOf(result) });
      await sleep(decision.delayMs);
    }
  }

  /** A 2xx body read by `parse`; a body that does not fit becomes a DisProtocolError naming what was wrong. */
  async sendFor<T>(request: DisRequest, parse: (body: string) => T): Promise<T> {
    const response = await this.send(request);
    try {
      return parse(response.body);
    } catch (error) {
      if (!(error instanceof ResponseFormatError)) throw error;
      throw new DisProtocolError(request.operation, error.message, response.requestId);
    }
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }

  private headersFor(method: string, pathWithQuery: string, body: Buffer | undefined, credentials: DisCredentials): Record<string, string> {
    const base = { "Content-Type": "application/json", "X-Project-Id": this.options.projectId };
    const authenticated =
      credentials.kind === "token"
        ? { ...base, "X-Auth-Token": credentials.token }
        : signRequest({ method, url: `${this.options.origin}${pathWithQuery}`, headers: base, body }, credentials, this.now());
    // Added after signing, as the official SDKs do, so a proxy rewriting them cannot break the signature.
    return { ...authenticated, Accept: "application/json", "User-Agent": USER_AGENT };
  }

  private async attempt(
    method: DisRequest["method"],
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    deadline: number,
  ): Promise<AttemptResult> {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return { kind: "failure", failure: "deadline", detail: this.deadlineDetail(), sent: false };
    // A cleared timer rather than AbortSignal.timeout, whose timers would pile up until they fire.
    const deadlineSignal = new AbortController();
    const timer = setTimeout(() => deadlineSignal.abort(), remaining);
    try {
      const response = await this.pool.request({ method, path, headers, body, signal: deadlineSignal.signal });
      const text = await response.body.text();
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const parsed = response.statusCode >= 300 ? parseErrorBody(text) : {};
      return {
        kind: "response",
        status: response.statusCode,
        body: text,
        parsed,
        requestId: header("x-request-id") ?? parsed.requestId,
        retryAfterMs: parseRetryAfter(header("retry-after"), this.now()),
      };
    } catch (error) {
      return this.failureOf(error, deadline);
    } finally {
      clearTimeout(timer);
    }
  }

  private failureOf(error: unknown, deadline: number): AttemptResult {
    const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
    if (name === "AbortError" || code === "UND_ERR_ABORTED" || performance.now() >= deadline) {
      return { kind: "failure", failure: "deadline", detail: this.deadlineDetail(), sent: true };
    }
    const failure = typeof code === "string" ? FAILURE_BY_CODE[code] : undefined;
    if (failure === undefined) throw error;
    const origin = this.options.origin;
    const details: Record<TransportFailureKind, string> = {
      connect: `cannot connect to ${origin} (${code})`,
      certificate:
        `the TLS certificate of ${origin} is not trusted (${code}): if a private CA signed it, ` +
        "put that CA's certificate (PEM) in a file and point NODE_EXTRA_CA_CERTS at it; verification is never turned off",
      reset: `the connection to ${origin} was closed before a complete response (${code})`,
      timeout: `no response from ${origin} within ${this.requestTimeoutMs} ms (${code})`,
      closed: "the client was closed",
      deadline: this.deadlineDetail(),
    };
    return { kind: "failure", failure, detail: details[failure], sent: failure !== "connect" && failure !== "certificate" };
  }

  private deadlineDetail(): string {
    return `no answer from ${this.options.origin} within the call deadline of ${this.deadlineMs} ms`;
  }

  private apiError(
    request: DisRequest,
    result: Extract<AttemptResult, { kind: "response" }>,
    attempts: number,
    retryable: boolean,
    credentials: DisCredentials,
    outcomeUnknown: boolean,
  ): DisApiError {
    const apiMessage = result.parsed.message === undefined ? undefined : redactSecrets(result.parsed.message, credentials.secrets());
    const fields = {
      operation: request.operation,
      status: result.status,
      code: result.parsed.code,
      apiMessage,
      requestId: result.requestId,
      retryable,
      attempts,
      outcomeUnknown,
    };
    const subject = { ...request.subject, projectId: this.options.projectId };
    return new DisApiError(fields, describeApiError(fields, subject, credentials.kind));
  }
}

type AttemptResult =
  | {
      kind: "response";
      status: number;
      body: string;
      parsed: ReturnType<typeof parseErrorBody>;
      requestId: string | undefined;
      retryAfterMs: number | undefined;
    }
  | {
      kind: "failure";
      failure: TransportFailureKind;
      detail: string;
      /** Whether the request may have reached the server (not for refused connections or certificates). */
      sent: boolean;
    };

/** A counting semaphore: at most `size` attempts hold a connection at once, the rest wait in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

function reasonOf(result: AttemptResult): string {
  if (result.kind === "failure") return result.detail;
  return result.parsed.code === undefined ? `HTTP ${result.status}` : `HTTP ${result.status} ${result.parsed.code}`;
}
