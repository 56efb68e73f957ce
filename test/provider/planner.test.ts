/** The planner as tables: every rule that decides whether a checkpoint moves (docs/architecture.md, "The rules"). */
import { describe, expect, it } from "vitest";
import type { LivePartition, StreamDeclaration } from "../../src/provider/model";
import {
  activityRefusals,
  declarationChanged,
  declaredChanges,
  movedBetween,
  moveOf,
  planAgainstLive,
  validRange,
  verifyCommit,
  type DeclaredChanges,
  type StreamPlan,
} from "../../src/provider/planner";

function declaration(partitions: Record<string, string>, options: Partial<StreamDeclaration> = {}): StreamDeclaration {
  return {
    app: "billing",
    stream: "orders",
    partitions,
    metadata: {},
    allowSkip: false,
    onDelete: "retain",
    revision: 0,
    whileConsumersRun: "refuse",
    partitionRevisions: {},
    ...options,
  };
}

function live(...partitions: Array<[number, string | null, string, string, string?]>): Map<number, LivePartition> {
  return new Map(
    partitions.map(([ordinal, checkpoint, first, next, metadata]) => [ordinal, { ordinal, checkpoint, first, next, ...(metadata !== undefined ? { metadata } : {}) }]),
  );
}

describe("declaredChanges: only a changed declaration commits", () => {
  const cases: Array<{ name: string; applied?: StreamDeclaration; declared: StreamDeclaration; recommit?: boolean; changes: DeclaredChanges }> = [
    {
      name: "a first apply: every partition is new",
      declared: declaration({ "0": "10", "1": "20" }, { metadata: { "1": "note" } }),
      changes: {
        candidates: [
          { ordinal: 0, sequenceNumber: "10", reason: "new" },
          { ordinal: 1, sequenceNumber: "20", reason: "new", metadata: "note" },
        ],
        unchanged: [],
        dropped: [],
      },
    },
    {
      name: "unchanged: nothing, whatever the consumers did",
      applied: declaration({ "0": "10", "1": "20" }),
      declared: declaration({ "0": "10", "1": "20" }),
      changes: { candidates: [], unchanged: [0, 1], dropped: [] },
    },
    {
      name: "one value changed, one partition added, one dropped",
      applied: declaration({ "0": "10", "1": "20", "2": "30" }),
      declared: declaration({ "0": "10", "1": "15", "3": "40" }),
      changes: {
        candidates: [
          { ordinal: 1, sequenceNumber: "15", reason: "changed" },
          { ordinal: 3, sequenceNumber: "40", reason: "new" },
        ],
        unchanged: [0],
        dropped: [2],
      },
    },
    {
      name: "metadata alone changed",
      applied: declaration({ "0": "10" }),
      declared: declaration({ "0": "10" }, { metadata: { "0": "INC-1" } }),
      changes: { candidates: [{ ordinal: 0, sequenceNumber: "10", reason: "changed", metadata: "INC-1" }], unchanged: [], dropped: [] },
    },
    {
      name: "a bumped revision: every partition again",
      applied: declaration({ "0": "10", "1": "20" }),
      declared: declaration({ "0": "10", "1": "20" }, { revision: 1 }),
      changes: {
        candidates: [
          { ordinal: 0, sequenceNumber: "10", reason: "revision" },
          { ordinal: 1, sequenceNumber: "20", reason: "revision" },
        ],
        unchanged: [],
        dropped: [],
      },
    },
    {
      name: "a revision bump that failed part-way: only the partitions still at the earlier revision",
      applied: declaration({ "0": "10", "1": "20" }, { revision: 1, partitionRevisions: { "1": 0 } }),
      declared: declaration({ "0": "10", "1": "20" }, { revision: 1 }),
      changes: { candidates: [{ ordinal: 1, sequenceNumber: "20", reason: "revision" }], unchanged: [0], dropped: [] },
    },
    {
      name: "the app was deleted: every partition again",
      applied: declaration({ "0": "10" }),
      declared: declaration({ "0": "10" }),
      recommit: true,
      changes: { candidates: [{ ordinal: 0, sequenceNumber: "10", reason: "app-missing" }], unchanged: [], dropped: [] },
    },
  ];
  it.each(cases)("$name", ({ applied, declared, recommit, changes }) => {
    expect(declaredChanges(applied, declared, recommit)).toEqual(changes);
  });

  it.each([
    ["an option changed", declaration({ "0": "1" }), declaration({ "0": "1" }, { onDelete: "delete" }), true],
    ["whileConsumersRun changed", declaration({ "0": "1" }), declaration({ "0": "1" }, { whileConsumersRun: "allow" }), true],
    ["a partition dropped", declaration({ "0": "1", "1": "2" }), declaration({ "0": "1" }), true],
    ["nothing", declaration({ "0": "1" }, { allowSkip: true }), declaration({ "0": "1" }, { allowSkip: true }), false],
  ] as const)("declarationChanged: %s", (_name, applied, declared, changed) => {
    expect(declarationChanged(applied, declared)).toBe(changed);
  });
});

