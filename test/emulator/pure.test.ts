import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, type Cursor } from "../../src/emulator/cursor";
import { EmulatorError } from "../../src/emulator/errors";
import {
  formatRange,
  hashPartitionKey,
  hashRange,
  parsePartitionId,
  parseSequenceNumber,
  partitionForHashKey,
  shardId,
} from "../../src/emulator/identifiers";
import { toJson } from "../../src/emulator/json";
import { PartitionLog, decodedLength } from "../../src/emulator/log";

const MAX = 9223372036854775807n;

describe("identifiers", () => {
  it.each([
    ["0", 0],
    ["3", 3],
    ["007", 7],
    ["shardId-0000000003", 3],
    ["shardId-0000000000", 0],
    ["shardId-1234567890", 1234567890],
    ["99999999999999999999", Number.MAX_SAFE_INTEGER],
    ["shardId-3", undefined],
    ["shardId-00000000003", undefined],
    ["ShardId-0000000003", undefined],
    ["-1", undefined],
    ["1.5", undefined],
    [" 1", undefined],
    ["", undefined],
  ])("parsePartitionId(%j) = %s", (id, expected) => {
    expect(parsePartitionId(id)).toBe(expected);
  });

  it.each([
    [0, "shardId-0000000000"],
    [42, "shardId-0000000042"],
  ])("shardId(%i) = %s", (ordinal, expected) => {
    expect(shardId(ordinal)).toBe(expected);
  });

  it.each([
    ["0", 0n],
    ["12345", 12345n],
    ["9223372036854775807", MAX],
    ["9223372036854775808", undefined],
    ["-1", undefined],
    ["1e3", undefined],
    ["", undefined],
    [" 1", undefined],
  ])("parseSequenceNumber(%j) = %s", (text, expected) => {
    expect(parseSequenceNumber(text)).toBe(expected);
  });

  it.each([
    [0, 1, "[0 : 9223372036854775807]"],
    [0, 2, "[0 : 4611686018427387902]"],
    [1, 2, "[4611686018427387903 : 9223372036854775807]"],
    [2, 3, "[6148914691236517204 : 9223372036854775807]"],
  ])("hashRange(%i of %i) = %s", (ordinal, count, expected) => {
    const { low, high } = hashRange(ordinal, count);
    expect(formatRange(low, high)).toBe(expected);
  });

  it.each([
    [0n, 2, 0],
    [4611686018427387902n, 2, 0],
    [4611686018427387903n, 2, 1],
    [MAX, 2, 1],
    [MAX, 3, 2],
    [MAX, 1, 0],
  ])("partitionForHashKey(%s, %i) = %i", (hashKey, count, expected) => {
    expect(partitionForHashKey(hashKey, count)).toBe(expected);
  });

  it("agrees with hashRange for every partition boundary", () => {
    for (const count of [1, 2, 3, 7, 50]) {
      for (let ordinal = 0; ordinal < count; ordinal++) {
        const { low, high } = hashRange(ordinal, count);
        expect([partitionForHashKey(low, count), partitionForHashKey(high, count)]).toEqual([ordinal, ordinal]);
      }
    }
  });

  it("hashes partition keys stably into 63 bits", () => {
    expect(hashPartitionKey("customer-1")).toBe(hashPartitionKey("customer-1"));
    expect(hashPartitionKey("customer-1")).not.toBe(hashPartitionKey("customer-2"));
    for (const key of ["", "a", "é", "customer-1"]) expect(hashPartitionKey(key) <= MAX).toBe(true);
  });
});

describe("toJson", () => {
  it.each([
    ["a small BigInt", { a: 1n }, '{"a":1}'],
    ["2^63-1 exactly", { big: MAX, list: [MAX, "x"] }, '{"big":9223372036854775807,"list":[9223372036854775807,"x"]}'],
    ["undefined members left out", { skipped: undefined, kept: null }, '{"kept":null}'],
    ["undefined array items as null", [undefined, 1], "[null,1]"],
    ["strings escaped", { text: 'quote " and \u0000' }, JSON.stringify({ text: 'quote " and \u0000' })],
    ["nesting", { nested: { deep: [true, false, 1.5] } }, '{"nested":{"deep":[true,false,1.5]}}'],
    ["a bare string", "plain", '"plain"'],
  ])("%s", (_, value, expected) => {
    expect(toJson(value)).toBe(expected);
  });
});

