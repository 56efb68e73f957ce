import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, pollUntil, uniquePrefix, type ContractTarget, type WireResponse } from "./support/target";

/**
 * The emulator's choices where the DIS documentation is silent, pinned on the wire. By default this runs
 * against an emulator it starts; with DIS_CONTRACT_ENDPOINT (docs/emulator.md, "Contract suite") against a real
 * DIS project, in its own uniquely named stream and apps, removed afterwards. A failure against the real
 * service means the emulator (and possibly the client, which shares the assumption) models DIS wrongly there.
 */

/** A real stream takes a while to become RUNNING, and its ranges to show fresh records. */
const SETTLE_MS = 120_000;
const PARTITIONS = 2;
const RECORDS_IN_PARTITION_0 = 3;

let target: ContractTarget;
const prefix = uniquePrefix();
const stream = `${prefix}-s`;
/** `committer` commits freely; `bystander` never commits on the stream; `partial` commits on partition 0 only. */
const apps = { committer: `${prefix}-a`, bystander: `${prefix}-b`, partial: `${prefix}-c` } as const;
const cleanups: (() => Promise<WireResponse>)[] = [];

async function cleanUp(): Promise<void> {
  const failures: string[] = [];
  // Apps first, then the stream: nothing is left behind whatever failed before.
  for (const cleanup of cleanups.splice(0).reverse()) {
    const response = await cleanup().catch((error: Error) => ({ status: 0, text: error.message, json: undefined }));
    if (response.status !== 204) failures.push(`${response.status} ${response.text}`);
  }
  if (failures.length > 0) throw new Error(`clean-up failed; remove the ${prefix}-* stream and apps by hand: ${failures.join("; ")}`);
}

beforeAll(async () => {
  target = await openTarget();
  try {
    const created = await target.call("POST", "streams", {
      body: { stream_name: stream, partition_count: PARTITIONS, stream_type: "COMMON", data_type: "BLOB", data_duration: 24 },
    });
    expect(created.status, created.text).toBe(201);
    cleanups.push(() => target.call("DELETE", `streams/${stream}`));
    await pollUntil("the stream to run", () => target.call("GET", `streams/${stream}`), (response) => response.json?.status === "RUNNING", SETTLE_MS);
    for (const app of Object.values(apps)) {
      const response = await target.call("POST", "apps", { body: { app_name: app } });
      expect(response.status, response.text).toBe(201);
      cleanups.push(() => target.call("DELETE", `apps/${app}`));
    }
    const records = Array.from({ length: RECORDS_IN_PARTITION_0 }, (_, index) => ({
      data: Buffer.from(`record ${index}`).toString("base64"),
      partition_id: "shardId-0000000000",
    }));
    const put = await target.call("POST", "records", { body: { stream_name: stream, records } });
    expect(put.status, put.text).toBe(200);
    expect(put.json.failed_record_count).toBe(0);
    // Not fatal: a range that never changes is for the range test to report, with the value it saw.
    await pollUntil(
      "the records to show in the partition's range",
      () => target.call("GET", `streams/${stream}`),
      (response) => response.json?.partitions?.[0]?.sequence_number_range !== "[0 : 0]",
      SETTLE_MS,
    ).catch(() => undefined);
  } catch (error) {
    // Cleaned up here already, so nothing outlives a failed set-up whatever the runner does with afterAll.
    const cleanupProblem = await cleanUp().then(
      () => undefined,
      (problem: Error) => problem,
    );
    throw cleanupProblem ? new AggregateError([error, cleanupProblem], `${(error as Error).message}; ${cleanupProblem.message}`) : error;
  }
});

afterAll(async () => {
  try {
    await cleanUp();
  } finally {
    await target?.close();
  }
});

const commit = (partitionId: string, sequenceNumber: string, overrides: Record<string, string> = {}) =>
  target.call("POST", "checkpoints", {
    body: {
      app_name: apps.committer,
      checkpoint_type: "LAST_READ",
      stream_name: stream,
      partition_id: partitionId,
      sequence_number: sequenceNumber,
      ...overrides,
    },
  });

