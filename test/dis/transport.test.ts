/**
 * The client over HTTP against a scripted loopback server: exact requests, signing per attempt, retries,
 * timeouts, connection pooling, error mapping and secret hygiene.
 */
import { createHash, createHmac } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDisClient,
  DisApiError,
  DisCredentialsError,
  DisInputError,
  DisProtocolError,
  DisTransportError,
  type DisClient,
  type DisClientOptions,
  type RetryEvent,
} from "../../src/dis";
import { canonicalRequest } from "../../src/dis/signer";
import { rejected } from "./helpers/caught";
import { startScriptedServer, type ScriptedServer } from "./helpers/scripted-server";

const PROJECT = "0123456789abcdef0123456789abcdef";
const AK = "TESTAK0123";
const SK = "TEST-SECRET-KEY-never-shown";
const TOKEN = "TEST-SECURITY-TOKEN-never-shown";
const FIXED_NOW = new Date("2026-03-04T05:06:07Z");

let server: ScriptedServer;
const clients: DisClient[] = [];

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.requests.length = 0;
});

function client(options: Partial<DisClientOptions> = {}): DisClient {
  const created = createDisClient({
    projectId: PROJECT,
    endpoint: server.url,
    credentials: { accessKey: AK, secretKey: SK },
    env: {},
    retry: { baseDelayMs: 1, maxDelayMs: 5, random: () => 0.5 },
    now: () => FIXED_NOW,
    ...options,
  });
  clients.push(created);
  return created;
}

/** Verifies a received request the way the gateway does (dis-api.md §9.3), from what arrived on the wire. */
function verifySignature(request: (typeof server.requests)[number], secretKey = SK): boolean {
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(request.headers.authorization));
  if (!match) return false;
  const signed = Object.fromEntries((match[2] as string).split(";").map((name) => [name, String(request.headers[name])]));
  const canonical = canonicalRequest({ method: request.method, url: `http://x${request.url}`, headers: signed, body: request.body });
  const stringToSign = `SDK-HMAC-SHA256\n${request.headers["x-sdk-date"]}\n${createHash("sha256").update(canonical).digest("hex")}`;
  return createHmac("sha256", secretKey).update(stringToSign).digest("hex") === match[3];
}

const dis400 = (errorCode: string, message: string) => ({ status: 400, body: { errorCode, message } });

