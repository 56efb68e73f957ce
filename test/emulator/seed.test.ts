import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PersistenceError, SeedError, type EmulatorHandle } from "../../src/emulator";
import { call, startTestEmulator, T0 } from "./support/harness";

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "dis-emulator-test-"));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const write = (name: string, content: string) => {
  const file = join(directory, name);
  writeFileSync(file, content);
  return file;
};

describe("seed", () => {
  let emulator: EmulatorHandle | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it("creates streams with generated records, apps and checkpoints from a YAML file", async () => {
    const file = write(
      "seed.yaml",
      [
        "streams:",
        "  - name: orders",
        "    partitions: 2",
        "    retentionHours: 48",
        "    streamType: ADVANCED",
        "    records: { perPartition: [3, 1], startTime: '2026-01-15T07:00:00Z', intervalMs: 60000 }",
        "  - name: empty",
        "    partitions: 1",
        "apps: [billing, { name: audit }]",
        "checkpoints:",
        "  - { app: billing, stream: orders, partition: 0, sequenceNumber: '2', metadata: seeded }",
        "  - { app: billing, stream: orders, partition: shardId-0000000001, sequenceNumber: 1 }",
      ].join("\n"),
    );
    emulator = await startTestEmulator({ seed: file });
    const described = (await call(emulator, "GET", "streams/orders")).json;
    expect([described.retention_period, described.stream_type]).toEqual([48, "ADVANCED"]);
    expect(described.partitions.map((p: { sequence_number_range: string }) => p.sequence_number_range)).toEqual(["[0 : 3]", "[0 : 1]"]);
    const cursor = (await call(emulator, "GET", "cursors", { query: { "stream-name": "orders", "partition-id": "0", "cursor-type": "TRIM_HORIZON" } })).json;
    const records = (await call(emulator, "GET", "records", { query: { "partition-cursor": cursor.partition_cursor } })).json.records;
    const start = Date.parse("2026-01-15T07:00:00Z");
    expect(records.map((record: { timestamp: number }) => record.timestamp)).toEqual([start, start + 60_000, start + 120_000]);
    expect(JSON.parse(Buffer.from(records[1].data, "base64").toString())).toEqual({
      partition_id: "shardId-0000000000",
      sequence_number: "1",
      timestamp: start + 60_000,
    });
    expect(emulator.state.listApps(undefined, 10).items.map((app) => app.name)).toEqual(["audit", "billing"]);
    const consumer = (await call(emulator, "GET", "apps/billing/streams/orders", { query: { checkpoint_type: "LAST_READ" } })).json;
    expect(consumer.partition_consuming_states.map((row: { sequence_number: string; metadata: string }) => [row.sequence_number, row.metadata])).toEqual([
      ["2", "seeded"],
      ["1", ""],
    ]);
  });

  it("ends default-timed records one interval before now, and honours firstSequenceNumber", async () => {
    emulator = await startTestEmulator({
      seed: { streams: [{ name: "s", partitions: 1, records: { perPartition: 4, intervalMs: 500, firstSequenceNumber: "1000" } }] },
    });
    const range = emulator.state.partitionRange("s", { ordinal: 0, id: "0" });
    expect([range.earliest, range.next]).toEqual([1000n, 1004n]);
    const cursor = emulator.state.issueCursor("s", { ordinal: 0, id: "0" }, { type: "TRIM_HORIZON" });
    expect(emulator.state.readRecords(cursor, 1_000_000, 10).records.map((record) => record.timestamp)).toEqual([
      T0 - 2000,
      T0 - 1500,
      T0 - 1000,
      T0 - 500,
    ]);
  });

  it("accepts JSON files too", async () => {
    emulator = await startTestEmulator({ seed: write("seed.json", JSON.stringify({ apps: ["a"] })) });
    expect(emulator.state.showApp("a").name).toBe("a");
  });

  it.each([
    ["a YAML syntax error", "streams:\n  - name: [unclosed\n", /^seed\.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
    [
      "every problem, a typo'd key where it stands",
      "streams:\n  - name: s\n    partitons: 2\n",
      /^seed\.yaml:2:5: streams\[0\]\.partitions: required\n.*seed\.yaml:3:16: streams\[0\]: Unrecognized key: "partitons"$/,
    ],
    ["a wrong type", "streams:\n  - name: s\n    partitions: two\n", /^seed\.yaml:3:17: streams\[0\]\.partitions: Invalid input: expected number, received string$/],
    ["a missing field", "apps: [a]\ncheckpoints:\n  - { app: a, stream: s, partition: 0 }\n", /^seed\.yaml:3:5: checkpoints\[0\]\.sequenceNumber: required$/],
    ["an inexact integer", "checkpoints:\n  - { app: a, stream: s, partition: 0, sequenceNumber: 9007199254740993 }\n", /^seed\.yaml:2:56: checkpoints\[0\]\.sequenceNumber: integers above 2\^53-1 lose precision in YAML and JSON: quote the number$/],
    ["a name the API refuses", "streams:\n  - { name: 'bad name', partitions: 1 }\n", /^seed\.yaml:2:5: streams\[0\]: Invalid request\. \[stream_name must be 1 to 64 characters/],
    ["a checkpoint out of range", "streams: [{ name: s, partitions: 1 }]\napps: [a]\ncheckpoints:\n  - { app: a, stream: s, partition: 0, sequenceNumber: '5' }\n", /^seed\.yaml:4:5: checkpoints\[0\]: Sequence_number out of range\. \[s\]\[0\]\[5 is outside \[0 : 0\]\]$/],
    ["a checkpoint for an unknown app", "streams: [{ name: s, partitions: 1 }]\ncheckpoints:\n  - { app: a, stream: s, partition: 0, sequenceNumber: '0' }\n", /^seed\.yaml:3:5: checkpoints\[0\]: app not found\. \[a\]$/],
    ["a malformed partition id", "checkpoints:\n  - { app: a, stream: s, partition: p0, sequenceNumber: '0' }\n", /^seed\.yaml:2:37: checkpoints\[0\]\.partition: expected a partition id such as 0 or "shardId-0000000000", got "p0"$/],
    ["too many per-partition counts", "streams:\n  - { name: s, partitions: 1, records: { perPartition: [1, 2] } }\n", /^seed\.yaml:2:5: streams\[0\]: records\.perPartition lists 2 counts for 1 partitions$/],
  ])("reports %s with file, line and column", async (_, content, expected) => {
    const file = write("seed.yaml", content);
    const error = await startTestEmulator({ seed: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeedError);
    expect((error as Error).message.replace(`${directory}/`, "")).toMatch(expected);
  });

  it("reports a missing file clearly", async () => {
    await expect(startTestEmulator({ seed: join(directory, "absent.yaml") })).rejects.toThrow(`${join(directory, "absent.yaml")}: cannot read the seed file: ENOENT`);
  });

  it("locates problems in a seed object by path", async () => {
    await expect(startTestEmulator({ seed: { streams: [{ name: "s", partitions: 0 }] } })).rejects.toThrow(
      "seed: streams[0].partitions: Too small: expected number to be >=1",
    );
  });
});

describe("persistence", () => {
  it("saves the state atomically and reloads it at start, ignoring the seed then", async () => {
    const dataFile = join(directory, "state.json");
    const first = await startTestEmulator({ dataFile, persistDebounceMs: 10, seed: { streams: [{ name: "s", partitions: 2 }], apps: ["app"] } });
    await call(first, "POST", "records", { body: { stream_name: "s", records: [{ data: "YQ==", partition_id: "1", partition_key: "k" }] } });
    await call(first, "POST", "checkpoints", {
      body: { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "s", partition_id: "1", sequence_number: "1", metadata: "kept" },
    });
    await first.close();
    expect(readdirSync(directory)).toEqual(["state.json"]);
    const saved = JSON.parse(readFileSync(dataFile, "utf8"));
    expect(saved).toMatchObject({ format: "dis-emulator-state", version: 1 });

    const second = await startTestEmulator({ dataFile, seed: { apps: ["from-seed"] } });
    try {
      expect(second.state.listApps(undefined, 10).items.map((app) => app.name)).toEqual(["app"]);
      expect(second.state.showCheckpoint({ app: "app", stream: "s", partition: { ordinal: 1, id: "1" } })).toEqual({ sequenceNumber: 1n, metadata: "kept" });
      const cursor = second.state.issueCursor("s", { ordinal: 1, id: "1" }, { type: "TRIM_HORIZON" });
      expect(second.state.readRecords(cursor, 100, 10).records).toEqual([{ sequenceNumber: 0n, data: "YQ==", timestamp: T0, partitionKey: "k" }]);
      expect(second.state.describeStream("s").id).toBe(saved.streams[0].id);
    } finally {
      await second.close();
    }
  });

  it("writes the seeded state at once when the file is new", async () => {
    const dataFile = join(directory, "state.json");
    const emulator = await startTestEmulator({ dataFile, seed: { apps: ["a"] } });
    try {
      expect(JSON.parse(readFileSync(dataFile, "utf8")).apps.map((app: { name: string }) => app.name)).toEqual(["a"]);
    } finally {
      await emulator.close();
    }
  });

  it("saves on flush() without waiting for the debounce", async () => {
    const dataFile = join(directory, "state.json");
    const emulator = await startTestEmulator({ dataFile, persistDebounceMs: 60_000 });
    try {
      emulator.state.createApp("late");
      await emulator.flush();
      expect(JSON.parse(readFileSync(dataFile, "utf8")).apps.map((app: { name: string }) => app.name)).toEqual(["late"]);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    ["not JSON", "{", /state\.json: not JSON \(.*\); move it away or pass another --data file$/],
    ["another format", JSON.stringify({ format: "other" }), /state\.json: not a dis-emulator-state v1 file: format: /],
  ])("refuses a data file that is %s, and leaves it alone", async (_, content, expected) => {
    const dataFile = write("state.json", content);
    const error = await startTestEmulator({ dataFile }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as Error).message).toMatch(expected);
    expect(readFileSync(dataFile, "utf8")).toBe(content);
  });
});
