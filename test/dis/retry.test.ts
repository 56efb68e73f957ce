import { describe, expect, it } from "vitest";
import { isRetryable, parseRetryAfter, retryDecision, type AttemptOutcome, type RetryDecision, type RetryPolicy } from "../../src/dis/retry";

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000, random: () => 0.5 };
const response = (status: number, code?: string, retryAfterMs?: number): AttemptOutcome => ({ kind: "response", status, code, retryAfterMs });

describe("retryDecision: what is retried", () => {
  it.each<[string, AttemptOutcome, boolean]>([
    ["429 without a code", response(429), true],
    ["429 APIGW.0308", response(429, "APIGW.0308"), true],
    ["APIGW.0308 with another status", response(403, "APIGW.0308"), true],
    ["400 DIS.4303 flow control", response(400, "DIS.4303"), true],
    ["400 DIS.4305 too many requests", response(400, "DIS.4305"), true],
    ["500", response(500), true],
    ["500 DIS.5000", response(500, "DIS.5000"), true],
    ["DIS.5000 with status 400", response(400, "DIS.5000"), true],
    ["502", response(502), true],
    ["503", response(503), true],
    ["504", response(504), true],
    ["connection refused", { kind: "failure", failure: "connect" }, true],
    ["connection reset", { kind: "failure", failure: "reset" }, true],
    ["timeout", { kind: "failure", failure: "timeout" }, true],
    ["deadline passed", { kind: "failure", failure: "deadline" }, false],
    ["client closed", { kind: "failure", failure: "closed" }, false],
    ["400 DIS.4332 app not found", response(400, "DIS.4332"), false],
    ["400 DIS.4224 out of range", response(400, "DIS.4224"), false],
    ["400 without a code", response(400), false],
    ["401 APIGW.0301", response(401, "APIGW.0301"), false],
    ["403 DIS.4116", response(403, "DIS.4116"), false],
    ["404 APIGW.0101", response(404, "APIGW.0101"), false],
    ["413", response(413, "APIGW.0201"), false],
    ["501", response(501), false],
    ["505", response(505), false],
    ["400 with Retry-After is still not retried", response(400, "DIS.4200", 1000), false],
  ])("%s → %s", (_name, outcome, retry) => {
    expect(isRetryable(outcome)).toBe(retry);
    expect(retryDecision(outcome, 1, policy).retry).toBe(retry);
  });
});

describe("retryDecision: how long to wait", () => {
  it.each<[string, AttemptOutcome, number, () => number, RetryDecision]>([
    ["first retry: up to the base delay", response(503), 1, () => 0.5, { retry: true, delayMs: 50 }],
    ["second retry doubles the ceiling", response(503), 2, () => 0.5, { retry: true, delayMs: 100 }],
    ["third retry", response(503), 3, () => 0.5, { retry: true, delayMs: 200 }],
    ["ceiling capped at maxDelayMs", response(503), 5, () => 0.5, { retry: true, delayMs: 500 }],
    ["full jitter can be zero", response(503), 3, () => 0, { retry: true, delayMs: 0 }],
    ["full jitter stays below the ceiling", response(503), 3, () => 0.999999, { retry: true, delayMs: 399 }],
    ["Retry-After is honoured exactly", response(429, "APIGW.0308", 2000), 1, () => 0.5, { retry: true, delayMs: 2000 }],
    ["Retry-After 0", response(429, undefined, 0), 1, () => 0.5, { retry: true, delayMs: 0 }],
    ["Retry-After is capped", response(503, undefined, 120_000), 1, () => 0.5, { retry: true, delayMs: 5000 }],
    ["no retry after the last attempt", response(503), 6, () => 0.5, { retry: false }],
    ["no retry past the last attempt even with Retry-After", response(429, undefined, 10), 7, () => 0.5, { retry: false }],
    ["network failure backs off too", { kind: "failure", failure: "reset" }, 2, () => 0.25, { retry: true, delayMs: 50 }],
  ])("%s", (_name, outcome, attempt, random, expected) => {
    expect(retryDecision(outcome, attempt, { ...policy, random })).toEqual(expected);
  });

  it("a single-attempt policy never retries", () => {
    expect(retryDecision(response(503), 1, { ...policy, maxAttempts: 1 })).toEqual({ retry: false });
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ["", undefined],
    ["0", 0],
    ["3", 3000],
    [" 12 ", 12_000],
    ["Thu, 01 Jan 2026 00:00:05 GMT", 5000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
    ["-1", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["2026", 2_026_000],
    ["12 seconds", undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
