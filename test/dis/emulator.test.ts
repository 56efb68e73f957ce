/**
 * Every client operation against the local emulator, which verifies signatures with its own implementation
 * and shares nothing with the client but the wire contract.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDisClient,
  DisApiError,
  formatPartitionId,
  type DisClient,
  type DisClientOptions,
  type RetryEvent,
} from "../../src/dis";
import { startEmulator, type EmulatorHandle } from "../../src/emulator";
import { rejected } from "./helpers/caught";

const ACCESS_KEY = "ITESTAK000";
const SECRET_KEY = "itest-secret-key";
const TEMPORARY = { accessKey: "ITESTTEMPAK", secretKey: "itest-temp-secret", securityToken: "itest-security-token" };
const IAM_TOKEN = "itest-iam-token";
const PROJECT = "aaaabbbbccccddddeeeeffff00001111";
const MAX = "9223372036854775807";

let emulator: EmulatorHandle;
const clients: DisClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    projectId: PROJECT,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    temporaryCredentials: [TEMPORARY],
    token: IAM_TOKEN,
    behaviour: { lockout: false },
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset({ state: true });
  emulator.state.createStream({ name: "clicks", partitionCount: 3 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function client(options: Partial<DisClientOptions> = {}): DisClient {
  const created = createDisClient({
    projectId: PROJECT,
    endpoint: emulator.url,
    credentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
    env: {},
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(created);
  return created;
}

async function apiError(promise: Promise<unknown>): Promise<DisApiError> {
  const error = await rejected(promise);
  if (error instanceof DisApiError) return error;
  throw error;
}

/** How the emulator's in-process state API names a partition. */
function partitionRef(ordinal: number) {
  return { ordinal, id: String(ordinal) };
}

function operationsLogged(): string[] {
  return emulator.requests().map((entry) => `${entry.operation ?? "?"} ${entry.status}`);
}

describe("apps", () => {
  it("create, show, list, delete", async () => {
    const dis = client();
    await dis.createApp("orders");
    const shown = await dis.showApp("orders");
    expect(shown).toEqual({ name: "orders", id: expect.any(String), createdAt: expect.any(Number), committedStreams: [] });
    expect(await dis.listApps()).toEqual([shown]);
    await dis.deleteApp("orders");
    expect(await dis.showApp("orders")).toBeNull();
    expect(await dis.listApps()).toEqual([]);
  });

  it("lists every page, in name order, and filters by stream", async () => {
    const dis = client();
    const names = Array.from({ length: 205 }, (_, i) => `app-${String(i).padStart(3, "0")}`);
    for (const name of names) emulator.state.createApp(name);
    await dis.commitCheckpoint({ app: "app-007", stream: "clicks", partition: 0, sequenceNumber: "0" });

    expect((await dis.listApps()).map((app) => app.name)).toEqual(names);
    expect(emulator.requests().filter((entry) => entry.operation === "ListApps").map((entry) => entry.query.start_app_name)).toEqual([
      undefined,
      "app-099",
      "app-199",
    ]);
    const filtered = await dis.listApps({ stream: "clicks" });
    expect(filtered.map((app) => [app.name, app.committedStreams])).toEqual([["app-007", ["clicks"]]]);
  });

  it.each<[string, (dis: DisClient) => Promise<unknown>, string]>([
    [
      "a duplicate",
      async (dis) => {
        await dis.createApp("orders");
        await dis.createApp("orders");
      },
      `CreateApp failed: app 'orders' already exists in project ${PROJECT} (DIS.4330, HTTP 400, request id `,
    ],
    ["deleting a missing app", (dis) => dis.deleteApp("ghost"), `DeleteApp failed: app 'ghost' does not exist in project ${PROJECT} (DIS.4332, HTTP 400, request id `],
  ])("refuses %s", async (_name, call, message) => {
    const error = await apiError(call(client()));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(error.retryable).toBe(false);
  });
});

