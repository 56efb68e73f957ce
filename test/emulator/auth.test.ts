import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  Authenticator,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  parseAuthorization,
  parseSdkDate,
  payloadHash,
  signature,
  stringToSign,
  type RawRequest,
} from "../../src/emulator/auth";
import { EmulatorError } from "../../src/emulator/errors";
import vectorsFile from "./fixtures/sign-vectors.json";

interface Vector {
  id: string;
  input: { credentials: { sk?: string } };
  wire: { method: string; url: string; headers: Record<string, string>; body?: string | null };
  node_signer: { canonical_request: string; string_to_sign: string; signed_headers: string; signature: string; x_sdk_date: string };
}

function rawRequestOf(vector: Vector): RawRequest {
  const url = new URL(vector.wire.url);
  const headers = new Map(Object.entries(vector.wire.headers).map(([name, value]) => [name.toLowerCase(), [value]]));
  return {
    method: vector.wire.method,
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers,
    body: Buffer.from(vector.wire.body ?? ""),
  };
}

const headersOf = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe("canonicalisation reproduces the official Node signer for every vector", () => {
  it.each((vectorsFile.vectors as unknown as Vector[]).map((vector) => [vector.id, vector] as const))("%s", (_, vector) => {
    const request = rawRequestOf(vector);
    const signedHeaders = vector.node_signer.signed_headers.split(";");
    const canonical = canonicalRequest(request, signedHeaders);
    expect(canonical).toBe(vector.node_signer.canonical_request);
    const toSign = stringToSign(vector.node_signer.x_sdk_date, canonical);
    expect(toSign).toBe(vector.node_signer.string_to_sign);
    expect(signature(vector.input.credentials.sk ?? vectorsFile.constants.sk, toSign)).toBe(vector.node_signer.signature);
  });
});

