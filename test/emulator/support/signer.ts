import { createHash, createHmac } from "node:crypto";

/**
 * A deliberately small SDK-HMAC-SHA256 signer written for the tests from the signing specification (Node SDK
 * rules: every header present is signed, host included). It shares no code with the emulator's verifier, so a
 * canonicalisation mistake cannot hide in both.
 */
export interface SigningInput {
  method: string;
  /** Path as sent, percent-encoded where needed. */
  path: string;
  /** Unencoded pairs, in wire order. */
  query?: readonly (readonly [string, string])[];
  /** Header names as they will be sent; values untrimmed. */
  headers: Record<string, string>;
  body: string | Buffer;
  accessKey: string;
  secretKey: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  sdkDate: string;
}

const encode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function wireQuery(query: readonly (readonly [string, string])[] = []): string {
  return query.map(([key, value]) => `${encode(key)}=${encode(value)}`).join("&");
}

/** The canonical request the spec prescribes for this input (exported so tests can show it in messages). */
export function canonicalRequestOf(input: SigningInput): { canonical: string; signedHeaders: string } {
  const segments = input.path.split("/").map((segment) => encode(decodeURIComponent(segment)));
  let uri = segments.join("/");
  if (!uri.endsWith("/")) uri += "/";
  const query = [...(input.query ?? [])]
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join("&");
  const headers = Object.entries({ ...input.headers, "X-Sdk-Date": input.sdkDate })
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const signedHeaders = headers.map(([name]) => name).join(";");
  const payload = createHash("sha256").update(input.body).digest("hex");
  const canonical = [
    input.method,
    uri,
    query,
    headers.map(([name, value]) => `${name}:${value}\n`).join(""),
    signedHeaders,
    payload,
  ].join("\n");
  return { canonical, signedHeaders };
}

/** The headers to send: the given ones plus X-Sdk-Date and Authorization. */
export function sign(input: SigningInput): Record<string, string> {
  const { canonical, signedHeaders } = canonicalRequestOf(input);
  const toSign = `SDK-HMAC-SHA256\n${input.sdkDate}\n${createHash("sha256").update(canonical).digest("hex")}`;
  const signature = createHmac("sha256", input.secretKey).update(toSign).digest("hex");
  return {
    ...input.headers,
    "X-Sdk-Date": input.sdkDate,
    Authorization: `SDK-HMAC-SHA256 Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

export function sdkDateOf(time: number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
