import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, EmulatorOptions } from "../../src/emulator";
import vectorsFile from "./fixtures/sign-vectors.json";
import { call, disError, sendRaw, startTestEmulator, T0, type RawExchange } from "./support/harness";
import { sdkDateOf, sign } from "./support/signer";

interface Vector {
  id: string;
  input: { credentials: { ak: string; sk?: string; project_id?: string } };
  wire: { method: string; url: string; headers: Record<string, string>; body?: string | null };
  go_rules_same_request: { body_bytes?: string; authorization: string };
}

const { constants } = vectorsFile;
const vectors = vectorsFile.vectors as unknown as Vector[];
const vectorDate = Date.UTC(2024, 0, 2, 3, 4, 5);
const MINUTE = 60_000;

/** What each vector's request does once authenticated: DIS vectors succeed, the guide's VPC call is not a DIS API. */
const EXPECTED: Record<string, { status: number; errorCode?: string }> = {
  "commit-checkpoint-post-json": { status: 201 },
  "show-checkpoint-get-query": { status: 200 },
  "delete-checkpoint-one-partition": { status: 204 },
  "show-stream-no-trailing-slash": { status: 200 },
  "official-signing-guide-example": { status: 404, errorCode: "APIGW.0101" },
};

function exchangeOf(vector: Vector): RawExchange {
  const url = new URL(vector.wire.url);
  return {
    method: vector.wire.method,
    target: `${url.pathname}${url.search}`,
    headers: { ...vector.wire.headers },
    ...(vector.wire.body ? { body: vector.wire.body } : {}),
  };
}