describe("validRange: one definition per convention", () => {
  it.each([
    ["next", "0", "100", { lowest: 0n, highest: 100n }],
    ["last", "0", "100", { lowest: 0n, highest: 99n }],
    ["next", "40", "40", { lowest: 40n, highest: 40n }],
    ["last", "40", "40", undefined],
    ["last", "40", "41", { lowest: 40n, highest: 40n }],
  ] as const)("%s over %s … %s (next to be written)", (convention, first, next, range) => {
    expect(validRange({ first, next }, convention)).toEqual(range);
  });
});

describe("planAgainstLive", () => {
  const plan = (declared: StreamDeclaration, livePartitions: Map<number, LivePartition>, firstApply = false, convention: "next" | "last" = "next"): StreamPlan =>
    planAgainstLive(declared, declaredChanges(firstApply ? undefined : declaration({}), declared), livePartitions, convention, firstApply);

  it("commits what moves, adopts what is live already, refuses the rest with the values that explain why", () => {
    const declared = declaration({ "0": "10", "1": "90", "2": "50", "3": "7", "4": "200", "9": "1" });
    const result = plan(declared, live([0, "40", "0", "100"], [1, "40", "0", "100"], [2, null, "0", "100"], [3, "7", "0", "100"], [4, "7", "0", "100"]));
    expect(result.commits).toEqual([
      { ordinal: 0, sequenceNumber: "10", reason: "new", live: "40", move: { kind: "replay", records: 30n } },
      { ordinal: 2, sequenceNumber: "50", reason: "new", live: null, move: { kind: "initial" } },
    ]);
    expect(result.adopted).toEqual([3]);
    expect(result.refusals).toEqual([
      { app: "billing", stream: "orders", ordinal: 1, declared: "90", code: "skip-not-allowed", live: "40", records: 50n },
      { app: "billing", stream: "orders", ordinal: 4, declared: "200", code: "out-of-range", first: "0", next: "100", convention: "next" },
      { app: "billing", stream: "orders", ordinal: 9, declared: "1", code: "partition-missing", partitionCount: 5 },
    ]);
  });

  it("allows the skip when the stream says allowSkip", () => {
    const result = plan(declaration({ "0": "90" }, { allowSkip: true }), live([0, "40", "0", "100"]));
    expect(result.commits).toEqual([{ ordinal: 0, sequenceNumber: "90", reason: "new", live: "40", move: { kind: "skip", records: 50n } }]);
  });

  it("under convention 'last' refuses the next sequence number (it would skip a record) and accepts the last one", () => {
    expect(plan(declaration({ "0": "100" }), live([0, null, "0", "100"]), false, "last").refusals.map((refusal) => refusal.code)).toEqual(["out-of-range"]);
    expect(plan(declaration({ "0": "99" }), live([0, null, "0", "100"]), false, "last").commits).toHaveLength(1);
    expect(plan(declaration({ "0": "100" }), live([0, null, "0", "100"]), false, "next").commits).toHaveLength(1);
  });

  it("a first apply that moves an existing live checkpoint is refused; adoption and first checkpoints are not", () => {
    const result = plan(declaration({ "0": "150", "1": "185", "2": "20" }), live([0, "190", "0", "200"], [1, "185", "0", "200"], [2, null, "0", "200"]), true);
    expect(result.refusals).toEqual([{ app: "billing", stream: "orders", ordinal: 0, declared: "150", code: "first-apply", live: "190", move: { kind: "replay", records: 40n } }]);
    expect(result.adopted).toEqual([1]);
    expect(result.commits.map((commit) => commit.ordinal)).toEqual([2]);
  });

  it("a changed metadata on the live value commits it; a revision re-commits even live values", () => {
    const metadata = planAgainstLive(declaration({ "0": "10" }, { metadata: { "0": "note" } }), declaredChanges(declaration({ "0": "10" }), declaration({ "0": "10" }, { metadata: { "0": "note" } })), live([0, "10", "0", "100", ""]), "next", false);
    expect(metadata.commits).toEqual([{ ordinal: 0, sequenceNumber: "10", metadata: "note", reason: "changed", live: "10", move: { kind: "none" } }]);
    const revised = declaration({ "0": "10" }, { revision: 1 });
    const revision = planAgainstLive(revised, declaredChanges(declaration({ "0": "10" }), revised), live([0, "10", "0", "100"]), "next", false);
    expect(revision.commits.map((commit) => commit.reason)).toEqual(["revision"]);
  });
});