describe("canonicalUri", () => {
  it.each([
    ["/v2/p/checkpoints", "/v2/p/checkpoints/"],
    ["/v2/p/streams/", "/v2/p/streams/"],
    ["", "/"],
    ["/", "/"],
    ["/v2/p/streams/my%2Dstream", "/v2/p/streams/my-stream/"],
    ["/v2/p/streams/a%20b", "/v2/p/streams/a%20b/"],
    ["/v2/p/streams/a b", "/v2/p/streams/a%20b/"],
    ["/v2/p/streams/%C3%A9", "/v2/p/streams/%C3%A9/"],
    ["/v2/p/streams/*", "/v2/p/streams/%2A/"],
    ["/v2/p/streams/%zz", "/v2/p/streams/%25zz/"],
  ])("%j → %j", (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
});

describe("canonicalQuery", () => {
  it.each([
    ["", ""],
    ["b=2&a=1", "a=1&b=2"],
    ["key", "key="],
    ["key=", "key="],
    ["a=1&&b=2", "a=1&b=2"],
    ["x=a+b", "x=a%2Bb"],
    ["x=a%20b", "x=a%20b"],
    ["x=*'()!~", "x=%2A%27%28%29%21~"],
    ["x=%c3%a9", "x=%C3%A9"],
    ["x=b&x=a", "x=a&x=b"],
    ["a%20b=1&a=2&Z=3&b=4", "Z=3&a=2&a%20b=1&b=4"],
    ["x=%F0%9F%98%80", "x=%F0%9F%98%80"],
    ["x=1=2", "x=1%3D2"],
    ["x=%zz", "x=%25zz"],
  ])("%j → %j", (raw, expected) => {
    expect(canonicalQuery(raw)).toBe(expected);
  });
});

describe("canonicalHeaders", () => {
  it.each([
    ["trims each value", { "x-a": ["  padded  "] }, ["x-a"], "x-a:padded\n"],
    ["keeps the SignedHeaders order", { b: ["2"], a: ["1"] }, ["b", "a"], "b:2\na:1\n"],
    ["writes each of several values on its own line, sorted", { "x-a": ["z", "a"] }, ["x-a"], "x-a:a\nx-a:z\n"],
    ["writes an empty value for a signed header that was not sent", {}, ["x-missing"], "x-missing:\n"],
  ] as [string, Record<string, string[]>, string[], string][])("%s", (_, headers, signed, expected) => {
    expect(canonicalHeaders(headersOf(headers), signed)).toBe(expected);
  });
});

describe("payloadHash", () => {
  const request = (headers: Record<string, string[]>, body: string): RawRequest => ({
    method: "POST",
    rawPath: "/",
    rawQuery: "",
    headers: headersOf(headers),
    body: Buffer.from(body),
  });

  it.each([
    ["an empty body", {}, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["the raw bytes, never re-serialised", {}, '{"a": 1}\n', createHash("sha256").update('{"a": 1}\n').digest("hex")],
    ["X-Sdk-Content-Sha256 when sent", { "x-sdk-content-sha256": ["UNSIGNED-PAYLOAD"] }, "{}", "UNSIGNED-PAYLOAD"],
  ] as [string, Record<string, string[]>, string, string][])("uses %s", (_, headers, body, expected) => {
    expect(payloadHash(request(headers, body))).toBe(expected);
  });
});

describe("parseAuthorization", () => {
  it.each([
    [
      "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab12",
      { accessKey: "AK", signedHeaders: ["host", "x-sdk-date"], signature: "ab12" },
    ],
    [
      "SDK-HMAC-SHA256   Access=AK,SignedHeaders=Host;X-Sdk-Date,Signature=ab12",
      { accessKey: "AK", signedHeaders: ["host", "x-sdk-date"], signature: "ab12" },
    ],
    ["SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date", undefined],
    ["SDK-HMAC-SHA256", undefined],
    ["AWS4-HMAC-SHA256 Credential=AK/20240102/r/s/aws4_request, SignedHeaders=host, Signature=ab", undefined],
    ["", undefined],
  ])("%j", (value, expected) => {
    expect(parseAuthorization(value)).toEqual(expected);
  });
});

describe("parseSdkDate", () => {
  it.each([
    ["20240102T030405Z", Date.UTC(2024, 0, 2, 3, 4, 5)],
    ["20240229T235959Z", Date.UTC(2024, 1, 29, 23, 59, 59)],
    ["20230229T000000Z", undefined],
    ["20240102T240000Z", undefined],
    ["20240102T036005Z", undefined],
    ["2024-01-02T03:04:05Z", undefined],
    ["20240102T030405", undefined],
    ["", undefined],
  ])("%j", (text, expected) => {
    expect(parseSdkDate(text)).toBe(expected);
  });
});

describe("Authenticator", () => {
  const credential = { accessKey: "AK", secretKey: "SK" };
  const signed = (secretKey: string, sdkDate = "20240102T030405Z"): RawRequest => {
    const request: RawRequest = {
      method: "GET",
      rawPath: "/v2/p/apps",
      rawQuery: "",
      headers: headersOf({ "x-sdk-date": [sdkDate] }),
      body: Buffer.alloc(0),
    };
    const sig = signature(secretKey, stringToSign(sdkDate, canonicalRequest(request, ["x-sdk-date"])));
    const headers = new Map(request.headers);
    headers.set("authorization", [`SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}`]);
    return { ...request, headers };
  };
  const now = Date.UTC(2024, 0, 2, 3, 4, 5);
  const failure = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(EmulatorError);
      return `${(error as EmulatorError).status} ${(error as EmulatorError).code} ${(error as Error).message}`;
    }
    throw new Error("expected a failure");
  };

  it("returns the access key of a valid signature", () => {
    const authenticator = new Authenticator({ credentials: [credential], lockout: false });
    expect(authenticator.authenticate(signed("SK"), now)).toEqual({ accessKey: "AK" });
  });

  it("counts failures per access key and locks only after the configured number", () => {
    const authenticator = new Authenticator({ credentials: [credential], lockout: { maxFailures: 2, durationMs: 1000 } });
    expect(failure(() => authenticator.authenticate(signed("wrong"), now))).toMatch(/^401 APIGW\.0301 .*verify aksk signature fail/);
    expect(failure(() => authenticator.authenticate(signed("wrong"), now))).toMatch(/verify aksk signature fail/);
    expect(failure(() => authenticator.authenticate(signed("SK"), now + 999))).toBe(
      "401 APIGW.0301 Incorrect IAM authentication information: AK access failed to reach the limit,forbidden",
    );
    expect(authenticator.authenticate(signed("SK"), now + 1000)).toEqual({ accessKey: "AK" });
  });

  it("starts the count afresh once a lockout has been served", () => {
    const authenticator = new Authenticator({ credentials: [credential], lockout: { maxFailures: 2, durationMs: 1000 } });
    for (let attempt = 0; attempt < 2; attempt++) failure(() => authenticator.authenticate(signed("wrong"), now));
    failure(() => authenticator.authenticate(signed("wrong"), now + 1000));
    expect(authenticator.authenticate(signed("SK"), now + 1000)).toEqual({ accessKey: "AK" });
  });
});