describe("requests on the wire", () => {
  it("commitCheckpoint sends the documented body, signed, with the project header", async () => {
    server.handle(() => ({ status: 201 }));
    await client().commitCheckpoint({ app: "orders", stream: "clicks", partition: "3", sequenceNumber: "9223372036854775807", metadata: "replay" });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`/v2/${PROJECT}/checkpoints`);
    expect(JSON.parse(request?.body ?? "")).toEqual({
      app_name: "orders",
      checkpoint_type: "LAST_READ",
      stream_name: "clicks",
      partition_id: "shardId-0000000003",
      sequence_number: "9223372036854775807",
      metadata: "replay",
    });
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "x-project-id": PROJECT,
      "x-sdk-date": "20260304T050607Z",
      host: server.url.replace("http://", ""),
      accept: "application/json",
      "user-agent": "dis-checkpoints",
    });
    expect(request?.headers.authorization).toMatch(
      new RegExp(`^SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`),
    );
    expect(verifySignature(request!)).toBe(true);
  });

  it("temporary credentials send and sign X-Security-Token", async () => {
    server.handle(() => ({ status: 204 }));
    await client({ credentials: { accessKey: AK, secretKey: SK, securityToken: TOKEN } }).deleteApp("orders");
    const [request] = server.requests;
    expect(request?.headers["x-security-token"]).toBe(TOKEN);
    expect(request?.headers.authorization).toContain("SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,");
    expect(verifySignature(request!)).toBe(true);
  });

  it("token credentials send X-Auth-Token and no signature", async () => {
    server.handle(() => ({ status: 201 }));
    await client({ credentials: undefined, env: { HUAWEICLOUD_SDK_AUTH_TOKEN: "IAM-TOKEN" } }).createApp("orders");
    const [request] = server.requests;
    expect(request?.headers["x-auth-token"]).toBe("IAM-TOKEN");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers["x-sdk-date"]).toBeUndefined();
    expect(JSON.parse(request?.body ?? "")).toEqual({ app_name: "orders" });
  });

  it("reads credentials from the environment at call time", async () => {
    server.handle(() => ({ status: 204 }));
    const env: Record<string, string> = {};
    const lazy = client({ credentials: undefined, env });
    const missing = await rejected(lazy.deleteApp("a"));
    expect(missing).toBeInstanceOf(DisCredentialsError);
    expect(server.requests).toHaveLength(0);

    env.HUAWEICLOUD_SDK_AK = AK;
    env.HUAWEICLOUD_SDK_SK = SK;
    await lazy.deleteApp("a");
    expect(verifySignature(server.requests[0]!)).toBe(true);
  });

  it.each<[string, (c: DisClient) => Promise<unknown>, string, string]>([
    [
      "showCheckpoint",
      (c) => c.showCheckpoint({ app: "orders", stream: "clicks", partition: 2 }),
      "GET",
      `/v2/${PROJECT}/checkpoints?app_name=orders&checkpoint_type=LAST_READ&partition_id=shardId-0000000002&stream_name=clicks`,
    ],
    [
      "deleteCheckpoint for one partition",
      (c) => c.deleteCheckpoint({ app: "orders", stream: "clicks", partition: "shardId-0000000001" }),
      "DELETE",
      `/v2/${PROJECT}/checkpoints?app_name=orders&checkpoint_type=LAST_READ&partition_id=shardId-0000000001&stream_name=clicks`,
    ],
    [
      "deleteCheckpoint for every partition",
      (c) => c.deleteCheckpoint({ app: "orders", stream: "clicks" }),
      "DELETE",
      `/v2/${PROJECT}/checkpoints?app_name=orders&checkpoint_type=LAST_READ&stream_name=clicks`,
    ],
    ["deleteApp", (c) => c.deleteApp("orders"), "DELETE", `/v2/${PROJECT}/apps/orders`],
    [
      "getCursor AT_TIMESTAMP",
      (c) => c.getCursor({ stream: "clicks", partition: 0, type: "AT_TIMESTAMP", timestamp: 1700000000000 }),
      "GET",
      `/v2/${PROJECT}/cursors?cursor-type=AT_TIMESTAMP&partition-id=shardId-0000000000&stream-name=clicks&timestamp=1700000000000`,
    ],
    [
      "getCursor AFTER_SEQUENCE_NUMBER",
      (c) => c.getCursor({ stream: "clicks", partition: 1, type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "41" }),
      "GET",
      `/v2/${PROJECT}/cursors?cursor-type=AFTER_SEQUENCE_NUMBER&partition-id=shardId-0000000001&starting-sequence-number=41&stream-name=clicks`,
    ],
    [
      "getRecords",
      (c) => c.getRecords({ cursor: "a+b/c=", maxFetchBytes: 1024 }),
      "GET",
      `/v2/${PROJECT}/records?max_fetch_bytes=1024&partition-cursor=a%2Bb%2Fc%3D`,
    ],
  ])("%s", async (_name, call, method, url) => {
    server.handle(() => ({
      status: 200,
      body: { sequence_number: "-1", partition_cursor: "c", next_partition_cursor: "n", records: [] },
    }));
    await call(client());
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([[method, url]]);
    expect(verifySignature(server.requests[0]!)).toBe(true);
  });

  it("putRecords sends base64 data and explicit partitions", async () => {
    server.handle(() => ({ status: 200, body: { failed_record_count: 0, records: [{ partition_id: "shardId-0000000001", sequence_number: "0" }, { partition_id: "shardId-0000000000", sequence_number: "5" }] } }));
    const result = await client().putRecords({
      stream: "clicks",
      records: [{ partition: 1, data: "hello", timestamp: 1700000000000 }, { partitionKey: "k", data: Buffer.from([0, 255]) }],
    });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({
      stream_name: "clicks",
      records: [
        { data: "aGVsbG8=", partition_id: "shardId-0000000001", timestamp: 1700000000000 },
        { data: "AP8=", partition_key: "k" },
      ],
    });
    expect(result).toEqual({
      failedRecordCount: 0,
      records: [
        { ok: true, partition: 1, sequenceNumber: "0" },
        { ok: true, partition: 0, sequenceNumber: "5" },
      ],
    });
  });

  it("pages with the last key of each page", async () => {
    const app = (name: string) => ({ app_name: name, app_id: `id-${name}`, create_time: 1 });
    server.handle((request) =>
      request.url.includes("start_app_name=b")
        ? { status: 200, body: { has_more_app: false, apps: [app("c")], total_number: 3 } }
        : { status: 200, body: { has_more_app: true, apps: [app("a"), app("b")], total_number: 3 } },
    );
    const apps = await client().listApps({ stream: "clicks" });
    expect(apps.map((a) => a.name)).toEqual(["a", "b", "c"]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/v2/${PROJECT}/apps?limit=100&stream_name=clicks`,
      `/v2/${PROJECT}/apps?limit=100&start_app_name=b&stream_name=clicks`,
    ]);
  });

  it("refuses bad arguments before any request", async () => {
    const c = client();
    const errors = await Promise.all([
      rejected(c.commitCheckpoint({ app: "orders", stream: "clicks", partition: "shardId-3", sequenceNumber: "1" })),
      rejected(c.commitCheckpoint({ app: "orders", stream: "clicks", partition: 0, sequenceNumber: "-5" })),
      rejected(c.showApp("no spaces")),
      rejected(c.putRecords({ stream: "clicks", records: [] })),
      rejected(c.putRecords({ stream: "clicks", records: [{ data: Buffer.alloc(10 * 1024 * 1024) }] })),
    ]);
    expect(errors.map((e) => [e.constructor, (e as DisInputError).field])).toEqual([
      [DisInputError, "partition"],
      [DisInputError, "sequenceNumber"],
      [DisInputError, "app"],
      [DisInputError, "records"],
      [DisInputError, "body"],
    ]);
    expect(errors[4]?.message).toBe(
      "PutRecords request of 13981064 bytes exceeds the gateway's limit of 12582912: send fewer or smaller records per call",
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("answers that mean 'nothing there'", () => {
  it.each<[string, unknown]>([
    ["200 with -1", { status: 200, body: { sequence_number: "-1", metadata: "" } }],
    ["200 without a sequence number", { status: 200, body: {} }],
    ["400 DIS.4375", dis400("DIS.4375", "The app does not commit checkpoint")],
  ])("showCheckpoint → null on %s", async (_name, reply) => {
    server.handle(() => reply as never);
    await expect(client().showCheckpoint({ app: "orders", stream: "clicks", partition: 0 })).resolves.toBeNull();
  });

  it("showApp → null on DIS.4332, and other errors still throw", async () => {
    server.handle(() => dis400("DIS.4332", "app not found."));
    await expect(client().showApp("orders")).resolves.toBeNull();
    server.handle(() => dis400("DIS.4301", "The stream does not exist."));
    await expect(client().showCheckpoint({ app: "orders", stream: "clicks", partition: 0 })).rejects.toThrow(
      "ShowCheckpoint failed: stream 'clicks' does not exist in project 0123456789abcdef0123456789abcdef (DIS.4301, HTTP 400)",
    );
  });
});

describe("errors", () => {
  it("a business error is not retried and says what was wrong", async () => {
    server.handle(() => ({ ...dis400("DIS.4332", "app not found."), headers: { "x-request-id": "req-42" } }));
    const error = await rejected(client().commitCheckpoint({ app: "x", stream: "clicks", partition: 0, sequenceNumber: "1" }));
    expect(error).toBeInstanceOf(DisApiError);
    expect(error.message).toBe(`CommitCheckpoint failed: app 'x' does not exist in project ${PROJECT} (DIS.4332, HTTP 400, request id req-42)`);
    expect(error).toMatchObject({ status: 400, code: "DIS.4332", apiMessage: "app not found.", requestId: "req-42", retryable: false, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it("a rejected signature never echoes secrets or the signature", async () => {
    server.handle((request) => ({
      status: 401,
      body: {
        error_code: "APIGW.0301",
        error_msg: `Incorrect IAM authentication information: verify aksk signature fail, SK=${SK} x-security-token:${TOKEN}|${request.headers.authorization}`,
        request_id: "gw-1",
      },
    }));
    const error = await rejected(client({ credentials: { accessKey: AK, secretKey: SK, securityToken: TOKEN } }).createApp("orders"));
    expect(error.message).toBe("CreateApp failed: signature rejected: check the clock and keys (APIGW.0301, HTTP 401, request id gw-1)");
    const everything = `${inspect(error, { depth: 5 })} ${JSON.stringify(error)} ${(error as DisApiError).apiMessage}`;
    const signature = /Signature=([0-9a-f]+)/.exec(String(server.requests[0]?.headers.authorization))?.[1];
    for (const secret of [SK, TOKEN, signature]) expect(everything).not.toContain(secret);
    expect(server.requests).toHaveLength(1);
  });

  it("a success body that does not fit is a protocol error naming the field", async () => {
    server.handle(() => ({ status: 200, body: { has_more_app: false, apps: [{ app_name: "a", create_time: 1 }] }, headers: { "x-request-id": "r-7" } }));
    const error = await rejected(client().listApps());
    expect(error).toBeInstanceOf(DisProtocolError);
    expect(error.message).toBe("ListApps failed: unexpected response from DIS: apps.0.app_id: Invalid input: expected string, received undefined (request id r-7)");
  });
});

describe("retries", () => {
  it("honours Retry-After on 429 and signs each attempt afresh", async () => {
    server.handle((_request, index) =>
      index === 0
        ? { status: 429, body: { error_code: "APIGW.0308", error_msg: "throttled" }, headers: { "retry-after": "1" } }
        : { status: 201 },
    );
    const retries: RetryEvent[] = [];
    let tick = 0;
    const c = client({
      onRetry: (event) => retries.push(event),
      now: () => new Date(FIXED_NOW.getTime() + 1000 * tick++),
      retry: { maxRetryAfterMs: 30, baseDelayMs: 1, random: () => 0.5 },
    });
    await c.commitCheckpoint({ app: "orders", stream: "clicks", partition: 0, sequenceNumber: "7" });

    expect(retries).toEqual([{ operation: "CommitCheckpoint", attempt: 1, delayMs: 30, reason: "HTTP 429 APIGW.0308" }]);
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.body).toBe(second?.body);
    expect(first?.headers["x-sdk-date"]).not.toBe(second?.headers["x-sdk-date"]);
    expect(first?.headers.authorization).not.toBe(second?.headers.authorization);
    expect(verifySignature(first!) && verifySignature(second!)).toBe(true);
  });

  it.each<[string, () => unknown]>([
    ["DIS.4303 flow control", () => dis400("DIS.4303", "Exceeded traffic control limit.")],
    ["DIS.4305 request rate", () => dis400("DIS.4305", "Too many stream requests.")],
    ["DIS.5000", () => ({ status: 500, body: { errorCode: "DIS.5000", message: "System error." } })],
    ["502 from a proxy", () => ({ status: 502, body: "<html>Bad Gateway</html>" })],
    ["a reset connection", () => "reset"],
  ])("retries %s, then succeeds", async (_name, failure) => {
    server.handle((_request, index) => (index < 2 ? (failure() as never) : { status: 204 }));
    const retries: RetryEvent[] = [];
    await client({ onRetry: (event) => retries.push(event) }).deleteApp("orders");
    expect(server.requests).toHaveLength(3);
    expect(retries.map((event) => event.attempt)).toEqual([1, 2]);
  });

  it("gives up after maxAttempts with a retryable error", async () => {
    server.handle(() => ({ status: 503, body: "Service Unavailable" }));
    const error = await rejected(client({ retry: { maxAttempts: 3, baseDelayMs: 1, random: () => 0 } }).deleteApp("orders"));
    expect(error).toBeInstanceOf(DisApiError);
    expect(error.message).toBe("DeleteApp failed: Service Unavailable (HTTP 503, after 3 attempts)");
    expect(error).toMatchObject({ retryable: true, attempts: 3, status: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it("retries a request that got no answer within the request timeout", async () => {
    server.handle((_request, index) => (index === 0 ? "hang" : { status: 201 }));
    const retries: RetryEvent[] = [];
    await client({ requestTimeoutMs: 200, onRetry: (event) => retries.push(event) }).createApp("orders");
    expect(server.requests).toHaveLength(2);
    expect(retries).toEqual([
      { operation: "CreateApp", attempt: 1, delayMs: 0, reason: `no response from ${server.url} within 200 ms (UND_ERR_HEADERS_TIMEOUT)` },
    ]);
  });

  it("stops at the call deadline", async () => {
    server.handle(() => "hang");
    const error = await rejected(client({ deadlineMs: 300, requestTimeoutMs: 60_000 }).createApp("orders"));
    expect(error).toBeInstanceOf(DisTransportError);
    expect(error).toMatchObject({ kind: "deadline", attempts: 1 });
    expect(error.message).toBe(`CreateApp failed: no answer from ${server.url} within the call deadline of 300 ms`);
  });

  it("reports a refused connection after its retries", async () => {
    const closed = await startScriptedServer();
    const url = closed.url;
    await closed.close();
    const retries: RetryEvent[] = [];
    const error = await rejected(client({ endpoint: url, retry: { maxAttempts: 2, baseDelayMs: 1 }, onRetry: (e) => retries.push(e) }).deleteApp("a"));
    expect(error).toBeInstanceOf(DisTransportError);
    expect(error.message).toBe(`DeleteApp failed: cannot connect to ${url} (ECONNREFUSED) (after 2 attempts)`);
    expect(error).toMatchObject({ kind: "connect", attempts: 2 });
    expect(retries).toHaveLength(1);
  });
});

describe("connection pooling", () => {
  it("reuses keep-alive connections for sequential calls", async () => {
    server.handle(() => ({ status: 201 }));
    const before = server.connections();
    const c = client();
    for (let i = 0; i < 30; i += 1) await c.commitCheckpoint({ app: "orders", stream: "clicks", partition: 0, sequenceNumber: String(i) });
    expect(server.requests).toHaveLength(30);
    // undici's pool may open a second socket for the second call (the first is released a tick after its
    // response ends); from then on the two are reused.
    expect(server.connections() - before).toBeLessThanOrEqual(2);
  });

  it("never opens more than `connections` sockets, however many calls are in flight", async () => {
    server.handle(() => ({ status: 201 }));
    const before = server.connections();
    const c = client({ connections: 4 });
    await Promise.all(
      Array.from({ length: 64 }, (_, i) => c.commitCheckpoint({ app: "orders", stream: "clicks", partition: i % 8, sequenceNumber: String(i) })),
    );
    expect(server.requests).toHaveLength(64);
    expect(server.connections() - before).toBeLessThanOrEqual(4);
    expect(server.maxInFlight()).toBeLessThanOrEqual(4);
  });

  it.each<[Partial<DisClientOptions>, string]>([
    [{ projectId: "a/b" }, 'invalid project id "a/b": expected the project\'s id, e.g. 0123456789abcdef0123456789abcdef'],
    [{ endpoint: "http://10.1.2.3:80" }, "refusing plain http to 10.1.2.3: credentials and checkpoints would travel unencrypted. Use https, or set allowInsecureHttp: true to accept this deliberately (plain http is always allowed to loopback)"],
    [{ endpoint: undefined, region: "Mars" }, 'invalid region "Mars": expected a Huawei Cloud region id such as cn-north-4 or ap-southeast-1'],
    [{ connections: 0 }, "invalid connections 0: expected a positive integer"],
  ])("refuses client options %j", (options, message) => {
    expect(() => client(options)).toThrow(message);
  });

  it("refuses a retry policy without attempts", () => {
    expect(() => client({ retry: { maxAttempts: 0 } })).toThrow(new DisInputError("retry.maxAttempts", "invalid retry.maxAttempts 0: expected a positive integer"));
  });

  it("fails calls after close", async () => {
    const c = client();
    await c.close();
    await c.close();
    const error = await rejected(c.deleteApp("orders"));
    expect(error).toBeInstanceOf(DisTransportError);
    expect(error).toMatchObject({ kind: "closed", message: "DeleteApp failed: the client was closed" });
  });
});