describe("streams", () => {
  it("lists every stream across pages", async () => {
    for (let i = 0; i < 104; i += 1) emulator.state.createStream({ name: `s-${String(i).padStart(3, "0")}`, partitionCount: 1 });
    const streams = await client().listStreams();
    expect(streams).toHaveLength(105);
    expect(streams.map((s) => s.name)).toEqual(["clicks", ...Array.from({ length: 104 }, (_, i) => `s-${String(i).padStart(3, "0")}`)].sort());
    expect(streams.find((s) => s.name === "clicks")).toEqual({
      name: "clicks",
      status: "RUNNING",
      type: "COMMON",
      dataType: "BLOB",
      partitionCount: 3,
      retentionHours: 24,
      createdAt: expect.any(Number),
    });
  });

  it("describes every partition across pages, with hash and sequence ranges", async () => {
    emulator.state.createStream({
      name: "wide",
      partitionCount: 250,
      records: { perPartition: [5], startTime: Date.now(), intervalMs: 10, firstSequenceNumber: 100n },
    });
    const stream = await client().describeStream("wide");
    expect(stream).toMatchObject({ name: "wide", status: "RUNNING", retentionHours: 24, writablePartitionCount: 250, readablePartitionCount: 250 });
    expect(stream.partitions.map((p) => p.partition)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(stream.partitions.map((p) => p.id)).toEqual(Array.from({ length: 250 }, (_, i) => formatPartitionId(i)));
    expect(stream.partitions[0]).toEqual({
      partition: 0,
      id: "shardId-0000000000",
      status: "ACTIVE",
      hashRange: { low: "0", high: expect.any(String) },
      sequenceRange: { first: "100", next: "105" },
    });
    expect(stream.partitions[249]?.hashRange?.high).toBe(MAX);
    // Hash ranges tile 0 … 2^63-1 without gaps.
    for (let i = 1; i < 250; i += 1) {
      expect(BigInt(stream.partitions[i]!.hashRange!.low)).toBe(BigInt(stream.partitions[i - 1]!.hashRange!.high) + 1n);
    }
    expect(emulator.requests().map((entry) => entry.query.start_partitionId)).toEqual([undefined, "shardId-0000000099", "shardId-0000000199"]);
  });

  it("names a missing stream", async () => {
    const error = await apiError(client().describeStream("ghost"));
    expect(error).toMatchObject({ code: "DIS.4301", status: 400 });
    expect(error.message).toMatch(new RegExp(`^DescribeStream failed: stream 'ghost' does not exist in project ${PROJECT} \\(DIS\\.4301, HTTP 400, request id [0-9a-f]{32}\\)$`));
  });
});

describe("records and cursors", () => {
  it("writes, then reads from every kind of cursor", async () => {
    const dis = client();
    const t0 = Date.now() - 60_000;
    const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
    const put = await dis.putRecords({
      stream: "clicks",
      records: [
        { partition: 1, data: "first", timestamp: t0 },
        { partition: "shardId-0000000001", data: binary, timestamp: t0 + 1000 },
        { partition: 1, partitionKey: "user-9", data: "third", timestamp: t0 + 2000 },
      ],
    });
    expect(put).toEqual({
      failedRecordCount: 0,
      records: [
        { ok: true, partition: 1, sequenceNumber: "0" },
        { ok: true, partition: 1, sequenceNumber: "1" },
        { ok: true, partition: 1, sequenceNumber: "2" },
      ],
    });

    const all = await dis.getRecords({ cursor: await dis.getCursor({ stream: "clicks", partition: 1, type: "TRIM_HORIZON" }) });
    expect(all.records).toEqual([
      { sequenceNumber: "0", data: Buffer.from("first"), timestamp: t0 },
      { sequenceNumber: "1", data: binary, timestamp: t0 + 1000 },
      { sequenceNumber: "2", data: Buffer.from("third"), timestamp: t0 + 2000, partitionKey: "user-9" },
    ]);

    const sequenceOf = async (cursor: Parameters<DisClient["getCursor"]>[0]) =>
      (await dis.getRecords({ cursor: await dis.getCursor(cursor) })).records.map((record) => record.sequenceNumber);
    expect(await sequenceOf({ stream: "clicks", partition: 1, type: "AT_SEQUENCE_NUMBER", sequenceNumber: "1" })).toEqual(["1", "2"]);
    expect(await sequenceOf({ stream: "clicks", partition: 1, type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "1" })).toEqual(["2"]);
    expect(await sequenceOf({ stream: "clicks", partition: 1, type: "AT_TIMESTAMP", timestamp: t0 + 500 })).toEqual(["1", "2"]);

    const latest = await dis.getRecords({ cursor: await dis.getCursor({ stream: "clicks", partition: 1, type: "LATEST" }) });
    expect(latest.records).toEqual([]);
    await dis.putRecords({ stream: "clicks", records: [{ partition: 1, data: "later" }] });
    expect((await dis.getRecords({ cursor: latest.nextCursor })).records.map((r) => [r.sequenceNumber, r.data.toString()])).toEqual([["3", "later"]]);
  });

  it("follows next cursors with a small max_fetch_bytes", async () => {
    const dis = client();
    await dis.putRecords({ stream: "clicks", records: ["aaaa", "bbbb", "cccc"].map((data) => ({ partition: 2, data })) });
    let cursor = await dis.getCursor({ stream: "clicks", partition: 2, type: "TRIM_HORIZON" });
    const seen: string[] = [];
    for (let page = 0; page < 10 && seen.length < 3; page += 1) {
      const result = await dis.getRecords({ cursor, maxFetchBytes: 4 });
      seen.push(...result.records.map((r) => r.data.toString()));
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(["aaaa", "bbbb", "cccc"]);
    const fetches = emulator.requests().filter((e) => e.operation === "GetRecords");
    expect(fetches.length).toBeGreaterThanOrEqual(3);
    expect(fetches.map((e) => e.query.max_fetch_bytes)).toEqual(fetches.map(() => "4"));
  });

  it("keeps sequence numbers near 2^63 exact", async () => {
    emulator.state.createStream({
      name: "huge",
      partitionCount: 1,
      records: { perPartition: [3], startTime: Date.now(), intervalMs: 1, firstSequenceNumber: 9223372036854775800n },
    });
    const dis = client();
    const stream = await dis.describeStream("huge");
    expect(stream.partitions[0]?.sequenceRange).toEqual({ first: "9223372036854775800", next: "9223372036854775803" });
    const read = await dis.getRecords({ cursor: await dis.getCursor({ stream: "huge", partition: 0, type: "AT_SEQUENCE_NUMBER", sequenceNumber: "9223372036854775801" }) });
    expect(read.records.map((r) => r.sequenceNumber)).toEqual(["9223372036854775801", "9223372036854775802"]);

    await dis.createApp("big");
    await dis.commitCheckpoint({ app: "big", stream: "huge", partition: 0, sequenceNumber: "9223372036854775802" });
    expect(await dis.showCheckpoint({ app: "big", stream: "huge", partition: 0 })).toEqual({ sequenceNumber: "9223372036854775802" });
    expect(await dis.consumerState({ app: "big", stream: "huge" })).toEqual([
      { partition: 0, sequenceNumber: "9223372036854775802", earliest: "9223372036854775800", latest: "9223372036854775803", status: "ACTIVE" },
    ]);
  });
});

describe("checkpoints", () => {
  beforeEach(() => {
    emulator.state.createApp("orders");
    emulator.state.putRecords(
      "clicks",
      Array.from({ length: 10 }, (_, i) => ({ partition: partitionRef(i % 2), data: Buffer.from(`r${i}`).toString("base64") })),
    );
  });

  it("commit, show, overwrite, and both partition id forms", async () => {
    const dis = client();
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: 0 })).toBeNull();
    await dis.commitCheckpoint({ app: "orders", stream: "clicks", partition: 0, sequenceNumber: "3", metadata: "replay after INC-4211" });
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: "shardId-0000000000" })).toEqual({
      sequenceNumber: "3",
      metadata: "replay after INC-4211",
    });
    await dis.commitCheckpoint({ app: "orders", stream: "clicks", partition: "shardId-0000000000", sequenceNumber: "1" });
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: "0" })).toEqual({ sequenceNumber: "1" });
    const commits = emulator.requests().filter((entry) => entry.operation === "CommitCheckpoint");
    expect(commits.map((entry) => entry.body)).toEqual([
      { app_name: "orders", checkpoint_type: "LAST_READ", stream_name: "clicks", partition_id: "shardId-0000000000", sequence_number: "3", metadata: "replay after INC-4211" },
      { app_name: "orders", checkpoint_type: "LAST_READ", stream_name: "clicks", partition_id: "shardId-0000000000", sequence_number: "1" },
    ]);
  });

  it("consumer state: every partition, null where nothing was committed", async () => {
    const dis = client();
    const error = await apiError(dis.consumerState({ app: "orders", stream: "clicks" }));
    expect(error.message).toMatch(/^ShowConsumerState failed: app 'orders' has not committed a checkpoint on stream 'clicks' \(DIS\.4375, HTTP 400/);

    await dis.commitCheckpoint({ app: "orders", stream: "clicks", partition: 1, sequenceNumber: "2", metadata: "m" });
    expect(await dis.consumerState({ app: "orders", stream: "clicks" })).toEqual([
      { partition: 0, sequenceNumber: null, earliest: "0", latest: "5", status: "ACTIVE" },
      { partition: 1, sequenceNumber: "2", earliest: "0", latest: "5", status: "ACTIVE", metadata: "m" },
      { partition: 2, sequenceNumber: null, earliest: "0", latest: "0", status: "ACTIVE" },
    ]);
  });

  it("consumer state pages through many partitions", async () => {
    emulator.state.createStream({ name: "wide", partitionCount: 230 });
    const dis = client();
    await dis.commitCheckpoint({ app: "orders", stream: "wide", partition: 229, sequenceNumber: "0" });
    const states = await dis.consumerState({ app: "orders", stream: "wide" });
    expect(states.map((s) => s.partition)).toEqual(Array.from({ length: 230 }, (_, i) => i));
    expect(states.filter((s) => s.sequenceNumber !== null)).toEqual([{ partition: 229, sequenceNumber: "0", earliest: "0", latest: "0", status: "ACTIVE" }]);
    expect(emulator.requests().filter((e) => e.operation === "ShowConsumerState")).toHaveLength(3);
  });

  it("deletes one partition's checkpoint, then every partition's", async () => {
    const dis = client();
    for (const partition of [0, 1]) await dis.commitCheckpoint({ app: "orders", stream: "clicks", partition, sequenceNumber: "4" });
    await dis.deleteCheckpoint({ app: "orders", stream: "clicks", partition: 0 });
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: 0 })).toBeNull();
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: 1 })).toEqual({ sequenceNumber: "4" });
    await dis.deleteCheckpoint({ app: "orders", stream: "clicks" });
    expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: 1 })).toBeNull();
    await dis.deleteCheckpoint({ app: "orders", stream: "clicks" });
  });

  it.each<[string, Parameters<DisClient["commitCheckpoint"]>[0], string, string]>([
    ["a missing app", { app: "ghost", stream: "clicks", partition: 0, sequenceNumber: "1" }, "DIS.4332", `app 'ghost' does not exist in project ${PROJECT}`],
    ["a missing stream", { app: "orders", stream: "ghost", partition: 0, sequenceNumber: "1" }, "DIS.4301", `stream 'ghost' does not exist in project ${PROJECT}`],
    ["a missing partition", { app: "orders", stream: "clicks", partition: 3, sequenceNumber: "1" }, "DIS.4302", "partition 3 does not exist in stream 'clicks'"],
    ["a sequence number past the end", { app: "orders", stream: "clicks", partition: 0, sequenceNumber: "6" }, "DIS.4224", "sequence number 6 is outside the range retained by partition 0 of stream 'clicks'"],
  ])("commit refuses %s with a message naming it", async (_name, input, code, description) => {
    const error = await apiError(client().commitCheckpoint(input));
    expect(error).toMatchObject({ code, status: 400, operation: "CommitCheckpoint", attempts: 1 });
    expect(error.message).toMatch(new RegExp(`^CommitCheckpoint failed: ${description.replace(/[.()]/g, "\\$&")} \\(${code.replace(".", "\\.")}, HTTP 400, request id [0-9a-f]{32}\\)$`));
  });

  it("reads DIS.4375 as 'no checkpoint' when the service answers that way", async () => {
    const strict = await startEmulator({ projectId: PROJECT, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, behaviour: { missingCheckpoint: "DIS.4375" } });
    try {
      strict.state.createStream({ name: "clicks", partitionCount: 1 });
      strict.state.createApp("orders");
      const dis = client({ endpoint: strict.url });
      expect(await dis.showCheckpoint({ app: "orders", stream: "clicks", partition: 0 })).toBeNull();
      expect(strict.requests().map((entry) => [entry.operation, entry.status, entry.errorCode])).toEqual([["ShowCheckpoint", 400, "DIS.4375"]]);
    } finally {
      await strict.close();
    }
  });
});

