/** When to try a request again, and after how long. Pure: randomness and the clock are parameters. */
import type { TransportFailureKind } from "./errors";

export type AttemptOutcome =
  | {
      kind: "response";
      status: number;
      code?: string | undefined;
      /** Already converted from the Retry-After header, see {@link parseRetryAfter}. */
      retryAfterMs?: number | undefined;
    }
  | { kind: "failure"; failure: TransportFailureKind };

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Backoff ceiling for the first retry; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this long. */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
};

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Throttling and transient server errors that DIS reports with other statuses (mostly 400). */
const THROTTLING_CODES = new Set(["APIGW.0308", "DIS.4303", "DIS.4305"]);
const RETRYABLE_CODES = new Set([...THROTTLING_CODES, "DIS.5000"]);
const RETRYABLE_FAILURES = new Set<TransportFailureKind>(["connect", "reset", "timeout"]);

/** Answers that may come after the server applied the request: a server error, or none at all. */
const UNKNOWN_OUTCOME_STATUSES = new Set([500, 502, 503, 504]);
const UNKNOWN_OUTCOME_FAILURES = new Set<TransportFailureKind>(["reset", "timeout", "deadline"]);

/**
 * Whether a request that was sent may have been applied although no success came back. Throttling answers
 * (429, APIGW.0308, DIS.4303/4305) say it was not; a server error or a lost response leaves it open.
 */
export function outcomeUnknown(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "failure") return UNKNOWN_OUTCOME_FAILURES.has(outcome.failure);
  if (outcome.status === 429 || (outcome.code !== undefined && THROTTLING_CODES.has(outcome.code))) return false;
  return UNKNOWN_OUTCOME_STATUSES.has(outcome.status) || outcome.code === "DIS.5000";
}

export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "failure") return RETRYABLE_FAILURES.has(outcome.failure);
  return RETRYABLE_STATUSES.has(outcome.status) || (outcome.code !== undefined && RETRYABLE_CODES.has(outcome.code));
}

/**
 * `attempt` is the number of the attempt that just ended (1 for the first). Backoff is "full jitter": a
 * uniform delay up to `min(maxDelayMs, baseDelayMs · 2^(attempt-1))`, unless the server said when to come
 * back (capped at `maxRetryAfterMs`).
 */
export function retryDecision(outcome: AttemptOutcome, attempt: number, policy: RetryPolicy): RetryDecision {
  if (attempt >= policy.maxAttempts || !isRetryable(outcome)) return { retry: false };
  if (outcome.kind === "response" && outcome.retryAfterMs !== undefined) {
    return { retry: true, delayMs: Math.min(outcome.retryAfterMs, policy.maxRetryAfterMs) };
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.floor(policy.random() * ceiling) };
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
