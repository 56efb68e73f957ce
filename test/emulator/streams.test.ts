import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator";
import { call, disError, startTestEmulator, T0 } from "./support/harness";

describe("streams", () => {
  let emulator: EmulatorHandle;
  beforeEach(async () => {
    emulator = await startTestEmulator();
  });
  afterEach(() => emulator.close());

  const create = (body: Record<string, unknown>) => call(emulator, "POST", "streams", { body });

  describe("CreateStream", () => {
    it("creates with 201, an empty body and the documented defaults", async () => {
      const response = await create({ stream_name: "orders", partition_count: 2 });
      expect(response.status).toBe(201);
      expect(response.text).toBe("");
      const described = await call(emulator, "GET", "streams/orders");
      expect(described.json).toEqual({
        stream_name: "orders",
        stream_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        create_time: T0,
        last_modified_time: T0,
        retention_period: 24,
        status: "RUNNING",
        stream_type: "COMMON",
        data_type: "BLOB",
        partition_count: 2,
        partitions: [
          { partition_id: "shardId-0000000000", status: "ACTIVE", hash_range: "[0 : 4611686018427387902]", sequence_number_range: "[0 : 0]" },
          {
            partition_id: "shardId-0000000001",
            status: "ACTIVE",
            hash_range: "[4611686018427387903 : 9223372036854775807]",
            sequence_number_range: "[0 : 0]",
          },
        ],
        has_more_partitions: false,
        writable_partition_count: 2,
        readable_partition_count: 2,
        update_partition_counts: [],
      });
    });

    it("keeps the given type, data type and retention", async () => {
      await create({ stream_name: "s", partition_count: 1, stream_type: "ADVANCED", data_type: "JSON", data_duration: 72 });
      const described = (await call(emulator, "GET", "streams/s")).json;
      expect([described.stream_type, described.data_type, described.retention_period]).toEqual(["ADVANCED", "JSON", 72]);
      expect(described.partitions[0].hash_range).toBe("[0 : 9223372036854775807]");
    });

    it.each([
      [{ partition_count: 1 }, "DIS.4200", "Invalid request. [stream_name is required]"],
      [{ stream_name: "s" }, "DIS.4200", "Invalid request. [partition_count is required]"],
      [{ stream_name: "s", partition_count: "1" }, "DIS.4200", 'Invalid request. [partition_count must be an integer, got "1"]'],
      [{ stream_name: "s", partition_count: 0 }, "DIS.4200", "Invalid request. [partition_count must be a positive integer, got 0]"],
      [{ stream_name: "s", partition_count: 1001 }, "DIS.4308", "Insufficient quota. [partition_count 1001 exceeds the emulator's limit of 1000]"],
      [
        { stream_name: "bad name", partition_count: 1 },
        "DIS.4200",
        `Invalid request. [stream_name must be 1 to 64 characters of letters, digits, '_' and '-', got "bad name"]`,
      ],
      [
        { stream_name: "s".repeat(65), partition_count: 1 },
        "DIS.4200",
        `Invalid request. [stream_name must be 1 to 64 characters of letters, digits, '_' and '-', got "${"s".repeat(65)}"]`,
      ],
      [{ stream_name: "s", partition_count: 1, data_duration: 23 }, "DIS.4200", "Invalid request. [data_duration must be an integer from 24 to 72 hours, got 23]"],
      [{ stream_name: "s", partition_count: 1, stream_type: "FAST" }, "DIS.4200", 'Invalid request. [stream_type must be one of COMMON, ADVANCED, got "FAST"]'],
      [{ stream_name: "s", partition_count: 1, data_type: "XML" }, "DIS.4200", 'Invalid request. [data_type must be one of BLOB, JSON, CSV, got "XML"]'],
    ])("refuses %j with %s", async (body, code, message) => {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.json).toEqual(disError(code, message));
    });

    it("accepts a 64-character name and refuses a duplicate with DIS.4307", async () => {
      expect((await create({ stream_name: "s".repeat(64), partition_count: 1 })).status).toBe(201);
      expect((await create({ stream_name: "s".repeat(64), partition_count: 1 })).json).toEqual(
        disError("DIS.4307", `The stream already exists. [${"s".repeat(64)}]`),
      );
    });
  });

  describe("ListStreams", () => {
    beforeEach(() => {
      for (const name of ["delta", "alpha", "Charlie", "bravo", "echo"]) emulator.state.createStream({ name, partitionCount: 1 });
    });

    it("pages by name with start_stream_name exclusive", async () => {
      const first = (await call(emulator, "GET", "streams", { query: { limit: "2" } })).json;
      expect(first).toMatchObject({ total_number: 5, stream_names: ["Charlie", "alpha"], has_more_streams: true });
      expect(first.stream_info_list.map((info: { stream_name: string }) => info.stream_name)).toEqual(["Charlie", "alpha"]);
      expect(first.stream_info_list[0]).toEqual({
        stream_name: "Charlie",
        stream_id: expect.any(String),
        create_time: T0,
        retention_period: 24,
        status: "RUNNING",
        stream_type: "COMMON",
        data_type: "BLOB",
        partition_count: 1,
      });
      const second = (await call(emulator, "GET", "streams", { query: { limit: "2", start_stream_name: "alpha" } })).json;
      expect(second).toMatchObject({ stream_names: ["bravo", "delta"], has_more_streams: true });
      const last = (await call(emulator, "GET", "streams", { query: { limit: "2", start_stream_name: "delta" } })).json;
      expect(last).toMatchObject({ stream_names: ["echo"], has_more_streams: false, total_number: 5 });
    });

    it("defaults to 10 per page and starts after a name that does not exist", async () => {
      expect((await call(emulator, "GET", "streams")).json.stream_names).toHaveLength(5);
      expect((await call(emulator, "GET", "streams", { query: { start_stream_name: "b" } })).json.stream_names).toEqual([
        "bravo",
        "delta",
        "echo",
      ]);
    });

    it.each(["0", "101", "ten", "-1"])("refuses limit=%s", async (limit) => {
      const response = await call(emulator, "GET", "streams", { query: { limit } });
      expect(response.json).toEqual(disError("DIS.4200", `Invalid request. [limit must be an integer from 1 to 100, got "${limit}"]`));
    });
  });

  describe("DescribeStream partition paging", () => {
    beforeEach(() => emulator.state.createStream({ name: "wide", partitionCount: 5 }));
    const ids = (response: { json: { partitions: { partition_id: string }[] } }) =>
      response.json.partitions.map((partition) => partition.partition_id);

    it.each([
      [{ limit_partitions: "2" }, ["shardId-0000000000", "shardId-0000000001"], true],
      [{ limit_partitions: "2", start_partitionId: "shardId-0000000001" }, ["shardId-0000000002", "shardId-0000000003"], true],
      [{ limit_partitions: "2", start_partitionId: "3" }, ["shardId-0000000004"], false],
      [{ start_partitionId: "shardId-0000000004" }, [], false],
      [{ start_partitionId: "9" }, [], false],
      [{}, ["shardId-0000000000", "shardId-0000000001", "shardId-0000000002", "shardId-0000000003", "shardId-0000000004"], false],
    ])("%j", async (query, expected, hasMore) => {
      const response = await call(emulator, "GET", "streams/wide", { query });
      expect(ids(response)).toEqual(expected);
      expect(response.json.has_more_partitions).toBe(hasMore);
      expect(response.json.partition_count).toBe(5);
    });

    it.each([
      [{ limit_partitions: "1001" }, "DIS.4200", 'Invalid request. [limit_partitions must be an integer from 1 to 1000, got "1001"]'],
      [{ start_partitionId: "shard-1" }, "DIS.4201", "Invalid partition_id. [shard-1]"],
    ])("refuses %j", async (query, code, message) => {
      expect((await call(emulator, "GET", "streams/wide", { query })).json).toEqual(disError(code, message));
    });

    it("splits hash ranges evenly, the last partition taking the remainder", async () => {
      const ranges = (await call(emulator, "GET", "streams/wide")).json.partitions.map((p: { hash_range: string }) => p.hash_range);
      expect(ranges).toEqual([
        "[0 : 1844674407370955160]",
        "[1844674407370955161 : 3689348814741910321]",
        "[3689348814741910322 : 5534023222112865482]",
        "[5534023222112865483 : 7378697629483820643]",
        "[7378697629483820644 : 9223372036854775807]",
      ]);
    });

    it("answers an unknown stream with DIS.4301", async () => {
      expect((await call(emulator, "GET", "streams/nope")).json).toEqual(disError("DIS.4301", "The stream does not exist. [nope]"));
    });
  });

  describe("DeleteStream", () => {
    it("deletes with 204 and takes the stream's checkpoints with it", async () => {
      emulator.state.createStream({ name: "s", partitionCount: 1 });
      emulator.state.createApp("app");
      emulator.state.commitCheckpoint({ app: "app", stream: "s", partition: { ordinal: 0, id: "0" } }, 0n);
      const response = await call(emulator, "DELETE", "streams/s");
      expect([response.status, response.text]).toEqual([204, ""]);
      expect((await call(emulator, "GET", "streams/s")).json.errorCode).toBe("DIS.4301");
      expect(emulator.state.showApp("app").committedStreams).toEqual([]);
      emulator.state.createStream({ name: "s", partitionCount: 1 });
      expect(emulator.state.showCheckpoint({ app: "app", stream: "s", partition: { ordinal: 0, id: "0" } })).toBeUndefined();
    });

    it("answers an unknown stream with DIS.4301", async () => {
      expect((await call(emulator, "DELETE", "streams/nope")).json).toEqual(disError("DIS.4301", "The stream does not exist. [nope]"));
    });
  });

  it("answers an unknown API with 404 APIGW.0101, and a known path with the wrong method too", async () => {
    for (const [method, path] of [
      ["GET", "streams/s/partitions"],
      ["PUT", "checkpoints"],
      ["GET", "/v3/p/streams"],
    ] as const) {
      const response = await call(emulator, method, path);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({
        error_code: "APIGW.0101",
        error_msg: "The API does not exist or has not been published in the environment.",
        request_id: response.headers["x-request-id"],
      });
    }
  });

  it("tolerates a trailing slash on the wire", async () => {
    expect((await call(emulator, "GET", "streams/")).status).toBe(200);
  });
});