describe("consumers", () => {
  it("movedBetween lists every partition whose checkpoint differs between the two reads", () => {
    const before = new Map<number, string | null>([[0, "10"], [1, "20"], [2, null]]);
    const after = new Map<number, string | null>([[0, "12"], [1, "20"], [2, "5"], [3, "1"]]);
    expect(movedBetween(before, after)).toEqual([
      { ordinal: 0, before: "10", after: "12" },
      { ordinal: 2, before: null, after: "5" },
      { ordinal: 3, before: null, after: "1" },
    ]);
  });

  it("activityRefusals refuses a committing stream unless it allows running consumers", () => {
    const moved = [{ ordinal: 0, before: "190", after: "199" }];
    const base: StreamPlan = { declaration: declaration({ "0": "150" }), commits: [{ ordinal: 0, sequenceNumber: "150", reason: "changed", live: "190", move: { kind: "replay", records: 40n } }], adopted: [], refusals: [], unchanged: [], dropped: [], firstApply: false };
    expect(activityRefusals(base, moved, 10_000)).toEqual([
      { app: "billing", stream: "orders", ordinal: 0, declared: "150", code: "consumers-active", before: "190", after: "199", windowMs: 10_000 },
    ]);
    expect(activityRefusals({ ...base, declaration: declaration({ "0": "150" }, { whileConsumersRun: "allow" }) }, moved, 10_000)).toEqual([]);
    expect(activityRefusals({ ...base, commits: [] }, moved, 10_000)).toEqual([]);
  });

  it.each([
    ["held", "150", "199", "150", "held"],
    ["a consumer resuming from a replay", "150", "199", "160", "resumed"],
    ["a consumer back at the replaced position", "150", "199", "199", "overwritten"],
    ["a consumer beyond the replaced position", "150", "199", "205", "overwritten"],
    ["moved behind the committed value", "150", "199", "140", "overwritten"],
    ["gone", "150", "199", null, "overwritten"],
    ["a skip the consumer wrote back over", "90", "40", "40", "overwritten"],
    ["a consumer resuming after a skip", "90", "40", "95", "resumed"],
    ["a first checkpoint the consumer moved on from", "20", null, "25", "resumed"],
    ["a re-commit of the live value, consumer moving on", "10", "10", "12", "resumed"],
  ] as const)("verifyCommit: %s", (_name, committed, replaced, now, verdict) => {
    expect(verifyCommit(committed, replaced, now)).toBe(verdict);
  });

  it("moveOf counts records as decimal bigints, beyond 2^53", () => {
    expect(moveOf("9223372036854775807", "0")).toEqual({ kind: "replay", records: 9223372036854775807n });
    expect(moveOf(null, "5")).toEqual({ kind: "initial" });
    expect(moveOf("5", "5")).toEqual({ kind: "none" });
  });
});
