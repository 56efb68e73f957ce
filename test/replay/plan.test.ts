import { describe, expect, it } from "vitest";
import type { LivePartition, StreamDeclaration } from "../../src/provider";
import {
  formatDuration,
  nextToRead,
  planRows,
  retentionMargin,
  type PlanRow,
  type RetentionMargin,
} from "../../src/replay";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-11-20T12:00:00.000Z");

function declaration(partitions: Record<string, string>, options: Partial<StreamDeclaration> = {}): StreamDeclaration {
  return { app: "billing", stream: "orders", partitions, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, ...options };
}

function live(entries: Array<[number, string | null, string, string]>): Map<number, LivePartition> {
  return new Map(entries.map(([ordinal, checkpoint, first, next]) => [ordinal, { ordinal, checkpoint, first, next }]));
}

const UNKNOWN: RetentionMargin = { kind: "unknown" };

describe("planRows: the planner's verdict and the move for every declared partition", () => {
  const ranges = live([
    [0, "500", "100", "1000"],
    [1, null, "100", "1000"],
    [2, "600", "100", "1000"],
    [3, "700", "100", "1000"],
  ]);
  it.each<[string, StreamDeclaration | undefined, StreamDeclaration, Partial<PlanRow>[]]>([
    [
      "replay, initial, already live, refused skip",
      undefined,
      declaration({ 0: "200", 1: "300", 2: "600", 3: "900" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "commit" },
        { partition: 1, live: null, declared: "300", direction: "initial", records: "0", status: "commit" },
        { partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "already-live" },
        { partition: 3, live: "700", declared: "900", direction: "skip", records: "200", status: "refused" },
      ],
    ],
    [
      "skip allowed",
      undefined,
      declaration({ 3: "900" }, { allowSkip: true }),
      [{ partition: 3, live: "700", declared: "900", direction: "skip", records: "200", status: "commit" }],
    ],
    [
      "unchanged declaration: no commit whatever live says",
      declaration({ 0: "200" }),
      declaration({ 0: "200" }),
      [{ partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "declaration-unchanged" }],
    ],
    [
      "revision bump commits an equal value again",
      declaration({ 2: "600" }),
      declaration({ 2: "600" }, { revision: 1 }),
      [{ partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "commit" }],
    ],
    [
      "out of range and missing partition",
      undefined,
      declaration({ 0: "50", 9: "5" }),
      [
        { partition: 0, live: "500", declared: "50", direction: "replay", records: "450", status: "refused" },
        { partition: 9, live: null, declared: "5", records: "0", status: "refused" },
      ],
    ],
  ])("%s", (_name, previous, next, expected) => {
    const rows = planRows(previous, next, ranges, new Map());
    expect(rows.map(({ refusal, retention, ...rest }) => rest)).toEqual(expected);
    expect(rows.every((row) => (row.status === "refused") === (row.refusal !== undefined))).toBe(true);
    expect(rows.every((row) => row.retention.kind === "unknown")).toBe(true);
  });

  it("carries the planner's refusal code and message", () => {
    const rows = planRows(undefined, declaration({ 3: "900", 9: "5" }), ranges, new Map());
    expect(rows.map((row) => row.refusal)).toEqual([
      {
        code: "skip-not-allowed",
        message:
          "app 'billing', stream 'orders', partition 3: moving the live checkpoint 700 forward to 900 would skip 200 records; set allowSkip: true on stream 'orders' to allow it, or declare 700 or less",
      },
      { code: "partition-missing", message: "app 'billing', stream 'orders', partition 9: the stream has no partition 9 (it has 4); remove the entry or fix the partition id" },
    ]);
  });

  it("counts beyond 2^53 exactly", () => {
    const big = live([[0, "9223372036854775806", "0", "9223372036854775807"]]);
    const [row] = planRows(undefined, declaration({ 0: "1" }), big, new Map());
    expect(row).toMatchObject({ direction: "replay", records: "9223372036854775805" });
  });
});

describe("retention margin", () => {
  const range = { first: "100", next: "200" };
  it.each<[string, bigint, typeof range | undefined, number | undefined, RetentionMargin]>([
    ["retained record", 150n, range, NOW - 10 * HOUR, { kind: "ok", recordTimestamp: NOW - 10 * HOUR, expiresAt: NOW + 14 * HOUR, marginMs: 14 * HOUR }],
    ["below the range", 99n, range, undefined, { kind: "expired" }],
    ["timestamp past retention", 100n, range, NOW - 24 * HOUR, { kind: "expired" }],
    ["at the head", 200n, range, undefined, { kind: "no-record-yet" }],
    ["beyond the head", 250n, range, undefined, { kind: "no-record-yet" }],
    ["no such partition", 5n, undefined, undefined, UNKNOWN],
  ])("%s", (_name, position, givenRange, timestamp, expected) => {
    expect(retentionMargin(position, givenRange, timestamp, 24, NOW)).toEqual(expected);
  });

  it.each([
    ["next", "10", 10n],
    ["last", "10", 11n],
  ] as const)("convention %s reads %s next", (convention, declared, expected) => {
    expect(nextToRead(declared, convention)).toBe(expected);
  });

  it.each([
    [0, "0s"],
    [1_550, "1.5s"],
    [59_999, "59.9s"],
    [90_000, "1m 30s"],
    [90 * 60_000, "1h 30m"],
    [26 * HOUR + 60_000, "1d 2h"],
  ])("%i ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