describe("PartitionLog", () => {
  const generated = (count: number, startTime = 1000, intervalMs = 10) => new PartitionLog(0, 100n, { count, startTime, intervalMs });

  it("numbers generated then written records from `first`", () => {
    const log = generated(3);
    expect([log.earliest, log.next]).toEqual([100n, 103n]);
    expect(log.append("YQ==", 5000)).toBe(103n);
    expect(log.read(102n, 1000, 10).map((record) => [record.sequenceNumber, record.timestamp])).toEqual([
      [102n, 1020],
      [103n, 5000],
    ]);
  });

  it.each([
    ["before everything", 0, 100n],
    ["on a generated record", 1010, 101n],
    ["between generated records", 1011, 102n],
    ["after the generated records, before the written ones", 1500, 103n],
    ["on a written record", 5000, 103n],
    ["after everything", 9000, 105n],
  ])("positionAtTime %s", (_, time, expected) => {
    const log = generated(3);
    log.append("YQ==", 5000);
    log.append("YQ==", 6000);
    expect(log.positionAtTime(time)).toBe(expected);
  });

  it("finds positions in written records that arrived out of time order", () => {
    const log = new PartitionLog(0, 0n);
    for (const timestamp of [50, 10, 60, 20]) log.append("YQ==", timestamp);
    expect(log.positionAtTime(55)).toBe(2n);
    expect(log.positionAtTime(5)).toBe(0n);
  });

  it("expires a prefix by timestamp, across generated and written records", () => {
    const log = generated(3);
    log.append("YQ==", 5000);
    log.expireBefore(1011);
    expect(log.earliest).toBe(102n);
    expect(log.earliestTimestamp()).toBe(1020);
    log.expireBefore(5000);
    expect(log.earliest).toBe(103n);
    log.expireBefore(5001);
    expect([log.earliest, log.next, log.earliestTimestamp()]).toEqual([104n, 104n, undefined]);
  });

  it("stops expiry at the first record that is still young, even if later ones are older", () => {
    const log = new PartitionLog(0, 0n);
    for (const timestamp of [10, 50, 20]) log.append("YQ==", timestamp);
    log.expireBefore(30);
    expect(log.earliest).toBe(1n);
  });

  it("reclaims expired written records in batches without changing what is visible", () => {
    const log = new PartitionLog(0, 0n);
    for (let index = 0; index < 5000; index++) log.append(Buffer.from(String(index)).toString("base64"), index);
    log.expireBefore(4000);
    expect([log.earliest, log.next]).toEqual([4000n, 5000n]);
    expect(log.read(4000n, 1_000_000, 2).map((record) => Buffer.from(record.data, "base64").toString())).toEqual(["4000", "4001"]);
    expect(log.positionAtTime(4500)).toBe(4500n);
    log.append("YQ==", 9999);
    expect(log.read(4999n, 1_000, 5).map((record) => record.sequenceNumber)).toEqual([4999n, 5000n]);
  });

  it("round-trips through a snapshot, keeping only retained written records", () => {
    const log = generated(2);
    log.append("YQ==", 5000, "key");
    log.append("Yg==", 6000);
    log.expireBefore(5500);
    const snapshot = log.snapshot();
    expect(snapshot).toEqual({
      firstSequenceNumber: "100",
      expired: 3,
      generated: { count: 2, startTime: 1000, intervalMs: 10 },
      written: [[6000, "Yg=="]],
    });
    const restored = PartitionLog.fromSnapshot(0, snapshot);
    expect([restored.earliest, restored.next]).toEqual([103n, 104n]);
    expect(restored.read(103n, 100, 10)).toEqual([{ sequenceNumber: 103n, data: "Yg==", timestamp: 6000 }]);
    expect(restored.snapshot()).toEqual(snapshot);
  });

  it("budgets reads by decoded bytes and record count", () => {
    const log = new PartitionLog(0, 0n);
    for (let index = 0; index < 5; index++) log.append("YWJj", index);
    expect(log.read(0n, 7, 10)).toHaveLength(2);
    expect(log.read(0n, 1000, 3)).toHaveLength(3);
    expect(log.read(0n, 2, 10)).toHaveLength(0);
  });

  it.each([
    ["", 0],
    ["YQ==", 1],
    ["YWI=", 2],
    ["YWJj", 3],
  ])("decodedLength(%j) = %i", (base64, expected) => {
    expect(decodedLength(base64)).toBe(expected);
  });
});

describe("cursors", () => {
  const cursor: Cursor = { stream: "s", partition: 2, position: 9223372036854775000n, followsTrimHorizon: false, issuedAt: 1000 };

  it("round-trip, with the position exact", () => {
    expect(decodeCursor(encodeCursor(cursor), 1000)).toEqual(cursor);
    expect(decodeCursor(encodeCursor({ ...cursor, followsTrimHorizon: true }), 1000).followsTrimHorizon).toBe(true);
  });

  it("decode the documented sample (standard base64, bare partition id)", () => {
    const sample = Buffer.from(
      JSON.stringify({
        getIteratorParam: { "stream-name": "jzc", "partition-id": "0", "cursor-type": "AT_SEQUENCE_NUMBER", "starting-sequence-number": "10" },
        generateTimestamp: 1506159563405,
      }),
    ).toString("base64");
    expect(decodeCursor(sample, 1506159563405)).toEqual({ stream: "jzc", partition: 0, position: 10n, followsTrimHorizon: false, issuedAt: 1506159563405 });
  });

  it.each([
    ["expire one millisecond after five minutes", 1000 + 300_001, "DIS.4225"],
    ["live exactly five minutes", 1000 + 300_000, undefined],
  ])("%s", (_, now, code) => {
    const run = () => decodeCursor(encodeCursor(cursor), now);
    if (code === undefined) expect(run()).toEqual(cursor);
    else expect(run).toThrow(expect.objectContaining({ code }) as unknown as EmulatorError);
  });

  it.each([
    "",
    "%%%",
    Buffer.from("[]").toString("base64url"),
    Buffer.from(JSON.stringify({ getIteratorParam: { "stream-name": "s", "partition-id": "x", "cursor-type": "AT_SEQUENCE_NUMBER", "starting-sequence-number": "1" }, generateTimestamp: 1 })).toString("base64url"),
    Buffer.from(JSON.stringify({ getIteratorParam: { "stream-name": "s", "partition-id": "0", "cursor-type": "LATEST", "starting-sequence-number": "1" }, generateTimestamp: 1 })).toString("base64url"),
  ])("refuse %j as DIS.4217", (text) => {
    expect(() => decodeCursor(text, 1)).toThrow(expect.objectContaining({ code: "DIS.4217" }) as unknown as EmulatorError);
  });
});