function vectorDateOf(vector: Vector): number {
  const sdkDate = vector.wire.headers["X-Sdk-Date"] as string;
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(sdkDate) as unknown as string[];
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** An emulator holding the vectors' keys and project, with the stream, app and records they address. */
async function emulatorFor(vector: Vector, overrides: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const projectId = vector.input.credentials.project_id ?? (new URL(vector.wire.url).pathname.split("/")[2] as string);
  const time = vectorDateOf(vector);
  return startTestEmulator({
    projectId,
    accessKey: vector.input.credentials.ak,
    secretKey: vector.input.credentials.sk ?? constants.sk,
    timeSource: () => time,
    seed: {
      streams: [{ name: "my-stream", partitions: 3, records: { perPartition: 20_000, startTime: time - 20_000, intervalMs: 1 } }],
      apps: ["my-app"],
    },
    ...overrides,
  });
}

const commitVector = vectors.find((vector) => vector.id === "commit-checkpoint-post-json") as Vector;
const showVector = vectors.find((vector) => vector.id === "show-checkpoint-get-query") as Vector;
const streamVector = vectors.find((vector) => vector.id === "show-stream-no-trailing-slash") as Vector;

describe("signature verification", () => {
  let emulator: EmulatorHandle | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it("has the vectors it replays", () => {
    expect(vectors.map((vector) => vector.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(vectors.map((vector) => [vector.id, vector] as const))(
    "accepts the official Node signer's request %s byte for byte",
    async (id, vector) => {
      emulator = await emulatorFor(vector);
      const response = await sendRaw(emulator, exchangeOf(vector));
      const expected = EXPECTED[id] as { status: number; errorCode?: string };
      expect({ status: response.status, errorCode: response.json?.errorCode ?? response.json?.error_code }).toEqual({
        status: expected.status,
        errorCode: expected.errorCode,
      });
    },
  );

  it("accepts the same commit signed under the Go SDK's rules (user-agent signed, body ending in a newline)", async () => {
    emulator = await emulatorFor(commitVector);
    const exchange = exchangeOf(commitVector);
    const response = await sendRaw(emulator, {
      ...exchange,
      headers: { ...exchange.headers, Authorization: commitVector.go_rules_same_request.authorization },
      body: commitVector.go_rules_same_request.body_bytes as string,
    });
    expect(response.status).toBe(201);
    expect(emulator.state.showCheckpoint({ app: "my-app", stream: "my-stream", partition: { ordinal: 0, id: "0" } })).toEqual({
      sequenceNumber: 12345n,
      metadata: "consumer-1 state: ok",
    });
  });

  it("ignores changes to headers that were not signed", async () => {
    emulator = await emulatorFor(commitVector);
    const exchange = exchangeOf(commitVector);
    const response = await sendRaw(emulator, {
      ...exchange,
      headers: { ...exchange.headers, "User-Agent": "something-else/1.0", "X-Unsigned": "anything" },
    });
    expect(response.status).toBe(201);
  });

  describe("rejects a tampered request with 401 APIGW.0301 and the gateway's canonical request", () => {
    const tamperings: [string, Vector, (exchange: RawExchange) => RawExchange, string][] = [
      ["method", commitVector, (e) => ({ ...e, method: "PUT" }), "PUT|/v2/0123456789abcdef0123456789abcdef/checkpoints/|"],
      [
        "path",
        streamVector,
        (e) => ({ ...e, target: e.target.replace("my-stream", "my-streams") }),
        "GET|/v2/0123456789abcdef0123456789abcdef/streams/my-streams/|limit_partitions=100&start_partitionId=shardId-0000000000|",
      ],
      [
        "query",
        showVector,
        (e) => ({ ...e, target: e.target.replace("partition_id=0", "partition_id=1") }),
        "|app_name=my-app&checkpoint_type=LAST_READ&partition_id=1&stream_name=my-stream|",
      ],
      [
        "signed header",
        commitVector,
        (e) => ({ ...e, headers: { ...e.headers, "X-Project-Id": "0123456789abcdef0123456789abcdee" } }),
        "|x-project-id:0123456789abcdef0123456789abcdee|",
      ],
      [
        "signed host header",
        commitVector,
        (e) => ({ ...e, headers: { ...e.headers, host: "dis.cn-north-1.myhuaweicloud.com" } }),
        "|host:dis.cn-north-1.myhuaweicloud.com|",
      ],
      ["body", commitVector, (e) => ({ ...e, body: String(e.body).replace("12345", "12346") }), "|content-type;host;x-project-id;x-sdk-date|"],
    ];

    it.each(tamperings)("%s", async (_, vector, tamper, canonicalFragment) => {
      emulator = await emulatorFor(vector);
      const response = await sendRaw(emulator, tamper(exchangeOf(vector)));
      expect(response.status).toBe(401);
      expect(response.json.error_code).toBe("APIGW.0301");
      expect(response.json.request_id).toBe(response.headers["x-request-id"]);
      expect(response.json.error_msg).toMatch(
        /^Incorrect IAM authentication information: verify aksk signature fail,canonicalRequest:[A-Z]+\|\/.*\|[0-9a-f]{64}$/,
      );
      expect(response.json.error_msg).toContain(canonicalFragment);
      expect(emulator.requests().at(-1)).toMatchObject({ status: 401, errorCode: "APIGW.0301" });
    });
  });

  it("quotes the body hash it computed, so a client can compare", async () => {
    emulator = await emulatorFor(commitVector);
    const exchange = exchangeOf(commitVector);
    const tampered = `${exchange.body as string} `;
    const response = await sendRaw(emulator, { ...exchange, body: tampered });
    const { createHash } = await import("node:crypto");
    expect(response.json.error_msg.endsWith(`|${createHash("sha256").update(tampered).digest("hex")}`)).toBe(true);
  });

  it.each([
    ["15 minutes late", 15 * MINUTE, 201],
    ["15 minutes early", -15 * MINUTE, 201],
    ["15 minutes and 1 second late", 15 * MINUTE + 1000, 401],
    ["15 minutes and 1 second early", -(15 * MINUTE + 1000), 401],
  ])("checks X-Sdk-Date against the emulator clock: %s", async (_, skew, status) => {
    emulator = await emulatorFor(commitVector, { timeSource: () => vectorDate + skew });
    const response = await sendRaw(emulator, exchangeOf(commitVector));
    expect(response.status).toBe(status);
    if (status === 401) {
      expect(response.json.error_msg).toBe(
        `Incorrect IAM authentication information: signature expired, signature time:20240102T030405Z,server time:${sdkDateOf(vectorDate + skew)}`,
      );
    }
  });

  it("follows the admin clock when checking dates", async () => {
    emulator = await emulatorFor(commitVector, { timeSource: () => vectorDate + 60 * MINUTE });
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(401);
    emulator.setClock({ time: "2024-01-02T03:04:05Z" });
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
  });

  it("refuses a wrong secret key without revealing either key", async () => {
    emulator = await emulatorFor(commitVector, { secretKey: "another-secret-key" });
    const response = await sendRaw(emulator, exchangeOf(commitVector));
    expect(response.status).toBe(401);
    expect(response.text).not.toContain("another-secret-key");
    expect(response.text).not.toContain(constants.sk);
    expect(response.text).not.toContain("Signature=");
  });

  it("refuses an unknown access key with the gateway's 'Get secretKey failed'", async () => {
    emulator = await emulatorFor(commitVector, { accessKey: "OTHERAK", secretKey: constants.sk });
    const response = await sendRaw(emulator, exchangeOf(commitVector));
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      error_code: "APIGW.0301",
      error_msg: "Incorrect IAM authentication information: Get secretKey failed",
      request_id: response.headers["x-request-id"],
    });
  });

  it.each([
    ["no credentials at all", {}, "x-auth-token not found"],
    ["a malformed Authorization", { Authorization: "Basic Zm9vOmJhcg==" }, "Authorization is not 'SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>'"],
    [
      "a derived-key signature",
      { Authorization: "V11-HMAC-SHA256 Credential=EXAMPLEAK0123456789/20240102/cn-north-4/dis, SignedHeaders=x-sdk-date, Signature=00" },
      "derived-key signatures (V11-HMAC-SHA256) are not supported by this emulator",
    ],
    ["an X-Auth-Token when no token is configured", { "X-Auth-Token": "some-token" }, "decrypt token fail"],
  ])("refuses %s", async (_, headers, reason) => {
    emulator = await emulatorFor(commitVector);
    const response = await sendRaw(emulator, { method: "GET", target: `/v2/${constants.project_id}/apps`, headers });
    expect(response.status).toBe(401);
    expect(response.json.error_msg).toBe(`Incorrect IAM authentication information: ${reason}`);
  });

  it("requires x-sdk-date among the signed headers", async () => {
    emulator = await emulatorFor(commitVector);
    const exchange = exchangeOf(commitVector);
    const authorization = (exchange.headers.Authorization as string).replace("x-project-id;x-sdk-date", "x-project-id");
    const response = await sendRaw(emulator, { ...exchange, headers: { ...exchange.headers, Authorization: authorization } });
    expect(response.json.error_msg).toBe("Incorrect IAM authentication information: x-sdk-date is not in SignedHeaders");
  });

  it("refuses an X-Sdk-Date that is not in the basic format", async () => {
    emulator = await startTestEmulator();
    const response = await call(emulator, "GET", "apps", { auth: { sdkDate: "2026-01-15T08:00:00Z" } });
    expect(response.json.error_msg).toBe(
      'Incorrect IAM authentication information: x-sdk-date "2026-01-15T08:00:00Z" is not in the form YYYYMMDDTHHMMSSZ',
    );
  });

  it("locks an access key out for five minutes after five consecutive signature failures", async () => {
    let now = vectorDate;
    emulator = await emulatorFor(commitVector, { timeSource: () => now });
    const bad = { ...exchangeOf(commitVector), body: "{}" };
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await sendRaw(emulator, bad)).json.error_msg).toMatch(/verify aksk signature fail/);
    }
    const locked = await sendRaw(emulator, exchangeOf(commitVector));
    expect(locked.json.error_msg).toBe("Incorrect IAM authentication information: AK access failed to reach the limit,forbidden");
    now += 5 * MINUTE - 1000;
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(401);
    now += 2000;
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
  });

  it("resets the failure count after a success, and reset() lifts a lockout", async () => {
    emulator = await emulatorFor(commitVector);
    const bad = { ...exchangeOf(commitVector), body: "{}" };
    for (let attempt = 0; attempt < 4; attempt++) await sendRaw(emulator, bad);
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
    for (let attempt = 0; attempt < 4; attempt++) await sendRaw(emulator, bad);
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
    for (let attempt = 0; attempt < 5; attempt++) await sendRaw(emulator, bad);
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(401);
    emulator.reset();
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
  });

  it("can run without the lockout", async () => {
    emulator = await emulatorFor(commitVector, { behaviour: { lockout: false } });
    const bad = { ...exchangeOf(commitVector), body: "{}" };
    for (let attempt = 0; attempt < 8; attempt++) await sendRaw(emulator, bad);
    expect((await sendRaw(emulator, exchangeOf(commitVector))).status).toBe(201);
  });

  describe("rejects the wrong project with DIS.4117 once the signature holds", () => {
    it("in the path", async () => {
      emulator = await startTestEmulator({ projectId: "aaaabbbbccccddddeeeeffff00001111" });
      const response = await call(emulator, "GET", "/v2/ffffbbbbccccddddeeeeffff00001111/apps");
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError("DIS.4117", "Invalid Project Id. [ffffbbbbccccddddeeeeffff00001111]"));
    });

    it("in X-Project-Id", async () => {
      emulator = await startTestEmulator({ projectId: "aaaabbbbccccddddeeeeffff00001111" });
      const response = await call(emulator, "GET", "apps", { headers: { "X-Project-Id": "ffffbbbbccccddddeeeeffff00001111" } });
      expect(response.json).toEqual(disError("DIS.4117", "Invalid Project Id. [ffffbbbbccccddddeeeeffff00001111]"));
    });
  });

  describe("canonicalises the query from the raw wire form", () => {
    const raw = async (target: string, pairs: [string, string][]) => {
      emulator = await startTestEmulator();
      const host = `127.0.0.1:${emulator.port}`;
      const path = target.split("?")[0] as string;
      const headers = sign({
        method: "GET",
        path,
        query: pairs,
        headers: { host, "Content-Type": "application/json" },
        body: "",
        accessKey: emulator.accessKey,
        secretKey: emulator.secretKey,
        sdkDate: sdkDateOf(T0),
      });
      return sendRaw(emulator, { method: "GET", target, headers });
    };

    it.each([
      ["Go's bare key for an empty value", "?limit=10&flag", [["limit", "10"], ["flag", ""]]],
      ["Node's key= for an empty value", "?limit=10&flag=", [["limit", "10"], ["flag", ""]]],
      ["%20 for a space", "?x=a%20b", [["x", "a b"]]],
      ["a raw plus as a literal plus", "?x=a+b", [["x", "a+b"]]],
      ["Node's unescaped *'()!", "?x=*'()!", [["x", "*'()!"]]],
      ["UTF-8 escapes", "?x=%C3%A9%F0%9F%98%80", [["x", "é😀"]]],
      ["repeated keys in any order", "?x=b&x=a&y=1", [["y", "1"], ["x", "a"], ["x", "b"]]],
      ["lower-case hex escapes", "?x=%c3%a9", [["x", "é"]]],
    ] as [string, string, [string, string][]][])("%s", async (_, query, pairs) => {
      const response = await raw(`/v2/${"0000000000000000000000000000d15e"}/streams${query}`, pairs);
      expect(response.status).toBe(200);
    });

    it("an encoded path segment equals its decoded form", async () => {
      const response = await raw(`/v2/0000000000000000000000000000d15e/%73treams`, []);
      expect(response.status).toBe(200);
    });
  });

  it("accepts signed headers with surrounding whitespace (values are trimmed)", async () => {
    emulator = await startTestEmulator();
    const response = await call(emulator, "GET", "apps", { headers: { "X-Custom": "  padded value  " } });
    expect(response.status).toBe(200);
  });

  describe("temporary credentials", () => {
    const temporary = { accessKey: "TEMPAK", secretKey: "temp-secret", securityToken: "temp-security-token-value" };

    it("verify with their X-Security-Token", async () => {
      emulator = await startTestEmulator({ temporaryCredentials: [temporary] });
      const response = await call(emulator, "GET", "apps", {
        auth: { ...temporary, extraHeaders: { "X-Security-Token": temporary.securityToken } },
      });
      expect(response.status).toBe(200);
    });

    it("are refused without it, or with another token", async () => {
      emulator = await startTestEmulator({ temporaryCredentials: [temporary] });
      for (const extraHeaders of [{}, { "X-Security-Token": "forged" }] as Record<string, string>[]) {
        const response = await call(emulator, "GET", "apps", { auth: { ...temporary, extraHeaders } });
        expect(response.status).toBe(401);
        expect(response.json.error_msg).toBe(
          "Incorrect IAM authentication information: the security token of these temporary credentials is missing or invalid",
        );
      }
    });

    it("never echo the security token in the canonical request of a 401", async () => {
      emulator = await startTestEmulator({ temporaryCredentials: [temporary] });
      const response = await call(emulator, "GET", "apps", {
        auth: { ...temporary, secretKey: "wrong", extraHeaders: { "X-Security-Token": temporary.securityToken } },
      });
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(temporary.securityToken);
      expect(response.json.error_msg).toContain("|x-security-token:******|");
    });
  });

  describe("token mode", () => {
    it("accepts the configured X-Auth-Token and refuses another, without echoing either", async () => {
      emulator = await startTestEmulator({ token: "iam-token-value" });
      expect((await call(emulator, "GET", "apps", { auth: "none", headers: { "X-Auth-Token": "iam-token-value" } })).status).toBe(200);
      const refused = await call(emulator, "GET", "apps", { auth: "none", headers: { "X-Auth-Token": "iam-token-other" } });
      expect(refused.status).toBe(401);
      expect(refused.json.error_msg).toBe("Incorrect IAM authentication information: decrypt token fail");
      expect(refused.text).not.toContain("iam-token");
    });

    it("still accepts AK/SK signatures", async () => {
      emulator = await startTestEmulator({ token: "iam-token-value" });
      expect((await call(emulator, "GET", "apps")).status).toBe(200);
    });
  });

  it("never writes credentials into the request log", async () => {
    emulator = await startTestEmulator({ token: "iam-token-value" });
    await call(emulator, "POST", "apps", { body: { app_name: "a1" } });
    await call(emulator, "GET", "apps", { auth: "none", headers: { "X-Auth-Token": "iam-token-value" } });
    const log = JSON.stringify(emulator.requests());
    expect(log).not.toContain(emulator.secretKey);
    expect(log).not.toContain("iam-token-value");
    expect(log).not.toContain("Signature");
    expect(log).not.toMatch(/authorization/i);
  });
});