describe("authentication", () => {
  it.each<[string, Partial<DisClientOptions>]>([
    ["temporary AK/SK with a security token", { credentials: TEMPORARY }],
    ["an IAM token from the environment", { credentials: undefined, env: { HUAWEICLOUD_SDK_AUTH_TOKEN: IAM_TOKEN } }],
    ["AK/SK from the environment", { credentials: undefined, env: { HUAWEICLOUD_SDK_AK: ACCESS_KEY, HUAWEICLOUD_SDK_SK: SECRET_KEY } }],
  ])("the emulator accepts %s", async (_name, options) => {
    await client(options).createApp("orders");
    expect(emulator.state.showApp("orders").name).toBe("orders");
  });

  it.each<[string, Partial<DisClientOptions>, string]>([
    ["a wrong secret key", { credentials: { accessKey: ACCESS_KEY, secretKey: "wrong" } }, "signature rejected: check the clock and keys"],
    ["a clock 20 minutes off", { now: () => new Date(Date.now() - 20 * 60_000) }, "signature rejected: check the clock and keys"],
    [
      "a temporary key without its token",
      { credentials: { accessKey: TEMPORARY.accessKey, secretKey: TEMPORARY.secretKey } },
      "signature rejected: check the clock and keys",
    ],
    [
      "a wrong IAM token",
      { credentials: { authToken: "nope" } },
      "token rejected: check that the IAM token is valid, project-scoped and not expired",
    ],
  ])("%s is refused without retries or secrets in the message", async (_name, options, description) => {
    const error = await apiError(client(options).createApp("orders"));
    expect(error).toMatchObject({ status: 401, code: "APIGW.0301", attempts: 1 });
    expect(error.message).toMatch(new RegExp(`^CreateApp failed: ${description} \\(APIGW\\.0301, HTTP 401, request id [0-9a-f]{32}\\)$`));
    for (const secret of [SECRET_KEY, TEMPORARY.secretKey, TEMPORARY.securityToken, IAM_TOKEN, "Signature="]) {
      expect(`${error.message} ${error.apiMessage}`).not.toContain(secret);
    }
  });
});

