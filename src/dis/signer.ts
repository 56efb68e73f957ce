/**
 * SDK-HMAC-SHA256 request signing, as the Huawei Cloud API gateway verifies it (dis-api.md §9.1).
 * Pure: the clock is a parameter, nothing is read from the environment.
 */
import { ProjectError } from "../errors";
import { createHash, createHmac } from "node:crypto";

export const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";
const EMPTY_BODY_SHA256 = createHash("sha256").digest("hex");
const SDK_DATE_HEADER = "X-Sdk-Date";
const SECURITY_TOKEN_HEADER = "X-Security-Token";
const CONTENT_SHA256_HEADER = "x-sdk-content-sha256";
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface SigningRequest {
  method: string;
  /** Full URL, e.g. `https://dis.cn-north-4.myhuaweicloud.com/v2/p/checkpoints?a=1`. */
  url: string;
  headers: Readonly<Record<string, string>>;
  /** The exact bytes sent; a string is sent as UTF-8. */
  body?: string | Uint8Array | null;
}

export interface SigningCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary credentials only. */
  readonly securityToken?: string | undefined;
}

/** A request the signer cannot sign faithfully: a programming error in the caller, not a user mistake. */
/** The signer was given something no caller in this project passes: a defect, not a user's mistake. */
export class SigningInputError extends ProjectError {
  override readonly name = "SigningInputError";
  readonly code = "signing-input";
  override readonly userFacing = false;
}

/**
 * Returns the headers to send: the given ones (values trimmed, since HTTP servers strip surrounding whitespace
 * and the gateway signs what it receives), `X-Sdk-Date`, `X-Security-Token` for temporary credentials, `host`
 * when absent, and `Authorization`. Every returned header except `Authorization` is signed.
 */
export function signRequest(request: SigningRequest, credentials: SigningCredentials, now: Date): Record<string, string> {
  const replaced = ["authorization", "x-sdk-date", ...(credentials.securityToken === undefined ? [] : ["x-security-token"])];
  const headers = withoutNames(trimmedHeaders(request.headers), replaced);
  const sdkDate = formatSdkDate(now);
  headers[SDK_DATE_HEADER] = sdkDate;
  if (credentials.securityToken !== undefined) headers[SECURITY_TOKEN_HEADER] = credentials.securityToken.trim();
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "host")) headers.host = hostOf(request.url);

  const { canonical, signedHeaders } = canonicalForm({ ...request, headers });
  const signature = createHmac("sha256", Buffer.from(credentials.secretKey, "utf8"))
    .update(stringToSign(sdkDate, canonical))
    .digest("hex");
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** `METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH`, signing every header but Authorization. */
export function canonicalRequest(request: SigningRequest): string {
  return canonicalForm(request).canonical;
}

function canonicalForm(request: SigningRequest): { canonical: string; signedHeaders: string } {
  const url = parseUrl(request.url);
  const headers = canonicalHeaderEntries(request.headers);
  const signedHeaders = headers.map(([name]) => name).join(";");
  const canonical = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    headers.map(([name, value]) => `${name}:${value}\n`).join(""),
    signedHeaders,
    payloadHash(headers, request.body),
  ].join("\n");
  return { canonical, signedHeaders };
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new SigningInputError("cannot sign with an invalid date");
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Percent-encodes every byte of the UTF-8 form except `A-Z a-z 0-9 - _ . ~`, with uppercase hex.
 * encodeURIComponent also keeps `!'()*`, which the gateway encodes.
 */
export function percentEncode(text: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    throw new SigningInputError(`cannot encode ${JSON.stringify(text)}: it contains a lone UTF-16 surrogate`);
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Each path segment decoded, then re-encoded; always ends with `/`. */
export function canonicalUri(pathname: string): string {
  const joined = pathname
    .split("/")
    .map((segment) => percentEncode(percentDecode(segment, "path")))
    .join("/");
  return joined.endsWith("/") ? joined : `${joined}/`;
}

/**
 * The raw query (with or without its `?`) as sorted `k=v` pairs. `+` is a literal plus: no SDK sends it for
 * a space, and URLSearchParams-style `+` would be signed differently from what the gateway decodes.
 */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  const pairs = raw
    .split("&")
    .filter((part) => part !== "")
    .map((part): [string, string] => {
      const equals = part.indexOf("=");
      const key = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? "" : part.slice(equals + 1);
      return [percentDecode(key, "query"), percentDecode(value, "query")];
    });
  return encodeQuery(pairs);
}

/** Pairs sorted by raw key, then raw value (UTF-16 code-unit order), each side percent-encoded. */
export function encodeQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return [...pairs]
    .sort(([k1, v1], [k2, v2]) => compareCodeUnits(k1, k2) || compareCodeUnits(v1, v2))
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join("&");
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function percentDecode(text: string, where: "path" | "query"): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new SigningInputError(`malformed percent-encoding in the URL ${where}: ${JSON.stringify(text)}`);
  }
}

/** Every header but Authorization: lowercased names sorted by code unit, with trimmed values. */
function canonicalHeaderEntries(headers: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(trimmedHeaders(headers))
    .map(([name, value]): [string, string] => [name.toLowerCase(), value])
    .filter(([name]) => name !== "authorization")
    .sort(([a], [b]) => compareCodeUnits(a, b));
}

function payloadHash(canonicalHeaders: Array<[string, string]>, body: SigningRequest["body"]): string {
  const declared = canonicalHeaders.find(([name]) => name === CONTENT_SHA256_HEADER);
  if (declared) return declared[1];
  if (body === undefined || body === null || body.length === 0) return EMPTY_BODY_SHA256;
  return createHash("sha256").update(body).digest("hex");
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Validates names (HTTP tokens, unique ignoring case) and values (no line breaks), trimming the values. */
function trimmedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const seen = new Set<string>();
  const trimmed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HTTP_TOKEN.test(name)) throw new SigningInputError(`invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw new SigningInputError(`header ${JSON.stringify(lower)} is given twice (names ignore case)`);
    if (/[\r\n\0]/.test(value)) throw new SigningInputError(`header ${JSON.stringify(name)} has a line break in its value`);
    seen.add(lower);
    trimmed[name] = value.trim();
  }
  return trimmed;
}

function withoutNames(headers: Record<string, string>, lowercaseNames: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !lowercaseNames.includes(name.toLowerCase())));
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new SigningInputError(`cannot sign a request to an invalid URL ${JSON.stringify(url)}`);
  }
}

/**
 * `host[:port]`, keeping a port written in the URL even when it is the scheme's default (WHATWG URL drops
 * it), as the official signer does.
 */
function hostOf(url: string): string {
  const { hostname } = parseUrl(url);
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(url)?.[1] ?? "";
  const port = /\]?:(\d+)$/.exec(authority.startsWith("[") ? authority.slice(authority.indexOf("]")) : authority)?.[1];
  return port === undefined ? hostname : `${hostname}:${port}`;
}
