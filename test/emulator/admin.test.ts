import { Readable } from "node:stream";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator";
import { isLoopback } from "../../src/emulator/admin";
import { call, disError, startTestEmulator, T0 } from "./support/harness";

describe("admin surface", () => {
  let emulator: EmulatorHandle;
  beforeEach(async () => {
    emulator = await startTestEmulator({ seed: { streams: [{ name: "s", partitions: 2 }], apps: ["app"] } });
  });
  afterEach(() => emulator.close());

  const admin = (method: string, path: string, body?: unknown) =>
    call(emulator, method, `/_emulator${path}`, { auth: "none", ...(body === undefined ? {} : { body }) });
  const commitBody = { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "s", partition_id: "1", sequence_number: "0", metadata: "m" };

  it("logs each DIS request with its operation, outcome and parsed write body, never headers", async () => {
    await call(emulator, "POST", "checkpoints", { body: commitBody });
    await call(emulator, "GET", "checkpoints", { query: { stream_name: "s", partition_id: "9", app_name: "app", checkpoint_type: "LAST_READ" } });
    await call(emulator, "GET", "nowhere");
    const { requests } = (await admin("GET", "/requests")).json;
    expect(requests).toEqual([
      {
        seq: 1,
        time: new Date(T0).toISOString(),
        requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
        method: "POST",
        path: `/v2/${emulator.projectId}/checkpoints`,
        query: {},
        operation: "CommitCheckpoint",
        status: 201,
        body: commitBody,
        bodyBytes: JSON.stringify(commitBody).length,
      },
      {
        seq: 2,
        time: new Date(T0).toISOString(),
        requestId: expect.any(String),
        method: "GET",
        path: `/v2/${emulator.projectId}/checkpoints`,
        query: { stream_name: "s", partition_id: "9", app_name: "app", checkpoint_type: "LAST_READ" },
        operation: "ShowCheckpoint",
        status: 400,
        errorCode: "DIS.4302",
      },
      {
        seq: 3,
        time: new Date(T0).toISOString(),
        requestId: expect.any(String),
        method: "GET",
        path: `/v2/${emulator.projectId}/nowhere`,
        query: {},
        status: 404,
        errorCode: "APIGW.0101",
      },
    ]);
    expect((await admin("GET", "/requests?operation=ShowCheckpoint")).json.requests.map((entry: { seq: number }) => entry.seq)).toEqual([2]);
    expect((await admin("GET", "/requests?after=2")).json.requests.map((entry: { seq: number }) => entry.seq)).toEqual([3]);
    expect((await admin("GET", "/requests?operation=Nope")).json.error).toMatch(/^unknown operation Nope; expected one of CreateStream, /);
  });

  it("keeps only the most recent requests when the log is full", async () => {
    await emulator.close();
    emulator = await startTestEmulator({ limits: { requestLogSize: 3 } });
    for (let index = 0; index < 7; index++) await call(emulator, "GET", "apps");
    expect(emulator.requests().map((entry) => entry.seq)).toEqual([5, 6, 7]);
  });

  it("counts requests per operation and status, and connections", async () => {
    await call(emulator, "POST", "checkpoints", { body: commitBody });
    await call(emulator, "POST", "checkpoints", { body: commitBody });
    await call(emulator, "POST", "checkpoints", { body: { ...commitBody, sequence_number: "5" } });
    await call(emulator, "GET", "apps", { auth: "none" });
    const metrics = (await admin("GET", "/metrics")).json;
    expect(metrics).toEqual({
      connectionsAccepted: expect.any(Number),
      requests: 4,
      operations: {
        CommitCheckpoint: { count: 3, statuses: { "201": 2, "400": 1 } },
        ListApps: { count: 1, statuses: { "401": 1 } },
      },
      checkpoints: 1,
    });
    expect(metrics.connectionsAccepted).toBeGreaterThanOrEqual(1);
  });

  it("moves the clock by offset or to an instant, and reports it", async () => {
    expect((await admin("GET", "/clock")).json).toEqual({ now: T0, iso: new Date(T0).toISOString(), offsetMs: 0 });
    expect((await admin("POST", "/clock", { offsetMs: 60_000 })).json).toEqual({ now: T0 + 60_000, iso: new Date(T0 + 60_000).toISOString(), offsetMs: 60_000 });
    expect((await admin("POST", "/clock", { time: "2026-01-15T09:00:00Z" })).json.offsetMs).toBe(3_600_000);
    expect((await admin("POST", "/clock", { time: T0 })).json.now).toBe(T0);
    const created = await call(emulator, "POST", "apps", { body: { app_name: "later" } });
    expect(created.status).toBe(201);
  });

  it.each([
    [{}, "invalid clock request: clock: give exactly one of offsetMs (ms from real time) or time (epoch ms or ISO-8601)"],
    [{ offsetMs: 1, time: 2 }, "invalid clock request: clock: give exactly one of offsetMs (ms from real time) or time (epoch ms or ISO-8601)"],
    [{ offsetMs: 1.5 }, "invalid clock request: offsetMs: Invalid input: expected int, received number"],
  ])("refuses the clock setting %j", async (body, error) => {
    const response = await admin("POST", "/clock", body);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error });
  });

  it("reset clears the log, metrics, faults and clock; with state it restores the seed", async () => {
    await call(emulator, "POST", "checkpoints", { body: commitBody });
    await call(emulator, "POST", "apps", { body: { app_name: "extra" } });
    emulator.addFault({ kind: "latency", latencyMs: 1 });
    emulator.setClock({ offsetMs: 5 });
    expect((await admin("POST", "/reset")).status).toBe(204);
    expect([emulator.requests(), emulator.faults(), emulator.metrics().requests, emulator.clock().offsetMs]).toEqual([[], [], 0, 0]);
    expect(emulator.state.listApps(undefined, 10).items.map((app) => app.name)).toEqual(["app", "extra"]);
    expect((await admin("POST", "/reset", { state: true })).status).toBe(204);
    expect(emulator.state.listApps(undefined, 10).items.map((app) => app.name)).toEqual(["app"]);
    expect(emulator.state.checkpointCount()).toBe(0);
    expect((await admin("POST", "/reset", { state: "yes" })).json.error).toMatch(/^invalid reset request: state: /);
  });

  it("keeps request seq increasing across resets, so polling with after= stays valid", async () => {
    await call(emulator, "GET", "apps");
    emulator.reset();
    await call(emulator, "GET", "apps");
    expect(emulator.requests().map((entry) => entry.seq)).toEqual([2]);
  });

  it("exports the state", async () => {
    emulator.state.commitCheckpoint({ app: "app", stream: "s", partition: { ordinal: 1, id: "1" } }, 0n, "m");
    const state = (await admin("GET", "/state")).json;
    expect(state.apps).toEqual([{ name: "app", id: expect.any(String), createTime: T0, checkpoints: [["s", 1, "0", "m"]] }]);
    expect(state.streams[0]).toMatchObject({ name: "s", retentionHours: 24, partitions: [expect.any(Object), expect.any(Object)] });
  });

  it("answers unknown admin routes with 404 and a pointer to the docs", async () => {
    const response = await admin("GET", "/nothing");
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: "no admin route GET /nothing; see docs/emulator.md" });
  });

  it("does not log or count admin requests", async () => {
    await admin("GET", "/metrics");
    expect(emulator.requests()).toEqual([]);
  });

  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["10.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["fe80::1", false],
    [undefined, false],
  ])("treats %s as loopback: %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

describe("behaviour switches", () => {
  let emulator: EmulatorHandle;
  afterEach(() => emulator.close());
  const seed = { streams: [{ name: "s", partitions: 1 }], apps: ["app"] };
  const show = () =>
    call(emulator, "GET", "checkpoints", { query: { stream_name: "s", partition_id: "0", app_name: "app", checkpoint_type: "LAST_READ" } });

  it("DIS errors carry the documented errorCode/message pair and, by default, the error_code/error_msg the official SDK parsers read", async () => {
    emulator = await startTestEmulator({ seed });
    expect((await call(emulator, "GET", "streams/nope")).json).toEqual({
      errorCode: "DIS.4301",
      message: "The stream does not exist. [nope]",
      error_code: "DIS.4301",
      error_msg: "The stream does not exist. [nope]",
    });
  });

  it("disErrorKeys 'documented' sends the documented pair alone", async () => {
    emulator = await startTestEmulator({ seed, behaviour: { disErrorKeys: "documented" } });
    expect((await call(emulator, "GET", "streams/nope")).json).toEqual({ errorCode: "DIS.4301", message: "The stream does not exist. [nope]" });
  });

  it("missingCheckpoint 'DIS.4375' answers ShowCheckpoint without a checkpoint with an error", async () => {
    emulator = await startTestEmulator({ seed, behaviour: { missingCheckpoint: "DIS.4375" } });
    expect((await show()).json).toEqual(disError("DIS.4375", "The app does not commit checkpoint [app][s]"));
  });

  it("commitRangeCheck false accepts any valid sequence number", async () => {
    emulator = await startTestEmulator({ seed, behaviour: { commitRangeCheck: false } });
    const response = await call(emulator, "POST", "checkpoints", {
      body: { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "s", partition_id: "0", sequence_number: "9223372036854775807" },
    });
    expect(response.status).toBe(201);
    expect((await show()).json.sequence_number).toBe("9223372036854775807");
  });

  it("refuses bodies over the signed-body limit with 413 before reading them", async () => {
    emulator = await startTestEmulator({ seed, limits: { maxBodyBytes: 100 } });
    const response = await call(emulator, "POST", "apps", { body: { app_name: "x".repeat(200) } });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ error_code: "APIGW.0201", error_msg: "Request entity too large. [at most 100 bytes]", request_id: response.headers["x-request-id"] });
  });

  it("stops reading a chunked body once it passes the limit", async () => {
    emulator = await startTestEmulator({ seed, limits: { maxBodyBytes: 100 } });
    const chunks = Readable.from(
      (function* () {
        for (let index = 0; index < 50; index++) yield Buffer.alloc(10, 120);
      })(),
    );
    const response = await request(`${emulator.url}/v2/${emulator.projectId}/apps`, { method: "POST", body: chunks }).catch(
      (error: Error) => error,
    );
    if (!(response instanceof Error)) {
      expect(response.statusCode).toBe(413);
      expect(response.headers.connection).toBe("close");
      await response.body.dump();
    }
    expect(emulator.requests()).toEqual([]);
    expect((await call(emulator, "GET", "apps")).status).toBe(200);
  });
});
