import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SIGNATURE_MAX_SKEW_MS } from "../contract";
import { errors } from "./errors";

/**
 * The gateway's SDK-HMAC-SHA256 verification, written from the signing specification (never shared with the
 * client). Canonicalisation works on the request as received: raw body bytes, the raw path and query decoded
 * and re-encoded, the received values of exactly the headers SignedHeaders lists, trimmed.
 */

/** A request as it came off the wire. Header names lower-cased; every received value kept, in order. */
export interface RawRequest {
  method: string;
  /** The path part of the request target, still percent-encoded. */
  rawPath: string;
  /** Everything after `?`, still percent-encoded ("" when absent). */
  rawQuery: string;
  headers: ReadonlyMap<string, readonly string[]>;
  body: Buffer;
}

export interface Credential {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials also need this value in `X-Security-Token`. */
  securityToken?: string;
}

export interface LockoutPolicy {
  /** Consecutive signature failures after which an access key is refused. */
  maxFailures: number;
  durationMs: number;
}

export interface AuthSettings {
  credentials: readonly Credential[];
  /** When set, `X-Auth-Token: <token>` is accepted as well. */
  token?: string;
  lockout: LockoutPolicy | false;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, durationMs: 5 * 60 * 1000 };

const ALGORITHM = "SDK-HMAC-SHA256";
const EMPTY_BODY_SHA256 = createHash("sha256").update("").digest("hex");
const SDK_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** Signed header values that are credentials: masked in the canonical request the 401 message shows. */
const SECRET_HEADERS = new Set(["authorization", "x-auth-token", "x-security-token"]);

// ---- canonicalisation (pure) ------------------------------------------------------------------