describe("faults", () => {
  const commit = (dis: DisClient, sequenceNumber = "0") => dis.commitCheckpoint({ app: "orders", stream: "clicks", partition: 0, sequenceNumber });
  beforeEach(() => {
    emulator.state.createApp("orders");
  });

  it("a 429 with Retry-After is retried after the announced delay", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 429, code: "APIGW.0308", retryAfter: 1, count: 1 });
    const retries: RetryEvent[] = [];
    await commit(client({ onRetry: (event) => retries.push(event) }));
    expect(retries).toEqual([{ operation: "CommitCheckpoint", attempt: 1, delayMs: 1000, reason: "HTTP 429 APIGW.0308" }]);
    expect(operationsLogged()).toEqual(["CommitCheckpoint 429", "CommitCheckpoint 201"]);
  });

  it.each<[string, object]>([
    ["DIS.4303 flow control", { kind: "status", status: 400, code: "DIS.4303" }],
    ["a 503", { kind: "status", status: 503 }],
    ["a connection reset", { kind: "reset" }],
  ])("%s is retried until it clears", async (_name, fault) => {
    emulator.addFault({ operation: "CommitCheckpoint", count: 2, ...fault });
    await commit(client());
    expect(operationsLogged().at(-1)).toBe("CommitCheckpoint 201");
    expect(operationsLogged()).toHaveLength(3);
    expect(emulator.state.showCheckpoint({ app: "orders", stream: "clicks", partition: partitionRef(0) })?.sequenceNumber).toBe(0n);
  });

  it("a business error is not retried", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4200", message: "Invalid request. [injected]" });
    const error = await apiError(commit(client()));
    expect(error.message).toMatch(/^CommitCheckpoint failed: Invalid request\. \[injected\] \(DIS\.4200, HTTP 400, request id [0-9a-f]{32}\)$/);
    expect(operationsLogged()).toEqual(["CommitCheckpoint 400"]);
  });

  it("an unanswered commit whose state changed is retried to the same absolute value", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "no-response", when: "after", count: 1 });
    await commit(client({ requestTimeoutMs: 300 }), "0");
    expect(operationsLogged()).toEqual(["CommitCheckpoint 0", "CommitCheckpoint 201"]);
    expect(emulator.state.showCheckpoint({ app: "orders", stream: "clicks", partition: partitionRef(0) })?.sequenceNumber).toBe(0n);
  });

  it("keep-alive: sequential and concurrent calls share a bounded set of connections", async () => {
    const before = emulator.metrics().connectionsAccepted;
    const sequential = client();
    for (let i = 0; i < 40; i += 1) await commit(sequential);
    expect(emulator.metrics().connectionsAccepted - before).toBeLessThanOrEqual(2);

    const middle = emulator.metrics().connectionsAccepted;
    const concurrent = client({ connections: 8 });
    await Promise.all(Array.from({ length: 200 }, () => commit(concurrent)));
    expect(emulator.metrics().connectionsAccepted - middle).toBeLessThanOrEqual(8);
    expect(emulator.metrics().operations.CommitCheckpoint?.statuses["201"]).toBe(240);
  });
});
