import { describe, expect, it } from "vitest";
import type { LivePartition, StreamDeclaration } from "../../src/provider";
import { planCommits } from "../../src/provider";
import { describeImpact, formatImpactTable } from "../../src/program/impact";

const declaration: StreamDeclaration = {
  app: "billing",
  stream: "orders",
  partitions: { "0": "10", "1": "90", "2": "50", "3": "7" },
  metadata: {},
  allowSkip: false,
  onDelete: "retain",
  revision: 0,
};

const live = new Map<number, LivePartition>([
  [0, { ordinal: 0, checkpoint: "40", first: "0", next: "100" }],
  [1, { ordinal: 1, checkpoint: "40", first: "0", next: "100" }],
  [2, { ordinal: 2, checkpoint: null, first: "0", next: "100" }],
  [3, { ordinal: 3, checkpoint: "7", first: "0", next: "100" }],
]);

describe("formatImpactTable", () => {
  it("lists commits then refusals, with live, declared and the records replayed or skipped", () => {
    const plan = planCommits(undefined, declaration, live);
    expect(formatImpactTable(declaration, plan, live, "next")).toBe(
      [
        "billing / orders: 2 to commit, 1 unchanged, 1 refused (convention 'next': a checkpoint is the next sequence number to read)",
        "  partition  live  declared  impact",
        "  0          40    10        replay 30 records",
        "  2          none  50        first checkpoint",
        "  1          40    90        REFUSED (skip-not-allowed)",
      ].join("\n"),
    );
  });

  it("is a single line when nothing would change", () => {
    const plan = planCommits(declaration, declaration, live);
    expect(formatImpactTable(declaration, plan, live, "last")).toBe(
      "billing / orders: 0 to commit, 4 unchanged, 0 refused (convention 'last': a checkpoint is the last sequence number read)",
    );
  });
});

describe("describeImpact", () => {
  it.each([
    [{ kind: "replay", records: 1n } as const, "replay 1 record"],
    [{ kind: "skip", records: 12n } as const, "skip 12 records"],
    [{ kind: "none" } as const, "same position"],
    [{ kind: "initial" } as const, "first checkpoint"],
    [undefined, "unknown (live not read)"],
  ])("%o → %s", (impact, text) => {
    expect(describeImpact(impact)).toBe(text);
  });
});
