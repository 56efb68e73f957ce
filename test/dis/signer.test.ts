import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeQuery,
  formatSdkDate,
  percentEncode,
  signRequest,
  SigningInputError,
} from "../../src/dis/signer";
import vectorsFile from "./fixtures/sign-vectors.json";

/** Headers the official Node SDK adds after signing, so they are not part of its signature. */
const ADDED_AFTER_SIGNING = new Set(["user-agent", "accept", "authorization"]);

function sdkDateToDate(sdkDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(sdkDate);
  if (!m) throw new Error(`bad vector date ${sdkDate}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

describe("signRequest against the official Node signer's vectors", () => {
  const { constants, vectors } = vectorsFile;
  it("has vectors to check", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5);
  });

  for (const vector of vectors) {
    const signedHeaders = Object.fromEntries(
      Object.entries(vector.wire.headers).filter(([name]) => !ADDED_AFTER_SIGNING.has(name.toLowerCase())),
    ) as Record<string, string>;
    const credentials = {
      accessKey: vector.input.credentials.ak,
      secretKey: ("sk" in vector.input.credentials ? vector.input.credentials.sk : undefined) ?? constants.sk,
    };
    const request = {
      method: vector.wire.method,
      url: vector.wire.url,
      headers: signedHeaders,
      body: vector.wire.body,
    };
    const now = sdkDateToDate(vector.node_signer.x_sdk_date);

    it(`${vector.id} (${vector.kind}): same canonical request and Authorization`, () => {
      expect(canonicalRequest(request)).toBe(vector.node_signer.canonical_request);
      const headers = signRequest(request, credentials, now);
      expect(headers.Authorization).toBe(vector.node_signer.authorization);
      expect(headers).toEqual({ ...signedHeaders, Authorization: vector.node_signer.authorization });
    });

    it(`${vector.id}: adds the same host header when none is given`, () => {
      const withoutHost = Object.fromEntries(Object.entries(signedHeaders).filter(([name]) => name !== "host"));
      const headers = signRequest({ ...request, headers: withoutHost }, credentials, now);
      expect(headers.host).toBe(new URL(vector.wire.url).host);
      expect(headers.Authorization).toBe(vector.node_signer.authorization);
    });
  }
});

describe("canonicalUri", () => {
  it.each([
    ["", "/"],
    ["/", "/"],
    ["/v2/p/checkpoints", "/v2/p/checkpoints/"],
    ["/v2/p/streams/", "/v2/p/streams/"],
    ["/v2/a%20b", "/v2/a%20b/"],
    ["/v2/%C3%A9", "/v2/%C3%A9/"],
    ["/v2/a*b'c", "/v2/a%2Ab%27c/"],
    ["/v2/a%2Fb", "/v2/a%2Fb/"],
    ["/v2/A-z_0.9~", "/v2/A-z_0.9~/"],
  ])("%j → %j", (path, expected) => {
    expect(canonicalUri(path)).toBe(expected);
  });

  it("refuses malformed percent-encoding", () => {
    expect(() => canonicalUri("/v2/%zz")).toThrow(new SigningInputError('malformed percent-encoding in the URL path: "%zz"'));
  });
});

describe("canonicalQuery", () => {
  it.each([
    ["", ""],
    ["?", ""],
    ["?b=2&a=1", "a=1&b=2"],
    ["a=1&a=0&a=10", "a=0&a=1&a=10"],
    ["a=", "a="],
    ["a", "a="],
    ["a&&b=1", "a=&b=1"],
    ["q=a%20b", "q=a%20b"],
    ["q=a+b", "q=a%2Bb"],
    ["q=%2B", "q=%2B"],
    ["k=*'()!", "k=%2A%27%28%29%21"],
    ["k=%2A%27%28%29%21", "k=%2A%27%28%29%21"],
    ["k=~-._", "k=~-._"],
    ["k=%C3%A9", "k=%C3%A9"],
    ["k=%F0%9F%98%80", "k=%F0%9F%98%80"],
    ["k=a=b", "k=a%3Db"],
    ["b=1&a%20b=1&a=1&Z=1&%C3%A9=1", "Z=1&a=1&a%20b=1&b=1&%C3%A9=1"],
    ["limit=2&marker=13551d6b-755d-4757-b956-536f674975c0", "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"],
  ])("%j → %j", (search, expected) => {
    expect(canonicalQuery(search)).toBe(expected);
  });

  it("refuses malformed percent-encoding", () => {
    expect(() => canonicalQuery("a=%E0%A4%A")).toThrow(SigningInputError);
  });
});

describe("encodeQuery", () => {
  it("sorts raw keys then values and encodes both sides", () => {
    expect(
      encodeQuery([
        ["stream_name", "my stream"],
        ["a", "2"],
        ["a", "1"],
        ["é", ""],
      ]),
    ).toBe("a=1&a=2&stream_name=my%20stream&%C3%A9=");
  });
});

describe("percentEncode", () => {
  it.each([
    ["abcXYZ019-_.~", "abcXYZ019-_.~"],
    [" ", "%20"],
    ["+", "%2B"],
    ["*'()!", "%2A%27%28%29%21"],
    ["/?#[]@&=", "%2F%3F%23%5B%5D%40%26%3D"],
    ["é", "%C3%A9"],
    ["😀", "%F0%9F%98%80"],
  ])("%j → %j", (text, expected) => {
    expect(percentEncode(text)).toBe(expected);
  });

  it("refuses a lone surrogate", () => {
    expect(() => percentEncode("\ud800")).toThrow(SigningInputError);
  });
});

describe("formatSdkDate", () => {
  it.each([
    ["2024-01-02T03:04:05.678Z", "20240102T030405Z"],
    ["2026-12-31T23:59:59Z", "20261231T235959Z"],
    ["2024-01-02T11:04:05+08:00", "20240102T030405Z"],
  ])("%s → %s", (iso, expected) => {
    expect(formatSdkDate(new Date(iso))).toBe(expected);
  });

  it("refuses an invalid date", () => {
    expect(() => formatSdkDate(new Date("nope"))).toThrow(new SigningInputError("cannot sign with an invalid date"));
  });
});

describe("signRequest edge cases (expected canonical requests written by hand from dis-api.md §9.1)", () => {
  const credentials = { accessKey: "AK", secretKey: "SK" };
  const now = new Date("2024-01-02T03:04:05Z");
  const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  function expectedAuthorization(canonical: string, signedHeaders: string, secretKey = "SK"): string {
    const hash = createHash("sha256").update(canonical).digest("hex");
    const signature = createHmac("sha256", secretKey).update(`SDK-HMAC-SHA256\n20240102T030405Z\n${hash}`).digest("hex");
    return `SDK-HMAC-SHA256 Access=AK, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  it("signs repeated keys, empty values, unicode and reserved characters in the query", () => {
    const request = {
      method: "get",
      url: "http://127.0.0.1:8080/v2/p/apps?b=%2A&a=2&a=1&empty=&bare&q=x%20y+z&%C3%A9=%F0%9F%98%80",
      headers: { "Content-Type": "application/json" },
    };
    const canonical =
      "GET\n/v2/p/apps/\n" +
      "a=1&a=2&b=%2A&bare=&empty=&q=x%20y%2Bz&%C3%A9=%F0%9F%98%80\n" +
      "content-type:application/json\nhost:127.0.0.1:8080\nx-sdk-date:20240102T030405Z\n\n" +
      `content-type;host;x-sdk-date\n${EMPTY_SHA256}`;
    const headers = signRequest(request, credentials, now);
    expect(headers).toEqual({
      "Content-Type": "application/json",
      "X-Sdk-Date": "20240102T030405Z",
      host: "127.0.0.1:8080",
      Authorization: expectedAuthorization(canonical, "content-type;host;x-sdk-date"),
    });
    expect(canonicalRequest({ ...request, headers })).toBe(canonical);
  });

  it("trims header values before signing and returns the trimmed values", () => {
    const headers = signRequest(
      { method: "GET", url: "https://h.example/x", headers: { "X-Custom": "  spaced value  " } },
      credentials,
      now,
    );
    const canonical =
      "GET\n/x/\n\nhost:h.example\nx-custom:spaced value\nx-sdk-date:20240102T030405Z\n\n" +
      `host;x-custom;x-sdk-date\n${EMPTY_SHA256}`;
    expect(headers).toEqual({
      "X-Custom": "spaced value",
      "X-Sdk-Date": "20240102T030405Z",
      host: "h.example",
      Authorization: expectedAuthorization(canonical, "host;x-custom;x-sdk-date"),
    });
  });

  it("adds and signs X-Security-Token for temporary credentials, replacing a stale one", () => {
    const headers = signRequest(
      { method: "DELETE", url: "https://h.example/a", headers: { "x-security-token": "old" } },
      { ...credentials, securityToken: "TOKEN" },
      now,
    );
    const canonical =
      "DELETE\n/a/\n\nhost:h.example\nx-sdk-date:20240102T030405Z\nx-security-token:TOKEN\n\n" +
      `host;x-sdk-date;x-security-token\n${EMPTY_SHA256}`;
    expect(headers).toEqual({
      "X-Sdk-Date": "20240102T030405Z",
      "X-Security-Token": "TOKEN",
      host: "h.example",
      Authorization: expectedAuthorization(canonical, "host;x-sdk-date;x-security-token"),
    });
  });

  it("uses X-Sdk-Content-Sha256 instead of hashing the body, and signs it", () => {
    const headers = signRequest(
      {
        method: "POST",
        url: "https://h.example/up",
        headers: { "Content-Type": "application/octet-stream", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" },
        body: Buffer.from([1, 2, 3]),
      },
      credentials,
      now,
    );
    const canonical =
      "POST\n/up/\n\ncontent-type:application/octet-stream\nhost:h.example\n" +
      "x-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:20240102T030405Z\n\n" +
      "content-type;host;x-sdk-content-sha256;x-sdk-date\nUNSIGNED-PAYLOAD";
    expect(headers.Authorization).toBe(
      expectedAuthorization(canonical, "content-type;host;x-sdk-content-sha256;x-sdk-date"),
    );
  });

  it("hashes a string body as UTF-8 and the same bytes identically", () => {
    const text = '{"metadata":"café"}';
    const base = { method: "POST", url: "https://h.example/c", headers: {} };
    const fromString = signRequest({ ...base, body: text }, credentials, now);
    const fromBytes = signRequest({ ...base, body: new Uint8Array(Buffer.from(text, "utf8")) }, credentials, now);
    const canonical =
      "POST\n/c/\n\nhost:h.example\nx-sdk-date:20240102T030405Z\n\nhost;x-sdk-date\n" +
      createHash("sha256").update(Buffer.from(text, "utf8")).digest("hex");
    expect(fromString.Authorization).toBe(expectedAuthorization(canonical, "host;x-sdk-date"));
    expect(fromBytes.Authorization).toBe(fromString.Authorization);
  });

  it.each([
    ["https://h.example/", "h.example"],
    ["https://h.example:443/", "h.example:443"],
    ["http://127.0.0.1:8080/", "127.0.0.1:8080"],
    ["http://[::1]:9000/", "[::1]:9000"],
    ["http://[::1]/", "[::1]"],
    ["https://user@H.Example:8443/", "h.example:8443"],
  ])("host of %s is %s", (url, host) => {
    expect(signRequest({ method: "GET", url, headers: {} }, credentials, now).host).toBe(host);
  });

  it("keeps a given Host header whatever its case and adds no second one", () => {
    const headers = signRequest({ method: "GET", url: "https://h.example/", headers: { Host: "proxy.example" } }, credentials, now);
    expect(Object.keys(headers)).toEqual(["Host", "X-Sdk-Date", "Authorization"]);
    expect(headers.Authorization).toContain("SignedHeaders=host;x-sdk-date,");
  });

  it("replaces a given X-Sdk-Date and Authorization instead of signing them", () => {
    const headers = signRequest(
      { method: "GET", url: "https://h.example/", headers: { "x-sdk-date": "19990101T000000Z", authorization: "stale" } },
      credentials,
      now,
    );
    expect(Object.keys(headers)).toEqual(["X-Sdk-Date", "host", "Authorization"]);
    expect(headers["X-Sdk-Date"]).toBe("20240102T030405Z");
  });

  it("does not modify the caller's headers", () => {
    const given = { "X-Custom": " v " };
    signRequest({ method: "GET", url: "https://h.example/", headers: given }, credentials, now);
    expect(given).toEqual({ "X-Custom": " v " });
  });

  it.each([
    [{ "X-A": "1", "x-a": "2" }, 'header "x-a" is given twice (names ignore case)'],
    [{ "Bad Name": "1" }, 'invalid header name "Bad Name"'],
    [{ "X-A": "1\r\nX-B: 2" }, 'header "X-A" has a line break in its value'],
  ])("refuses headers %j", (headers, message) => {
    expect(() => signRequest({ method: "GET", url: "https://h.example/", headers }, credentials, now)).toThrow(
      new SigningInputError(message),
    );
  });

  it("refuses an invalid URL", () => {
    expect(() => signRequest({ method: "GET", url: "/relative", headers: {} }, credentials, now)).toThrow(
      new SigningInputError('cannot sign a request to an invalid URL "/relative"'),
    );
  });
});
