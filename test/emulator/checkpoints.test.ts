import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator";
import { call, disError, startTestEmulator } from "./support/harness";

const LAST_READ = "LAST_READ";

describe("checkpoints", () => {
  let emulator: EmulatorHandle;

  beforeEach(async () => {
    emulator = await startTestEmulator({
      seed: {
        streams: [{ name: "orders", partitions: 3, records: { perPartition: [100, 5, 0] } }],
        apps: ["billing", "audit"],
      },
    });
  });
  afterEach(() => emulator.close());

  const commit = (fields: Record<string, unknown>) =>
    call(emulator, "POST", "checkpoints", {
      body: { app_name: "billing", checkpoint_type: LAST_READ, stream_name: "orders", partition_id: "0", ...fields },
    });
  const show = (query: Record<string, string>) =>
    call(emulator, "GET", "checkpoints", {
      query: { stream_name: "orders", partition_id: "0", app_name: "billing", checkpoint_type: LAST_READ, ...query },
    });

  it("commits with 201 and an empty body, and shows the value back", async () => {
    const committed = await commit({ sequence_number: "42", metadata: "replay after INC-4211" });
    expect(committed.status).toBe(201);
    expect(committed.text).toBe("");
    expect(committed.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    const shown = await show({});
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual({ sequence_number: "42", metadata: "replay after INC-4211" });
  });

  it("treats both partition id forms as the same partition, on commit and on show", async () => {
    expect((await commit({ partition_id: "shardId-0000000001", sequence_number: "3" })).status).toBe(201);
    expect((await show({ partition_id: "1" })).json).toEqual({ sequence_number: "3", metadata: "" });
    expect((await commit({ partition_id: "1", sequence_number: "4" })).status).toBe(201);
    expect((await show({ partition_id: "shardId-0000000001" })).json).toEqual({ sequence_number: "4", metadata: "" });
  });

  it("overwrites on a repeated commit (the value is absolute)", async () => {
    await commit({ sequence_number: "80", metadata: "first" });
    await commit({ sequence_number: "10" });
    expect((await show({})).json).toEqual({ sequence_number: "10", metadata: "" });
  });

  it("shows -1 when nothing was committed", async () => {
    expect((await show({})).json).toEqual({ sequence_number: "-1", metadata: "" });
  });

  it.each([
    ["the earliest retained position", "0", 201],
    ["the last record", "99", 201],
    ["the next position (what the Kafka adapter commits)", "100", 201],
    ["one past the next position", "101", 400],
  ])("range check: %s", async (_, sequenceNumber, status) => {
    const response = await commit({ sequence_number: sequenceNumber });
    expect(response.status).toBe(status);
    if (status === 400) {
      expect(response.json).toEqual(
        disError("DIS.4224", "Sequence_number out of range. [orders][0][101 is outside [0 : 100]]"),
      );
    }
  });

  it("accepts 0 on an empty partition ([0 : 0]) and refuses 1", async () => {
    expect((await commit({ partition_id: "2", sequence_number: "0" })).status).toBe(201);
    expect((await commit({ partition_id: "2", sequence_number: "1" })).json.errorCode).toBe("DIS.4224");
  });

  it.each([
    [{ stream_name: "nope", sequence_number: "1" }, "DIS.4301", "The stream does not exist. [nope]"],
    [{ app_name: "ghost", sequence_number: "1" }, "DIS.4332", "app not found. [ghost]"],
    [{ partition_id: "shardId-0000000003", sequence_number: "1" }, "DIS.4302", "Partition does not exist. [orders][shardId-0000000003]"],
    [{ partition_id: "7", sequence_number: "1" }, "DIS.4302", "Partition does not exist. [orders][7]"],
    [{ partition_id: "shard-1", sequence_number: "1" }, "DIS.4201", "Invalid partition_id. [shard-1]"],
    [{ partition_id: "shardId-1", sequence_number: "1" }, "DIS.4201", "Invalid partition_id. [shardId-1]"],
    [{ sequence_number: "-1" }, "DIS.4216", "Invalid sequence_number. [sequence_number: -1]"],
    [{ sequence_number: "9223372036854775808" }, "DIS.4216", "Invalid sequence_number. [sequence_number: 9223372036854775808]"],
    [{ sequence_number: 42 }, "DIS.4200", "Invalid request. [sequence_number must be a string, got a number]"],
    [{ sequence_number: undefined }, "DIS.4200", "Invalid request. [sequence_number is required]"],
    [{ checkpoint_type: "LAST_COMMITTED", sequence_number: "1" }, "DIS.4200", 'Invalid request. [checkpoint_type must be LAST_READ, got "LAST_COMMITTED"]'],
    [{ metadata: "x".repeat(1001), sequence_number: "1" }, "DIS.4200", "Invalid request. [metadata is 1001 characters, at most 1000 allowed]"],
  ])("commit %j fails with %s", async (fields, code, message) => {
    const response = await commit(fields);
    expect(response.status).toBe(400);
    expect(response.json).toEqual(disError(code, message));
  });

  it("accepts metadata of exactly 1000 characters", async () => {
    expect((await commit({ metadata: "m".repeat(1000), sequence_number: "1" })).status).toBe(201);
  });

  it("answers an empty body with DIS.4202 and a non-JSON body with DIS.4200", async () => {
    const empty = await call(emulator, "POST", "checkpoints", { body: "" });
    expect(empty.json).toEqual(disError("DIS.4202", "Empty request."));
    const garbage = await call(emulator, "POST", "checkpoints", { body: "{nope" });
    expect(garbage.json.errorCode).toBe("DIS.4200");
    expect(garbage.json.message).toMatch(/^Invalid request\. \[the body is not valid JSON: /);
    const array = await call(emulator, "POST", "checkpoints", { body: "[]" });
    expect(array.json).toEqual(disError("DIS.4200", "Invalid request. [the body must be a JSON object]"));
  });

  it("ignores unknown body fields (the legacy SDK sends client_id and generation_id)", async () => {
    const response = await commit({ sequence_number: "5", client_id: "c-1", generation_id: 3 });
    expect(response.status).toBe(201);
  });

  it.each([
    [{ stream_name: "" }, "DIS.4200", "Invalid request. [stream_name is required]"],
    [{ checkpoint_type: "OTHER" }, "DIS.4200", 'Invalid request. [checkpoint_type must be LAST_READ, got "OTHER"]'],
    [{ partition_id: "x" }, "DIS.4201", "Invalid partition_id. [x]"],
    [{ app_name: "ghost" }, "DIS.4332", "app not found. [ghost]"],
  ])("show %j fails with %s", async (query, code, message) => {
    const response = await show(query);
    expect(response.status).toBe(400);
    expect(response.json).toEqual(disError(code, message));
  });

  describe("delete", () => {
    const remove = (query: Record<string, string>) =>
      call(emulator, "DELETE", "checkpoints", { query: { stream_name: "orders", app_name: "billing", checkpoint_type: LAST_READ, ...query } });

    beforeEach(async () => {
      for (const partition of ["0", "1", "2"]) await commit({ partition_id: partition, sequence_number: "0" });
    });

    it("deletes one partition's checkpoint (either id form) with 204", async () => {
      const response = await remove({ partition_id: "shardId-0000000001" });
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
      expect((await show({ partition_id: "1" })).json.sequence_number).toBe("-1");
      expect((await show({ partition_id: "0" })).json.sequence_number).toBe("0");
    });

    it("deletes every partition's checkpoint without partition_id, and the app no longer lists the stream", async () => {
      expect((await remove({})).status).toBe(204);
      for (const partition of ["0", "1", "2"]) expect((await show({ partition_id: partition })).json.sequence_number).toBe("-1");
      expect((await call(emulator, "GET", "apps/billing")).json.commit_checkpoint_stream_names).toEqual([]);
    });

    it("is idempotent: deleting what is not there is 204", async () => {
      expect((await remove({})).status).toBe(204);
      expect((await remove({})).status).toBe(204);
      expect((await remove({ app_name: "audit", partition_id: "0" })).status).toBe(204);
    });

    it.each([
      [{ checkpoint_type: "" }, "DIS.4200", "Invalid request. [checkpoint_type is required]"],
      [{ stream_name: "nope" }, "DIS.4301", "The stream does not exist. [nope]"],
      [{ app_name: "ghost" }, "DIS.4332", "app not found. [ghost]"],
      [{ partition_id: "9" }, "DIS.4302", "Partition does not exist. [orders][9]"],
      [{ partition_id: "bad" }, "DIS.4201", "Invalid partition_id. [bad]"],
    ])("delete %j fails with %s", async (query, code, message) => {
      const response = await remove(query);
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError(code, message));
    });
  });

  it("commits in-process as a consumer would, without HTTP or signing", async () => {
    emulator.state.commitCheckpoint({ app: "audit", stream: "orders", partition: { ordinal: 0, id: "0" } }, 77n, "consumer");
    const shown = await show({ app_name: "audit" });
    expect(shown.json).toEqual({ sequence_number: "77", metadata: "consumer" });
  });
});
