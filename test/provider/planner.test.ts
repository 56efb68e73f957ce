import { describe, expect, it } from "vitest";
import type { LivePartition, StreamDeclaration } from "../../src/provider/model";
import { declarationChanged, impactOf, planCommits, type Plan } from "../../src/provider/planner";

function declaration(partitions: Record<string, string>, options: Partial<StreamDeclaration> = {}): StreamDeclaration {
  return { app: "billing", stream: "orders", partitions, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, ...options };
}

function live(...partitions: Array<[number, string | null, string, string, string?]>): Map<number, LivePartition> {
  return new Map(
    partitions.map(([ordinal, checkpoint, first, next, metadata]) => [
      ordinal,
      { ordinal, checkpoint, first, next, ...(metadata !== undefined ? { metadata } : {}) },
    ]),
  );
}

const where = (p: number) => `app 'billing', stream 'orders', partition ${p}`;

describe("planCommits", () => {
  const cases: Array<{ name: string; previous?: StreamDeclaration; next: StreamDeclaration; live?: Map<number, LivePartition>; plan: Plan }> = [
    {
      name: "first apply without live data commits every partition",
      next: declaration({ "0": "10", "1": "20" }),
      plan: {
        commits: [
          { ordinal: 0, sequenceNumber: "10", reason: "new" },
          { ordinal: 1, sequenceNumber: "20", reason: "new" },
        ],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "first apply on partitions with no checkpoint yet",
      next: declaration({ "0": "10" }, { metadata: { "0": "replay INC-1" } }),
      live: live([0, null, "0", "100"]),
      plan: {
        commits: [{ ordinal: 0, sequenceNumber: "10", metadata: "replay INC-1", reason: "new", live: null, impact: { kind: "initial" } }],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "unchanged declaration commits nothing even though consumers moved on",
      previous: declaration({ "0": "10", "1": "20" }),
      next: declaration({ "0": "10", "1": "20" }),
      live: live([0, "95", "0", "100"], [1, "99", "0", "100"]),
      plan: { commits: [], refusals: [], unchanged: [0, 1] },
    },
    {
      name: "one changed partition commits only that partition, as a replay",
      previous: declaration({ "0": "10", "1": "20" }),
      next: declaration({ "0": "10", "1": "5" }),
      live: live([0, "95", "0", "100"], [1, "99", "0", "100"]),
      plan: {
        commits: [{ ordinal: 1, sequenceNumber: "5", reason: "changed", live: "99", impact: { kind: "replay", records: 94n } }],
        refusals: [],
        unchanged: [0],
      },
    },
    {
      name: "metadata-only change commits the same value",
      previous: declaration({ "0": "10" }),
      next: declaration({ "0": "10" }, { metadata: { "0": "note" } }),
      live: live([0, "10", "0", "100", ""]),
      plan: {
        commits: [{ ordinal: 0, sequenceNumber: "10", metadata: "note", reason: "changed", live: "10", impact: { kind: "none" } }],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "a bumped revision re-commits every partition, even at the live value",
      previous: declaration({ "0": "10", "1": "20" }),
      next: declaration({ "0": "10", "1": "20" }, { revision: 1 }),
      live: live([0, "10", "0", "100"], [1, "50", "0", "100"]),
      plan: {
        commits: [
          { ordinal: 0, sequenceNumber: "10", reason: "revision", live: "10", impact: { kind: "none" } },
          { ordinal: 1, sequenceNumber: "20", reason: "revision", live: "50", impact: { kind: "replay", records: 30n } },
        ],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "a new declaration already equal to live is adopted without a commit",
      next: declaration({ "0": "42", "1": "7" }),
      live: live([0, "42", "0", "100"], [1, "6", "0", "100"]),
      plan: {
        commits: [],
        refusals: [
          {
            ordinal: 1,
            code: "skip-not-allowed",
            message: `${where(1)}: moving the live checkpoint 6 forward to 7 would skip 1 record; set allowSkip: true on stream 'orders' to allow it, or declare 6 or less`,
          },
        ],
        unchanged: [0],
      },
    },
    {
      name: "moving forward with allowSkip is a reported skip",
      previous: declaration({ "0": "10" }),
      next: declaration({ "0": "90" }, { allowSkip: true }),
      live: live([0, "40", "0", "100"]),
      plan: {
        commits: [{ ordinal: 0, sequenceNumber: "90", reason: "changed", live: "40", impact: { kind: "skip", records: 50n } }],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "out of range below the first retained and above the next sequence number",
      next: declaration({ "0": "5", "1": "101", "2": "100" }),
      live: live([0, null, "6", "100"], [1, null, "0", "100"], [2, null, "0", "100"]),
      plan: {
        commits: [{ ordinal: 2, sequenceNumber: "100", reason: "new", live: null, impact: { kind: "initial" } }],
        refusals: [
          {
            ordinal: 0,
            code: "out-of-range",
            message: `${where(0)}: sequence number 5 is out of range; the partition retains 6 … 100 (100 is the next to be written); declare a value in that range`,
          },
          {
            ordinal: 1,
            code: "out-of-range",
            message: `${where(1)}: sequence number 101 is out of range; the partition retains 0 … 100 (100 is the next to be written); declare a value in that range`,
          },
        ],
        unchanged: [],
      },
    },
    {
      name: "a partition the stream does not have",
      next: declaration({ "7": "1" }),
      live: live([0, null, "0", "0"]),
      plan: {
        commits: [],
        refusals: [
          {
            ordinal: 7,
            code: "partition-missing",
            message: `${where(7)}: the stream has no partition 7 (it has 1); remove the entry or fix the partition id`,
          },
        ],
        unchanged: [],
      },
    },
    {
      name: "sequence numbers near 2^63-1 compare exactly",
      previous: declaration({ "0": "9223372036854775000" }),
      next: declaration({ "0": "9223372036854775806" }),
      live: live([0, "9223372036854775805", "9223372036854775000", "9223372036854775807"]),
      plan: {
        commits: [],
        refusals: [
          {
            ordinal: 0,
            code: "skip-not-allowed",
            message: `${where(0)}: moving the live checkpoint 9223372036854775805 forward to 9223372036854775806 would skip 1 record; set allowSkip: true on stream 'orders' to allow it, or declare 9223372036854775805 or less`,
          },
        ],
        unchanged: [],
      },
    },
    {
      name: "partitions are planned in ordinal order, not key order",
      next: declaration({ "10": "1", "2": "1" }),
      plan: {
        commits: [
          { ordinal: 2, sequenceNumber: "1", reason: "new" },
          { ordinal: 10, sequenceNumber: "1", reason: "new" },
        ],
        refusals: [],
        unchanged: [],
      },
    },
    {
      name: "a partition added to an existing declaration is new",
      previous: declaration({ "0": "1" }),
      next: declaration({ "0": "1", "1": "3" }),
      plan: { commits: [{ ordinal: 1, sequenceNumber: "3", reason: "new" }], refusals: [], unchanged: [0] },
    },
  ];

  it.each(cases)("$name", ({ previous, next, live: livePartitions, plan }) => {
    expect(planCommits(previous, next, livePartitions)).toEqual(plan);
  });
});

describe("declarationChanged", () => {
  const base = declaration({ "0": "1" }, { metadata: { "0": "m" } });
  it.each([
    ["nothing", base, false],
    ["a value", { ...base, partitions: { "0": "2" } }, true],
    ["a removed partition", { ...base, partitions: {} }, true],
    ["metadata", { ...base, metadata: {} }, true],
    ["revision", { ...base, revision: 1 }, true],
    ["allowSkip", { ...base, allowSkip: true }, true],
    ["onDelete", { ...base, onDelete: "delete" as const }, true],
  ])("%s", (_name, next, changed) => {
    expect(declarationChanged(base, next)).toBe(changed);
  });
});

describe("impactOf", () => {
  it.each([
    [null, "5", { kind: "initial" }],
    ["5", "5", { kind: "none" }],
    ["9", "5", { kind: "replay", records: 4n }],
    ["5", "9", { kind: "skip", records: 4n }],
  ] as const)("live %s → declared %s", (current, declared, impact) => {
    expect(impactOf(current, declared)).toEqual(impact);
  });
});