/** Percent-encoding with the unreserved set `A-Z a-z 0-9 - _ . ~`, UTF-8, upper-case hex. */
export function encodeUnreserved(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Percent-decoding that leaves `+` alone (no SDK sends a raw plus) and keeps malformed input as it is. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function canonicalUri(rawPath: string): string {
  const encoded = rawPath
    .split("/")
    .map((segment) => encodeUnreserved(decodeComponent(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Query pairs decoded, in wire order; a bare `key` has the value "". */
export function parseQuery(rawQuery: string): [string, string][] {
  return rawQuery
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const equals = part.indexOf("=");
      const key = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? "" : part.slice(equals + 1);
      return [decodeComponent(key), decodeComponent(value)];
    });
}

export function canonicalQuery(rawQuery: string): string {
  return parseQuery(rawQuery)
    .sort(([keyA, valueA], [keyB, valueB]) => compareCodeUnits(keyA, keyB) || compareCodeUnits(valueA, valueB))
    .map(([key, value]) => `${encodeUnreserved(key)}=${encodeUnreserved(value)}`)
    .join("&");
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One `name:value` line per signed header and received value (several values sorted), ending in "\n". */
export function canonicalHeaders(headers: RawRequest["headers"], signedHeaders: readonly string[]): string {
  return signedHeaders
    .map((name) => {
      const values = (headers.get(name) ?? [""]).map((value) => value.trim()).sort(compareCodeUnits);
      return values.map((value) => `${name}:${value}\n`).join("");
    })
    .join("");
}

/** `X-Sdk-Content-Sha256` when sent (normally UNSIGNED-PAYLOAD), else the SHA-256 of the raw body bytes. */
export function payloadHash(request: RawRequest): string {
  const declared = request.headers.get("x-sdk-content-sha256")?.[0];
  if (declared !== undefined) return declared.trim();
  return request.body.length === 0 ? EMPTY_BODY_SHA256 : createHash("sha256").update(request.body).digest("hex");
}

export function canonicalRequest(request: RawRequest, signedHeaders: readonly string[]): string {
  return [
    request.method,
    canonicalUri(request.rawPath),
    canonicalQuery(request.rawQuery),
    canonicalHeaders(request.headers, signedHeaders),
    signedHeaders.join(";"),
    payloadHash(request),
  ].join("\n");
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${createHash("sha256").update(canonical).digest("hex")}`;
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac("sha256", Buffer.from(secretKey, "utf8")).update(toSign).digest("hex");
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=…, SignedHeaders=a;b, Signature=hex`, tolerant of spacing; `undefined` otherwise. */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const match = /^SDK-HMAC-SHA256\s+(.*)$/s.exec(value.trim());
  if (!match) return undefined;
  const parts = new Map<string, string>();
  for (const part of (match[1] as string).split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) parts.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const accessKey = parts.get("Access");
  const signedHeaders = parts.get("SignedHeaders");
  const signatureHex = parts.get("Signature");
  if (!accessKey || !signedHeaders || !signatureHex) return undefined;
  return { accessKey, signedHeaders: signedHeaders.split(";").map((name) => name.toLowerCase()), signature: signatureHex };
}

/** Epoch ms of an `X-Sdk-Date` in the basic form `YYYYMMDDTHHMMSSZ`; `undefined` for anything else. */
export function parseSdkDate(text: string): number | undefined {
  const match = SDK_DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(time);
  // Date.UTC rolls 20240231 over to March; such a date is malformed, not a different day.
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60
    ? time
    : undefined;
}

export function formatSdkDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Equal-time comparison of two secrets of possibly different lengths (both hashed first). */
function secretsEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The format check reveals nothing about the key; the comparison of the bytes takes equal time. */
function signaturesEqual(expectedHex: string, givenHex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(givenHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, "hex"), Buffer.from(givenHex, "hex"));
}

/** The canonical request as the gateway quotes it in its 401: newlines as `|`, credential values masked. */
export function describeCanonicalRequest(request: RawRequest, signedHeaders: readonly string[]): string {
  const masked = new Map(request.headers);
  for (const name of SECRET_HEADERS) if (masked.has(name)) masked.set(name, ["******"]);
  return canonicalRequest({ ...request, headers: masked }, signedHeaders).replaceAll("\n", "|");
}

// ---- verification -----------------------------------------------------------------------------

export interface Principal {
  /** The access key, or "token" for X-Auth-Token requests. */
  accessKey: string;
}

/**
 * Verifies requests against the configured credentials. Stateful only for the gateway's lockout: after
 * `maxFailures` consecutive signature failures an access key is refused for `durationMs`.
 */
export class Authenticator {
  private readonly byAccessKey: ReadonlyMap<string, Credential>;
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(private readonly settings: AuthSettings) {
    this.byAccessKey = new Map(settings.credentials.map((credential) => [credential.accessKey, credential]));
  }

  /** The authenticated principal, or throws 401 APIGW.0301 with the gateway's wording. */
  authenticate(request: RawRequest, now: number): Principal {
    const authorization = request.headers.get("authorization")?.[0];
    if (authorization !== undefined) return this.verifySignature(request, authorization, now);
    const token = request.headers.get("x-auth-token")?.[0];
    if (token === undefined) throw errors.authenticationFailed("x-auth-token not found");
    if (this.settings.token === undefined || !secretsEqual(token.trim(), this.settings.token)) {
      throw errors.authenticationFailed("decrypt token fail");
    }
    return { accessKey: "token" };
  }

  clearLockouts(): void {
    this.failures.clear();
  }

  private verifySignature(request: RawRequest, authorization: string, now: number): Principal {
    const parsed = parseAuthorization(authorization);
    if (!parsed) {
      throw errors.authenticationFailed(
        authorization.trim().startsWith("V11-HMAC-SHA256")
          ? "derived-key signatures (V11-HMAC-SHA256) are not supported by this emulator"
          : "Authorization is not 'SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>'",
      );
    }
    const credential = this.byAccessKey.get(parsed.accessKey);
    if (!credential) throw errors.authenticationFailed("Get secretKey failed");
    const failures = this.failures.get(parsed.accessKey);
    if (failures && failures.lockedUntil > now) {
      throw errors.authenticationFailed("AK access failed to reach the limit,forbidden");
    }
    if (!parsed.signedHeaders.includes("x-sdk-date")) {
      throw errors.authenticationFailed("x-sdk-date is not in SignedHeaders");
    }
    const sdkDate = request.headers.get("x-sdk-date")?.[0]?.trim() ?? "";
    const signedAt = parseSdkDate(sdkDate);
    if (signedAt === undefined) {
      throw errors.authenticationFailed(`x-sdk-date ${JSON.stringify(sdkDate)} is not in the form YYYYMMDDTHHMMSSZ`);
    }
    if (Math.abs(now - signedAt) > SIGNATURE_MAX_SKEW_MS) {
      throw errors.authenticationFailed(`signature expired, signature time:${sdkDate},server time:${formatSdkDate(now)}`);
    }
    const expected = signature(credential.secretKey, stringToSign(sdkDate, canonicalRequest(request, parsed.signedHeaders)));
    if (!signaturesEqual(expected, parsed.signature)) {
      this.recordFailure(parsed.accessKey, now);
      throw errors.authenticationFailed(
        `verify aksk signature fail,canonicalRequest:${describeCanonicalRequest(request, parsed.signedHeaders)}`,
      );
    }
    this.failures.delete(parsed.accessKey);
    if (credential.securityToken !== undefined) {
      const given = request.headers.get("x-security-token")?.[0];
      if (given === undefined || !secretsEqual(given.trim(), credential.securityToken)) {
        throw errors.authenticationFailed("the security token of these temporary credentials is missing or invalid");
      }
    }
    return { accessKey: parsed.accessKey };
  }

  private recordFailure(accessKey: string, now: number): void {
    const { lockout } = this.settings;
    if (!lockout) return;
    const previous = this.failures.get(accessKey);
    // A served lockout starts the count afresh.
    const expired = previous !== undefined && previous.lockedUntil !== 0 && previous.lockedUntil <= now;
    const count = (expired ? 0 : (previous?.count ?? 0)) + 1;
    this.failures.set(accessKey, { count, lockedUntil: count >= lockout.maxFailures ? now + lockout.durationMs : 0 });
  }
}
