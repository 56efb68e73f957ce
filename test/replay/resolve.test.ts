import { describe, expect, it } from "vitest";
import { decide, formatResolution, resolvedDeclarations, type Finding, type Outcome } from "../../src/replay";

const AT = Date.parse("2026-11-20T02:00:00.000Z");
const WRITTEN = Date.parse("2026-11-20T02:00:07.000Z");
const record = { sequenceNumber: "1520", timestamp: WRITTEN };

describe("decide: one partition's finding under a convention", () => {
  const found = (sequenceNumber: string, first: string, fromEarliest = false): Finding => ({ kind: "found", sequenceNumber, timestamp: WRITTEN, first, fromEarliest });
  it.each<[string, Finding, "next" | "last", Outcome]>([
    ["next declares the record", found("1520", "1000"), "next", { kind: "declare", sequenceNumber: "1520", record, fromEarliest: false }],
    ["last declares the one before", found("1520", "1000"), "last", { kind: "declare", sequenceNumber: "1519", record, fromEarliest: false }],
    ["next at the first retained record", found("1000", "1000"), "next", { kind: "declare", sequenceNumber: "1000", record: { ...record, sequenceNumber: "1000" }, fromEarliest: false }],
    [
      "last at the first retained record cannot be declared",
      found("1000", "1000"),
      "last",
      {
        kind: "error",
        message:
          "convention 'last' needs 999, one before record 1000, but the partition retains 1000 onwards: no checkpoint makes the consumer start at its first retained record; reset the consumer to its earliest position instead",
      },
    ],
    [
      "last at sequence number 0",
      found("0", "0"),
      "last",
      {
        kind: "error",
        message:
          "convention 'last' needs -1, one before record 0, but the partition retains 0 onwards: no checkpoint makes the consumer start at its first retained record; reset the consumer to its earliest position instead",
      },
    ],
    ["last one above the first retained", found("1001", "1000"), "last", { kind: "declare", sequenceNumber: "1000", record: { ...record, sequenceNumber: "1001" }, fromEarliest: false }],
    ["next beyond 2^53", found("9223372036854775806", "9223372036854775000"), "next", { kind: "declare", sequenceNumber: "9223372036854775806", record: { ...record, sequenceNumber: "9223372036854775806" }, fromEarliest: false }],
    ["last beyond 2^53", found("9223372036854775806", "9223372036854775000"), "last", { kind: "declare", sequenceNumber: "9223372036854775805", record: { ...record, sequenceNumber: "9223372036854775806" }, fromEarliest: false }],
    ["--earliest is carried", found("1200", "1200", true), "next", { kind: "declare", sequenceNumber: "1200", record: { ...record, sequenceNumber: "1200" }, fromEarliest: true }],
    ["empty partition", { kind: "empty", first: "40" }, "next", { kind: "note", message: "empty (no retained records; the next will be 40): nothing declared" }],
    ["no record after the instant", { kind: "none-after", next: "2000" }, "last", { kind: "note", message: "no record at or after 2026-11-20T02:00:00.000Z yet (the next will be 2000): nothing declared" }],
    [
      "before retention",
      { kind: "expired", earliestMs: Date.parse("2026-11-20T03:00:00.000Z") },
      "next",
      {
        kind: "error",
        message:
          "2026-11-20T02:00:00.000Z is before the retained range (the earliest retained record is from 2026-11-20T03:00:00.000Z): records from then are gone; pass --earliest to start from the earliest retained record instead",
      },
    ],
  ])("%s", (_name, finding, convention, outcome) => {
    expect(decide(finding, convention, AT)).toEqual(outcome);
  });
});

describe("resolution report and declarations", () => {
  const results = [
    {
      app: "billing",
      stream: "orders",
      partitions: [
        { partition: 0, outcome: decide({ kind: "found", sequenceNumber: "1520", timestamp: WRITTEN, first: "0", fromEarliest: false }, "next", AT) },
        { partition: 1, outcome: decide({ kind: "empty", first: "0" }, "next", AT) },
        { partition: 2, outcome: decide({ kind: "found", sequenceNumber: "7", timestamp: WRITTEN, first: "7", fromEarliest: true }, "next", AT) },
      ],
    },
    { app: "billing", stream: "refunds", partitions: [{ partition: 0, outcome: decide({ kind: "none-after", next: "3" }, "next", AT) }] },
  ];

  it("reports every partition with the convention and the record reached", () => {
    expect(formatResolution(results, AT, "next")).toBe(
      [
        "Instant: 2026-11-20T02:00:00.000Z",
        "Convention 'next': a checkpoint is the next sequence number to read, so the first record at or after the instant is declared.",
        "billing / orders",
        "  partition 0: 1520 (record 1520 written 2026-11-20T02:00:07.000Z)",
        "  partition 1: empty (no retained records; the next will be 0): nothing declared",
        "  partition 2: 7 (record 7 written 2026-11-20T02:00:07.000Z, the earliest retained: --earliest)",
        "billing / refunds",
        "  partition 0: no record at or after 2026-11-20T02:00:00.000Z yet (the next will be 3): nothing declared",
      ].join("\n"),
    );
  });

  it("declares only resolved partitions, with metadata naming the instant and the record", () => {
    expect(resolvedDeclarations(results, AT, "next")).toEqual([
      {
        name: "billing",
        streams: [
          {
            name: "orders",
            partitions: [
              { ordinal: 0, sequenceNumber: "1520", metadata: "resolve --at 2026-11-20T02:00:00.000Z: first record at or after it 1520 written 2026-11-20T02:00:07.000Z, convention next" },
              { ordinal: 2, sequenceNumber: "7", metadata: "resolve --at 2026-11-20T02:00:00.000Z: earliest retained record 7 written 2026-11-20T02:00:07.000Z, convention next" },
            ],
          },
          { name: "refunds", partitions: [] },
        ],
      },
    ]);
  });
});
