import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator";
import { call, disError, manualTime, startTestEmulator, T0 } from "./support/harness";

const HOUR = 3_600_000;
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("records and cursors", () => {
  let emulator: EmulatorHandle;
  let time: ReturnType<typeof manualTime>;

  beforeEach(async () => {
    time = manualTime();
    emulator = await startTestEmulator({ timeSource: time.source });
    emulator.state.createStream({ name: "events", partitionCount: 2 });
  });
  afterEach(() => emulator.close());

  const put = (records: Record<string, unknown>[], stream = "events") =>
    call(emulator, "POST", "records", { body: { stream_name: stream, records } });
  const cursor = async (query: Record<string, string>) => {
    const response = await call(emulator, "GET", "cursors", { query: { "stream-name": "events", "partition-id": "0", ...query } });
    return response;
  };
  const read = (partitionCursor: string, query: Record<string, string> = {}) =>
    call(emulator, "GET", "records", { query: { "partition-cursor": partitionCursor, ...query } });
  const sequenceNumbers = (response: { json: { records: { sequence_number: string }[] } }) =>
    response.json.records.map((record) => record.sequence_number);

  describe("PutRecords", () => {
    it("appends, advances sequence numbers per partition and answers with shardId ids", async () => {
      const response = await put([
        { data: b64("a"), partition_id: "0" },
        { data: b64("b"), partition_id: "shardId-0000000001" },
        { data: b64("c"), partition_id: "0" },
      ]);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        failed_record_count: 0,
        records: [
          { partition_id: "shardId-0000000000", sequence_number: "0" },
          { partition_id: "shardId-0000000001", sequence_number: "0" },
          { partition_id: "shardId-0000000000", sequence_number: "1" },
        ],
      });
      const described = (await call(emulator, "GET", "streams/events")).json;
      expect(described.partitions.map((p: { sequence_number_range: string }) => p.sequence_number_range)).toEqual(["[0 : 2]", "[0 : 1]"]);
    });

    it("routes by explicit_hash_key, then partition_key (stable), then round-robin", async () => {
      const response = await put([
        { data: b64("x"), explicit_hash_key: "9223372036854775807" },
        { data: b64("x"), explicit_hash_key: "0" },
        { data: b64("x"), partition_key: "customer-1" },
        { data: b64("x"), partition_key: "customer-1" },
        { data: b64("x") },
        { data: b64("x") },
      ]);
      const partitions = response.json.records.map((record: { partition_id: string }) => record.partition_id);
      expect(partitions.slice(0, 2)).toEqual(["shardId-0000000001", "shardId-0000000000"]);
      expect(partitions[2]).toBe(partitions[3]);
      expect(partitions.slice(4)).toEqual(["shardId-0000000000", "shardId-0000000001"]);
    });

    it("refuses records that would pass sequence number 2^63-1, writing none", async () => {
      emulator.state.createStream({
        name: "nearly-full",
        partitionCount: 1,
        records: { perPartition: [1], startTime: T0, intervalMs: 0, firstSequenceNumber: 9223372036854775805n },
      });
      const body = (count: number) => Array.from({ length: count }, () => ({ data: b64("x") }));
      expect((await put(body(3), "nearly-full")).json).toEqual(
        disError("DIS.4200", "Invalid request. [partition shardId-0000000000 of nearly-full is full: sequence numbers end at 2^63-1]"),
      );
      expect((await put(body(2), "nearly-full")).json.records.map((record: { sequence_number: string }) => record.sequence_number)).toEqual([
        "9223372036854775806",
        "9223372036854775807",
      ]);
      expect((await call(emulator, "GET", "streams/nearly-full")).json.partitions[0].sequence_number_range).toBe(
        "[9223372036854775805 : 9223372036854775808]",
      );
    });

    it("writes nothing when one record is invalid", async () => {
      const response = await put([{ data: b64("ok"), partition_id: "0" }, { data: b64("ko"), partition_id: "5" }]);
      expect(response.json).toEqual(disError("DIS.4302", "Partition does not exist. [events][5]"));
      expect(emulator.state.partitionRange("events", { ordinal: 0, id: "0" }).next).toBe(0n);
    });

    it.each([
      [{ stream_name: "events", records: [] }, "DIS.4200", "Invalid request. [records must be a non-empty array]"],
      [{ stream_name: "events", records: [{}] }, "DIS.4200", "Invalid request. [records[0].data is required]"],
      [{ stream_name: "events", records: [{ data: "not base64!" }] }, "DIS.4200", "Invalid request. [records[0].data must be base64 (standard alphabet, padded)]"],
      [{ stream_name: "events", records: [{ data: "YQ", partition_id: "0" }] }, "DIS.4200", "Invalid request. [records[0].data must be base64 (standard alphabet, padded)]"],
      [{ stream_name: "events", records: [{ data: "YQ==", partition_id: "p0" }] }, "DIS.4201", "Invalid partition_id. [p0]"],
      [{ stream_name: "events", records: [{ data: "YQ==", timestamp: -5 }] }, "DIS.4200", "Invalid request. [records[0].timestamp must be epoch milliseconds, got -5]"],
      [{ stream_name: "events", records: [{ data: "YQ==", timestamp: "now" }] }, "DIS.4200", 'Invalid request. [records[0].timestamp must be an integer, got "now"]'],
      [{ stream_name: "events", records: [{ data: "YQ==", explicit_hash_key: "-1" }] }, "DIS.4200", "Invalid request. [records[0].explicit_hash_key must be a decimal from 0 to 2^63-1]"],
      [{ stream_name: "events", records: [{ data: "YQ==", partition_key: "k".repeat(257) }] }, "DIS.4200", "Invalid request. [records[0].partition_key is longer than 256 characters]"],
      [{ stream_name: "nope", records: [{ data: "YQ==" }] }, "DIS.4301", "The stream does not exist. [nope]"],
    ])("refuses %j", async (body, code, message) => {
      const response = await call(emulator, "POST", "records", { body });
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError(code, message));
    });
  });

  describe("GetCursor and GetRecords", () => {
    beforeEach(async () => {
      // Records 0..4 on partition 0, written a minute apart from T0.
      for (let index = 0; index < 5; index++) {
        await put([{ data: b64(`r${index}`), partition_id: "0", partition_key: index === 2 ? "key-2" : undefined }]);
        time.advance(60_000);
      }
    });

    it.each([
      ["AT_SEQUENCE_NUMBER", { "starting-sequence-number": "2" }, ["2", "3", "4"]],
      ["AT_SEQUENCE_NUMBER (the default type)", { "cursor-type": "", "starting-sequence-number": "3" }, ["3", "4"]],
      ["AFTER_SEQUENCE_NUMBER", { "cursor-type": "AFTER_SEQUENCE_NUMBER", "starting-sequence-number": "2" }, ["3", "4"]],
      ["TRIM_HORIZON", { "cursor-type": "TRIM_HORIZON" }, ["0", "1", "2", "3", "4"]],
      ["LATEST", { "cursor-type": "LATEST" }, []],
      ["AT_TIMESTAMP on a record's time", { "cursor-type": "AT_TIMESTAMP", timestamp: String(T0 + 120_000) }, ["2", "3", "4"]],
      ["AT_TIMESTAMP between records", { "cursor-type": "AT_TIMESTAMP", timestamp: String(T0 + 120_001) }, ["3", "4"]],
      ["AT_TIMESTAMP in the future (like LATEST)", { "cursor-type": "AT_TIMESTAMP", timestamp: String(T0 + HOUR) }, []],
      ["AT_SEQUENCE_NUMBER at next (waits for the next record)", { "starting-sequence-number": "5" }, []],
    ])("%s", async (_, query, expected) => {
      const issued = await cursor({ "cursor-type": "AT_SEQUENCE_NUMBER", ...query });
      expect(issued.status).toBe(200);
      expect(issued.json.partition_cursor).toMatch(/^[A-Za-z0-9_-]{1,512}$/);
      const records = await read(issued.json.partition_cursor);
      expect(sequenceNumbers(records)).toEqual(expected);
    });

    it("returns payloads, write times and partition keys as written", async () => {
      const issued = await cursor({ "cursor-type": "TRIM_HORIZON" });
      const records = (await read(issued.json.partition_cursor)).json.records;
      expect(records[2]).toEqual({ sequence_number: "2", data: b64("r2"), partition_key: "key-2", timestamp: T0 + 120_000, timestamp_type: "CreateTime" });
      expect(records[1]).toEqual({ sequence_number: "1", data: b64("r1"), timestamp: T0 + 60_000, timestamp_type: "CreateTime" });
    });

    it("mints cursors the Kafka adapter can decode: base64url JSON with the resolved starting-sequence-number", async () => {
      const issued = await cursor({ "cursor-type": "AT_TIMESTAMP", timestamp: String(T0 + 90_000) });
      const decoded = JSON.parse(Buffer.from(issued.json.partition_cursor, "base64url").toString("utf8"));
      expect(decoded).toEqual({
        getIteratorParam: {
          "stream-name": "events",
          "partition-id": "shardId-0000000000",
          "cursor-type": "AT_SEQUENCE_NUMBER",
          "starting-sequence-number": "2",
        },
        generateTimestamp: T0 + 300_000,
      });
    });

    it("follows next_partition_cursor, and a cursor at the end sees records written later", async () => {
      const issued = await cursor({ "starting-sequence-number": "0" });
      const first = await read(issued.json.partition_cursor, { max_fetch_bytes: "4" });
      expect(sequenceNumbers(first)).toEqual(["0", "1"]);
      const second = await read(first.json.next_partition_cursor);
      expect(sequenceNumbers(second)).toEqual(["2", "3", "4"]);
      const empty = await read(second.json.next_partition_cursor);
      expect(sequenceNumbers(empty)).toEqual([]);
      await put([{ data: b64("late"), partition_id: "0" }]);
      expect(sequenceNumbers(await read(empty.json.next_partition_cursor))).toEqual(["5"]);
    });

    it("never returns a first record larger than max_fetch_bytes, and does not advance past it", async () => {
      const issued = await cursor({ "starting-sequence-number": "0" });
      const response = await read(issued.json.partition_cursor, { max_fetch_bytes: "1" });
      expect(sequenceNumbers(response)).toEqual([]);
      const again = await read(response.json.next_partition_cursor);
      expect(sequenceNumbers(again)[0]).toBe("0");
    });

    it("expires cursors five minutes after issue (DIS.4225), and next cursors are fresh", async () => {
      const issued = await cursor({ "starting-sequence-number": "0" });
      time.advance(5 * 60_000);
      const stillValid = await read(issued.json.partition_cursor, { max_fetch_bytes: "2" });
      expect(stillValid.status).toBe(200);
      time.advance(1);
      const expired = await read(issued.json.partition_cursor);
      expect(expired.json).toEqual(disError("DIS.4225", "Expired partition cursor. [the cursor is 300001 ms old; cursors live 300000 ms]"));
      expect(sequenceNumbers(await read(stillValid.json.next_partition_cursor))).toEqual(["1", "2", "3", "4"]);
    });

    it("refuses a cursor that is not one (DIS.4217)", async () => {
      for (const bad of ["garbage", Buffer.from('{"getIteratorParam":{}}').toString("base64url")]) {
        const response = await read(bad);
        expect(response.json.errorCode).toBe("DIS.4217");
        expect(response.json.message).toBe(`Invalid partition cursor. [${bad}]`);
      }
    });

    it.each([
      [{ "cursor-type": "FIRST" }, "DIS.4215", "Invalid cursor type. [FIRST]"],
      [{ "starting-sequence-number": "x" }, "DIS.4216", "Invalid sequence_number. [starting-sequence-number: x]"],
      [{}, "DIS.4216", "Invalid sequence_number. [starting-sequence-number: ]"],
      [{ "starting-sequence-number": "6" }, "DIS.4224", "Sequence_number out of range. [events][0][6 is outside [0 : 5]]"],
      [{ "cursor-type": "AFTER_SEQUENCE_NUMBER", "starting-sequence-number": "5" }, "DIS.4224", "Sequence_number out of range. [events][0][5 is outside [0 : 5]]"],
      [{ "cursor-type": "AT_TIMESTAMP" }, "DIS.4200", 'Invalid request. [timestamp must be epoch milliseconds with AT_TIMESTAMP, got ""]'],
      [{ "partition-id": "shardId-0000000009", "cursor-type": "LATEST" }, "DIS.4302", "Partition does not exist. [events][shardId-0000000009]"],
      [{ "partition-id": "x", "cursor-type": "LATEST" }, "DIS.4201", "Invalid partition_id. [x]"],
      [{ "stream-name": "nope", "cursor-type": "LATEST" }, "DIS.4301", "The stream does not exist. [nope]"],
      [{ "stream-name": "", "cursor-type": "LATEST" }, "DIS.4200", "Invalid request. [stream-name is required]"],
    ])("GetCursor %j fails with %s", async (query, code, message) => {
      const response = await cursor(query);
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError(code, message));
    });

    it.each([
      ["0", "DIS.4200"],
      ["4194305", "DIS.4200"],
    ])("refuses max_fetch_bytes=%s", async (maxFetchBytes, code) => {
      const issued = await cursor({ "starting-sequence-number": "0" });
      expect((await read(issued.json.partition_cursor, { max_fetch_bytes: maxFetchBytes })).json.errorCode).toBe(code);
    });
  });

  describe("retention", () => {
    it("expires records older than the stream's retention, moving the earliest sequence number", async () => {
      await put([{ data: b64("old"), partition_id: "0" }]);
      time.advance(HOUR);
      await put([{ data: b64("newer"), partition_id: "0" }]);
      const range = async () => (await call(emulator, "GET", "streams/events")).json.partitions[0].sequence_number_range;
      expect(await range()).toBe("[0 : 2]");
      time.advance(23 * HOUR);
      expect(await range()).toBe("[0 : 2]");
      time.advance(1);
      expect(await range()).toBe("[1 : 2]");
      time.advance(HOUR);
      expect(await range()).toBe("[2 : 2]");
    });

    it("refuses commits below the earliest retained record (DIS.4224) and cursors behind it (DIS.4226)", async () => {
      emulator.state.createApp("app");
      await put([{ data: b64("a"), partition_id: "0" }, { data: b64("b"), partition_id: "0" }]);
      time.advance(24 * HOUR - 60_000);
      await put([{ data: b64("c"), partition_id: "0" }]);
      const atZero = await cursor({ "starting-sequence-number": "0" });
      const trimHorizon = await cursor({ "cursor-type": "TRIM_HORIZON" });
      time.advance(2 * 60_000);
      const commit = await call(emulator, "POST", "checkpoints", {
        body: { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "events", partition_id: "0", sequence_number: "1" },
      });
      expect(commit.json).toEqual(disError("DIS.4224", "Sequence_number out of range. [events][0][1 is outside [2 : 3]]"));
      expect((await read(atZero.json.partition_cursor)).json).toEqual(
        disError(
          "DIS.4226",
          "A partition iterator error occurred or a record to which the SN corresponds has expired. Try to obtain the partition iterator again.",
        ),
      );
      expect(sequenceNumbers(await read(trimHorizon.json.partition_cursor))).toEqual(["2"]);
    });

    it("answers AT_TIMESTAMP older than retention with DIS.4300 naming the earliest usable timestamp", async () => {
      await put([{ data: b64("a"), partition_id: "0" }]);
      time.advance(HOUR);
      await put([{ data: b64("b"), partition_id: "0" }]);
      time.advance(23 * HOUR + 1);
      const response = await cursor({ "cursor-type": "AT_TIMESTAMP", timestamp: String(T0) });
      expect(response.json).toEqual(
        disError("DIS.4300", `Request error. [timestamp is expired, timestamp should be larger than ${T0 + HOUR}]`),
      );
      const retried = await cursor({ "cursor-type": "AT_TIMESTAMP", timestamp: String(T0 + HOUR) });
      expect(sequenceNumbers(await read(retried.json.partition_cursor))).toEqual(["1"]);
    });
  });
});