const showCheckpoint = (app: string, partitionId: string, overrides: Record<string, string> = {}) =>
  target.call("GET", "checkpoints", {
    query: { stream_name: stream, partition_id: partitionId, app_name: app, checkpoint_type: "LAST_READ", ...overrides },
  });

const consumerState = (app: string, query: Record<string, string> = {}) =>
  target.call("GET", `apps/${app}/streams/${stream}`, { query: { checkpoint_type: "LAST_READ", ...query } });

/**
 * A DIS business error: status 400 and the documented body, `errorCode` and `message` (the service's own text),
 * with nothing else but, optionally, the same two values as `error_code`/`error_msg` (the emulator sends those
 * too by default, for the official SDKs' parsers; docs/emulator.md).
 */
function expectDisError(response: WireResponse, code: string): void {
  const { errorCode, message, ...others } = response.json ?? {};
  expect({ status: response.status, errorCode, message: typeof message }, response.text).toEqual({ status: 400, errorCode: code, message: "string" });
  expect(message, response.text).toMatch(/\S/);
  expect(others, response.text).toEqual(Object.keys(others).length === 0 ? {} : { error_code: code, error_msg: message });
}

describe(`DIS wire contract (${process.env.DIS_CONTRACT_ENDPOINT?.trim() || "an emulator started for the suite"})`, () => {
  describe("DescribeStream partition ranges", () => {
    it("a new partition numbers its records from 0", async () => {
      const cursor = await target.call("GET", "cursors", {
        query: { "stream-name": stream, "partition-id": "0", "cursor-type": "TRIM_HORIZON" },
      });
      expect(cursor.status, cursor.text).toBe(200);
      // A service may answer a read with fewer records than there are; a few reads are allowed to collect them.
      const sequenceNumbers: string[] = [];
      let next: string = cursor.json.partition_cursor;
      for (let read = 0; read < 10 && sequenceNumbers.length < RECORDS_IN_PARTITION_0; read++) {
        const page = await target.call("GET", "records", { query: { "partition-cursor": next } });
        expect(page.status, page.text).toBe(200);
        sequenceNumbers.push(...page.json.records.map((record: { sequence_number: string }) => record.sequence_number));
        next = page.json.next_partition_cursor;
      }
      expect(sequenceNumbers).toEqual(["0", "1", "2"]);
    });

    it("sequence_number_range is [first : next], next being the sequence number the next record gets; [0 : 0] when empty", async () => {
      const described = await target.call("GET", `streams/${stream}`);
      expect(described.status).toBe(200);
      expect(described.json.partitions).toEqual([
        {
          partition_id: "shardId-0000000000",
          status: "ACTIVE",
          hash_range: "[0 : 4611686018427387902]",
          sequence_number_range: `[0 : ${RECORDS_IN_PARTITION_0}]`,
        },
        {
          partition_id: "shardId-0000000001",
          status: "ACTIVE",
          hash_range: "[4611686018427387903 : 9223372036854775807]",
          sequence_number_range: "[0 : 0]",
        },
      ]);
      expect(described.json.has_more_partitions).toBe(false);
    });
  });

  describe("consumer state and the 'no checkpoint' value", () => {
    it("ShowCheckpoint with nothing committed is 200 with sequence_number \"-1\" and empty metadata", async () => {
      const response = await showCheckpoint(apps.bystander, "1");
      expect({ status: response.status, json: response.json }).toEqual({ status: 200, json: { sequence_number: "-1", metadata: "" } });
    });

    it("ShowConsumerState for an app that never committed on the stream is DIS.4375", async () => {
      expectDisError(await consumerState(apps.bystander), "DIS.4375");
    });

    it("ShowConsumerState rows: the checkpoint as a string, offsets as JSON integers, \"-1\" and no metadata where none", async () => {
      expect((await commit("0", "1", { app_name: apps.partial, metadata: "contract" })).status).toBe(201);
      const response = await consumerState(apps.partial);
      expect({ status: response.status, json: response.json }).toEqual({
        status: 200,
        json: {
          has_more: false,
          stream_name: stream,
          app_name: apps.partial,
          partition_consuming_states: [
            {
              partition_id: "shardId-0000000000",
              sequence_number: "1",
              latest_offset: RECORDS_IN_PARTITION_0,
              earliest_offset: 0,
              checkpoint_type: "LAST_READ",
              status: "ACTIVE",
              metadata: "contract",
            },
            {
              partition_id: "shardId-0000000001",
              sequence_number: "-1",
              latest_offset: 0,
              earliest_offset: 0,
              checkpoint_type: "LAST_READ",
              status: "ACTIVE",
            },
          ],
        },
      });
    });
  });

  describe("checkpoint errors: status, code and body keys", () => {
    it.each([
      ["an unknown stream", () => commit("0", "0", { stream_name: `${prefix}-none` }), "DIS.4301"],
      ["an unknown stream and an unknown app (the stream is checked first)", () => commit("0", "0", { stream_name: `${prefix}-none`, app_name: `${prefix}-none` }), "DIS.4301"],
      ["an unknown app", () => commit("0", "0", { app_name: `${prefix}-none` }), "DIS.4332"],
      ["a partition the stream does not have", () => commit("shardId-0000000002", "0"), "DIS.4302"],
      ["a malformed partition id", () => commit("p0", "0"), "DIS.4201"],
      ["a sequence number past the next one", () => commit("0", String(RECORDS_IN_PARTITION_0 + 1)), "DIS.4224"],
      ["a malformed sequence number", () => commit("0", "1e3"), "DIS.4216"],
      ["a checkpoint type other than LAST_READ", () => commit("0", "0", { checkpoint_type: "LAST_COMMITTED" }), "DIS.4200"],
      ["ShowCheckpoint of a partition the stream does not have", () => showCheckpoint(apps.committer, "2"), "DIS.4302"],
      ["ShowCheckpoint of an unknown app", () => showCheckpoint(`${prefix}-none`, "0"), "DIS.4332"],
      ["ShowCheckpoint on an unknown stream", () => showCheckpoint(apps.committer, "0", { stream_name: `${prefix}-none` }), "DIS.4301"],
    ])("CommitCheckpoint/ShowCheckpoint with %s", async (_situation, send, code) => {
      expectDisError(await send(), code);
    });

    it("committing the next sequence number itself (one past the last record) is accepted", async () => {
      expect((await commit("0", String(RECORDS_IN_PARTITION_0))).status).toBe(201);
      expect((await showCheckpoint(apps.committer, "0")).json).toEqual({ sequence_number: String(RECORDS_IN_PARTITION_0), metadata: "" });
    });
  });

  describe("partition id forms", () => {
    it.each([
      ["1", 201],
      ["shardId-0000000001", 201],
      ["01", 201],
      ["shardId-1", "DIS.4201"],
      ["shardid-0000000001", "DIS.4201"],
      ["-1", "DIS.4201"],
      ["1.0", "DIS.4201"],
      ["2", "DIS.4302"],
      ["shardId-0000000002", "DIS.4302"],
      ["99999999999", "DIS.4302"],
    ])("CommitCheckpoint with partition_id %j", async (partitionId, outcome) => {
      const response = await commit(partitionId, "0");
      if (typeof outcome === "number") expect(response.status, response.text).toBe(outcome);
      else expectDisError(response, outcome);
    });

    it("both forms name the same partition", async () => {
      expect((await commit("shardId-0000000001", "0", { metadata: "long form" })).status).toBe(201);
      expect((await showCheckpoint(apps.committer, "1")).json).toEqual({ sequence_number: "0", metadata: "long form" });
      expect((await commit("1", "0", { metadata: "short form" })).status).toBe(201);
      expect((await showCheckpoint(apps.committer, "shardId-0000000001")).json).toEqual({ sequence_number: "0", metadata: "short form" });
    });
  });

  describe("paging", () => {
    const listApps = (query: Record<string, string>) => target.call("GET", "apps", { query });
    const names = (response: WireResponse) => response.json.apps.map((app: { app_name: string }) => app.app_name);

    it("ListApps sorts by name; start_app_name is exclusive and need not exist; limit caps the page", async () => {
      const first = await listApps({ start_app_name: `${prefix}-`, limit: "2" });
      expect(first.status).toBe(200);
      expect(names(first)).toEqual([apps.committer, apps.bystander]);
      expect(first.json.has_more_app).toBe(true);
      const next = await listApps({ start_app_name: apps.bystander, limit: "1" });
      expect(names(next)).toEqual([apps.partial]);
    });

    it("ListApps with stream_name lists the apps holding checkpoints on it, and counts only those", async () => {
      expect((await commit("0", "0")).status).toBe(201);
      expect((await commit("0", "0", { app_name: apps.partial })).status).toBe(201);
      const response = await listApps({ stream_name: stream });
      expect({ names: names(response), total: response.json.total_number, more: response.json.has_more_app }).toEqual({
        names: [apps.committer, apps.partial],
        total: 2,
        more: false,
      });
    });

    it("ListStreams sorts by name; start_stream_name is exclusive and need not exist", async () => {
      const from = await target.call("GET", "streams", { query: { start_stream_name: prefix, limit: "1" } });
      expect(from.status).toBe(200);
      expect(from.json.stream_names).toEqual([stream]);
      const after = await target.call("GET", "streams", { query: { start_stream_name: stream, limit: "100" } });
      expect(after.json.stream_names.filter((name: string) => name <= stream)).toEqual([]);
    });

    it("DescribeStream pages partitions with limit_partitions and start_partitionId in either form", async () => {
      const describeStream = (query: Record<string, string>) => target.call("GET", `streams/${stream}`, { query });
      const ids = (response: WireResponse) => [
        response.json.partitions.map((partition: { partition_id: string }) => partition.partition_id),
        response.json.has_more_partitions,
      ];
      expect(ids(await describeStream({ limit_partitions: "1" }))).toEqual([["shardId-0000000000"], true]);
      expect(ids(await describeStream({ limit_partitions: "1", start_partitionId: "shardId-0000000000" }))).toEqual([["shardId-0000000001"], false]);
      expect(ids(await describeStream({ limit_partitions: "1", start_partitionId: "0" }))).toEqual([["shardId-0000000001"], false]);
    });

    it("ShowConsumerState pages partitions with limit and start_partition_id in either form", async () => {
      expect((await commit("0", "0")).status).toBe(201);
      const ids = (response: WireResponse) => [
        response.json.partition_consuming_states.map((state: { partition_id: string }) => state.partition_id),
        response.json.has_more,
      ];
      expect(ids(await consumerState(apps.committer, { limit: "1" }))).toEqual([["shardId-0000000000"], true]);
      expect(ids(await consumerState(apps.committer, { limit: "1", start_partition_id: "shardId-0000000000" }))).toEqual([
        ["shardId-0000000001"],
        false,
      ]);
      expect(ids(await consumerState(apps.committer, { limit: "1", start_partition_id: "0" }))).toEqual([["shardId-0000000001"], false]);
    });

    it.each([
      ["ListApps", "limit", "0", "apps"],
      ["ListApps", "limit", "101", "apps"],
      ["ListStreams", "limit", "0", "streams"],
      ["ListStreams", "limit", "101", "streams"],
      ["DescribeStream", "limit_partitions", "0", `streams/${stream}`],
      ["DescribeStream", "limit_partitions", "1001", `streams/${stream}`],
    ])("%s refuses %s=%s with DIS.4200 instead of clamping it", async (_operation, parameter, value, path) => {
      expectDisError(await target.call("GET", path, { query: { [parameter]: value } }), "DIS.4200");
    });
  });
});
