/** What the program prints, as exact text for small cases and as counts at the scale of a real stack. */
import { describe, expect, it } from "vitest";
import { formatGateReport, formatRefusals, formatRunFailures } from "../../src/program/report";
import type { GateReport } from "../../src/provider/gate";
import type { LivePartition, StreamDeclaration } from "../../src/provider/model";
import { declaredChanges, planAgainstLive } from "../../src/provider/planner";

function declaration(stream: string, partitions: Record<string, string>): StreamDeclaration {
  return { app: "billing", stream, partitions, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse", partitionRevisions: {} };
}

function liveOf(checkpoints: Record<string, string | null>): Map<number, LivePartition> {
  return new Map(Object.entries(checkpoints).map(([key, checkpoint]) => [Number(key), { ordinal: Number(key), checkpoint, first: "0", next: "1000" }]));
}

function report(streams: Array<{ applied: StreamDeclaration; declared: StreamDeclaration; live: Map<number, LivePartition> }>, unchangedStreams = 0): GateReport {
  const plans = streams.map(({ applied, declared, live }) => planAgainstLive(declared, declaredChanges(applied, declared), live, "next", false));
  return {
    plans,
    live: new Map(streams.map(({ declared, live }) => [`billing/${declared.stream}`, live])),
    activity: new Map(streams.map(({ declared }) => [`billing/${declared.stream}`, { kind: "idle" as const, windowMs: 10_000 }])),
    refusals: plans.flatMap((plan) => plan.refusals.map((refusal) => ({ refusal, location: `checkpoints/prod/billing.yaml:${6 + refusal.ordinal}:7` }))),
    unchangedStreams,
    removedStreams: [],
    missingApps: [],
    firstApplyAcknowledged: false,
    record: { streams: {}, createApps: [] },
  };
}

describe("formatGateReport", () => {
  it("shows only the partitions that move or are refused, with counts of the rest", () => {
    const applied = declaration("orders", { "0": "40", "1": "40", "2": "40", "3": "40" });
    const declared = declaration("orders", { "0": "10", "1": "90", "2": "40", "3": "40" });
    const text = formatGateReport(report([{ applied, declared, live: liveOf({ "0": "40", "1": "40", "2": "55", "3": "40" }) }], 3), "next");
    expect(text).toBe(
      [
        "billing / orders: 1 to commit, 1 refused, 2 partitions unchanged; consumers idle (no checkpoint moved in 10s)",
        "  partition  live  declared  impact",
        "  0          40    10        replay 30 records",
        "  1          40    90        REFUSED (skip-not-allowed)",
        "3 streams with nothing to commit",
        "Counts follow convention 'next': a checkpoint is the next sequence number to read.",
      ].join("\n"),
    );
  });

  it("says when nothing is committed", () => {
    expect(formatGateReport(report([], 2), "last")).toBe(
      ["2 streams with nothing to commit", "No declared checkpoint changed: nothing will be committed.", "Counts follow convention 'last': a checkpoint is the last sequence number read."].join("\n"),
    );
  });

  it("at 10,000 declared partitions over 100 streams with 100 moves, prints exactly those 100 rows", () => {
    const streams = Array.from({ length: 100 }, (_, index) => {
      const partitions = Object.fromEntries(Array.from({ length: 100 }, (_, p) => [String(p), "500"]));
      const declared = declaration(`stream-${index}`, { ...partitions, [String(index)]: "400" });
      return { applied: declaration(`stream-${index}`, partitions), declared, live: liveOf(Object.fromEntries(Object.keys(partitions).map((key) => [key, "500"]))) };
    });
    const lines = formatGateReport(report(streams), "next").split("\n");
    expect(lines.filter((line) => /^ {2}\d+ +500 +400 +replay 100 records$/.test(line))).toHaveLength(100);
    expect(lines.filter((line) => line.endsWith("99 partitions unchanged; consumers idle (no checkpoint moved in 10s)"))).toHaveLength(100);
    expect(lines).toHaveLength(100 * 3 + 1);
  });
});

describe("formatRefusals and formatRunFailures", () => {
  it("lists every refusal at its location, then what to do", () => {
    const applied = declaration("orders", { "0": "40" });
    const declared = declaration("orders", { "0": "2000" });
    expect(formatRefusals(report([{ applied, declared, live: liveOf({ "0": "40" }) }]), "prod", "s3://state")).toBe(
      [
        "checkpoints/prod/billing.yaml:6:7: app 'billing', stream 'orders', partition 0: sequence number 2000 is out of range: the partition retains 0 … 999, and 1000 is the next to be written; under convention 'next' the valid checkpoints are 0 … 1000; declare a value in that range [out-of-range]",
        "Nothing was committed: fix what is listed above and run again.",
      ].join("\n"),
    );
  });

  it("names the partitions a failure left unattempted", () => {
    expect(
      formatRunFailures(
        [
          { code: "commit-failed", app: "analytics", stream: "orders", partition: 1, committed: "20", replaced: "100", error: "CommitCheckpoint failed: Invalid request. (DIS.4200, HTTP 400)" },
          { code: "not-attempted", app: "analytics", stream: "orders", partitions: "2 3" },
        ],
        { planned: 4, commits: 1, appsCreated: 0, deletes: 0, verified: 1 },
      ),
    ).toBe(
      [
        "The run made 1 of 4 planned commits, and 1 held. The partitions below are not recorded as applied, so the next up commits them (and only them) again:",
        "  app 'analytics', stream 'orders': the commit of 20 to partition 1 failed: CommitCheckpoint failed: Invalid request. (DIS.4200, HTTP 400). It is not recorded as applied; run up again to commit it",
        "  app 'analytics', stream 'orders': the commits to 2 partitions 2, 3 were not attempted after the failure above. They are not recorded as applied; run up again to commit them",
      ].join("\n"),
    );
  });

  it("says how far a run got, what did not settle, and that the next up commits only that", () => {
    expect(
      formatRunFailures(
        [{ code: "overwritten", app: "billing", stream: "payments", partition: 0, committed: "150", replaced: "199", now: "199" }],
        { planned: 2, commits: 2, appsCreated: 0, deletes: 0, verified: 1 },
      ),
    ).toBe(
      [
        "The run made 2 of 2 planned commits, and 1 held. The partitions below are not recorded as applied, so the next up commits them (and only them) again:",
        "  app 'billing', stream 'payments': consumers overwrote the commit on partition 0: committed 150, now 199; the replay did not happen. It is not recorded as applied: stop the consumers and run up again",
      ].join("\n"),
    );
  });
});
