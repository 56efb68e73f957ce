import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, EmulatorOptions } from "../../src/emulator";
import { call, disError, startTestEmulator, T0 } from "./support/harness";

const partition = (ordinal: number) => ({ ordinal, id: String(ordinal) });

describe("apps", () => {
  let emulator: EmulatorHandle;
  const start = async (options: EmulatorOptions = {}) => {
    emulator = await startTestEmulator(options);
  };
  afterEach(() => emulator.close());

  describe("CreateApp, ShowApp, DeleteApp", () => {
    beforeEach(() => start());

    it("creates with 201 and shows the app", async () => {
      const created = await call(emulator, "POST", "apps", { body: { app_name: "billing" } });
      expect([created.status, created.text]).toEqual([201, ""]);
      expect((await call(emulator, "GET", "apps/billing")).json).toEqual({
        app_name: "billing",
        app_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        create_time: T0,
        commit_checkpoint_stream_names: [],
      });
    });

    it.each([
      [{}, "DIS.4200", "Invalid request. [app_name is required]"],
      [{ app_name: 7 }, "DIS.4200", "Invalid request. [app_name must be a string, got a number]"],
      [{ app_name: "a.b" }, "DIS.4200", `Invalid request. [app_name must be 1 to 200 characters of letters, digits, '_' and '-', got "a.b"]`],
      [{ app_name: "a".repeat(201) }, "DIS.4200", `Invalid request. [app_name must be 1 to 200 characters of letters, digits, '_' and '-', got "${"a".repeat(201)}"]`],
    ])("refuses %j", async (body, code, message) => {
      expect((await call(emulator, "POST", "apps", { body })).json).toEqual(disError(code, message));
    });

    it("refuses a duplicate with DIS.4330 and accepts a 200-character name", async () => {
      expect((await call(emulator, "POST", "apps", { body: { app_name: "a".repeat(200) } })).status).toBe(201);
      expect((await call(emulator, "POST", "apps", { body: { app_name: "a".repeat(200) } })).json).toEqual(
        disError("DIS.4330", `app already exist. [${"a".repeat(200)}]`),
      );
    });

    it("lists the streams an app holds checkpoints on", async () => {
      emulator.state.createStream({ name: "zeta", partitionCount: 1 });
      emulator.state.createStream({ name: "alpha", partitionCount: 1 });
      emulator.state.createApp("billing");
      emulator.state.commitCheckpoint({ app: "billing", stream: "zeta", partition: partition(0) }, 0n);
      emulator.state.commitCheckpoint({ app: "billing", stream: "alpha", partition: partition(0) }, 0n);
      expect((await call(emulator, "GET", "apps/billing")).json.commit_checkpoint_stream_names).toEqual(["alpha", "zeta"]);
    });

    it("deletes with 204, with its checkpoints; a recreated app starts clean", async () => {
      emulator.state.createStream({ name: "s", partitionCount: 1 });
      emulator.state.createApp("billing");
      emulator.state.commitCheckpoint({ app: "billing", stream: "s", partition: partition(0) }, 0n);
      const deleted = await call(emulator, "DELETE", "apps/billing");
      expect([deleted.status, deleted.text]).toEqual([204, ""]);
      expect((await call(emulator, "GET", "apps/billing")).json).toEqual(disError("DIS.4332", "app not found. [billing]"));
      emulator.state.createApp("billing");
      expect(emulator.state.showCheckpoint({ app: "billing", stream: "s", partition: partition(0) })).toBeUndefined();
    });

    it("answers unknown apps with DIS.4332", async () => {
      expect((await call(emulator, "DELETE", "apps/ghost")).json).toEqual(disError("DIS.4332", "app not found. [ghost]"));
    });

    it("enforces the app quota with DIS.4329", async () => {
      await emulator.close();
      await start({ limits: { maxApps: 1 } });
      await call(emulator, "POST", "apps", { body: { app_name: "one" } });
      expect((await call(emulator, "POST", "apps", { body: { app_name: "two" } })).json).toEqual(
        disError("DIS.4329", "app quota exceeded. [quota 1]"),
      );
    });
  });

  describe("ListApps", () => {
    beforeEach(async () => {
      await start();
      for (const name of ["carol", "alice", "dave", "bob", "erin"]) emulator.state.createApp(name);
      emulator.state.createStream({ name: "orders", partitionCount: 1 });
      emulator.state.commitCheckpoint({ app: "bob", stream: "orders", partition: partition(0) }, 0n);
      emulator.state.commitCheckpoint({ app: "erin", stream: "orders", partition: partition(0) }, 0n);
    });
    const names = (response: { json: { apps: { app_name: string }[] } }) => response.json.apps.map((app) => app.app_name);

    it.each([
      [{ limit: "2" }, ["alice", "bob"], true, 5],
      [{ limit: "2", start_app_name: "bob" }, ["carol", "dave"], true, 5],
      [{ limit: "2", start_app_name: "dave" }, ["erin"], false, 5],
      [{}, ["alice", "bob", "carol", "dave", "erin"], false, 5],
      [{ stream_name: "orders" }, ["bob", "erin"], false, 2],
      [{ stream_name: "orders", limit: "1", start_app_name: "bob" }, ["erin"], false, 2],
    ])("%j", async (query, expected, hasMore, total) => {
      const response = await call(emulator, "GET", "apps", { query });
      expect(names(response)).toEqual(expected);
      expect(response.json.has_more_app).toBe(hasMore);
      expect(response.json.total_number).toBe(total);
    });

    it.each([
      [{ limit: "101" }, "DIS.4200", 'Invalid request. [limit must be an integer from 1 to 100, got "101"]'],
      [{ stream_name: "nope" }, "DIS.4301", "The stream does not exist. [nope]"],
    ])("refuses %j", async (query, code, message) => {
      expect((await call(emulator, "GET", "apps", { query })).json).toEqual(disError(code, message));
    });
  });

  describe("ShowConsumerState", () => {
    const state = (query: Record<string, string> = {}, app = "billing", stream = "orders") =>
      call(emulator, "GET", `apps/${app}/streams/${stream}`, { query: { checkpoint_type: "LAST_READ", ...query } });

    beforeEach(async () => {
      await start({
        seed: {
          streams: [{ name: "orders", partitions: 3, records: { perPartition: [10, 20, 0], firstSequenceNumber: "100" } }],
          apps: ["billing", "idle"],
          checkpoints: [
            { app: "billing", stream: "orders", partition: 0, sequenceNumber: "105", metadata: "m" },
            { app: "billing", stream: "orders", partition: "shardId-0000000001", sequenceNumber: "120" },
          ],
        },
      });
    });

    it("lists every partition with its checkpoint (-1 when none) and retained offsets", async () => {
      const response = await state();
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        has_more: false,
        stream_name: "orders",
        app_name: "billing",
        partition_consuming_states: [
          { partition_id: "shardId-0000000000", sequence_number: "105", latest_offset: 110, earliest_offset: 100, checkpoint_type: "LAST_READ", status: "ACTIVE", metadata: "m" },
          { partition_id: "shardId-0000000001", sequence_number: "120", latest_offset: 120, earliest_offset: 100, checkpoint_type: "LAST_READ", status: "ACTIVE", metadata: "" },
          { partition_id: "shardId-0000000002", sequence_number: "-1", latest_offset: 100, earliest_offset: 100, checkpoint_type: "LAST_READ", status: "ACTIVE" },
        ],
      });
    });

    it.each([
      [{ limit: "1" }, ["shardId-0000000000"], true],
      [{ limit: "1", start_partition_id: "0" }, ["shardId-0000000001"], true],
      [{ start_partition_id: "shardId-0000000001" }, ["shardId-0000000002"], false],
    ])("pages with %j", async (query, expected, hasMore) => {
      const response = await state(query);
      expect(response.json.partition_consuming_states.map((row: { partition_id: string }) => row.partition_id)).toEqual(expected);
      expect(response.json.has_more).toBe(hasMore);
    });

    it("writes offsets beyond 2^53 as exact JSON integers", async () => {
      emulator.state.createStream({
        name: "huge",
        partitionCount: 1,
        records: { perPartition: [3], startTime: T0 - 3000, intervalMs: 1000, firstSequenceNumber: 9223372036854775800n },
      });
      emulator.state.commitCheckpoint({ app: "billing", stream: "huge", partition: partition(0) }, 9223372036854775803n);
      const response = await state({}, "billing", "huge");
      expect(response.text).toContain('"sequence_number":"9223372036854775803","latest_offset":9223372036854775803,"earliest_offset":9223372036854775800');
    });

    it.each([
      [{ checkpoint_type: "" }, "billing", "orders", "DIS.4200", "Invalid request. [checkpoint_type is required]"],
      [{ limit: "1001" }, "billing", "orders", "DIS.4200", 'Invalid request. [limit must be an integer from 1 to 1000, got "1001"]'],
      [{ start_partition_id: "p" }, "billing", "orders", "DIS.4201", "Invalid partition_id. [p]"],
      [{}, "ghost", "orders", "DIS.4332", "app not found. [ghost]"],
      [{}, "billing", "nope", "DIS.4301", "The stream does not exist. [nope]"],
      [{}, "idle", "orders", "DIS.4375", "The app does not commit checkpoint [idle][orders]"],
    ])("%j for %s on %s fails with %s", async (query, app, stream, code, message) => {
      const response = await state(query, app, stream);
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError(code, message));
    });

    it("can list -1 rows for an app that never committed, instead of DIS.4375", async () => {
      await emulator.close();
      await start({
        behaviour: { consumerStateWithoutCommit: "minus-one" },
        seed: { streams: [{ name: "orders", partitions: 1 }], apps: ["idle"] },
      });
      const response = await state({}, "idle", "orders");
      expect(response.json.partition_consuming_states).toEqual([
        { partition_id: "shardId-0000000000", sequence_number: "-1", latest_offset: 0, earliest_offset: 0, checkpoint_type: "LAST_READ", status: "ACTIVE" },
      ]);
    });
  });
});
