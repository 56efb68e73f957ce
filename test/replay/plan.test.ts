/** planRows: the gate's verdicts (src/provider/gate.ts) joined with live positions and retention margins, as the plan's rows. Pure. */
import { describe, expect, it } from "vitest";
import { encodePositions, formatDuration, moveOf, type LivePartition, type LocatedDeclaration, type StoredStream, type StreamDeclaration, type StreamPlan } from "../../src/provider";
import { loadStream } from "../../src/provider/codec";
import { activityRefusals, declaredChanges, planAgainstLive } from "../../src/provider/planner";
import { firstApplyOf, nextToRead, planRows, retentionMargin, type FirstApply, type PlanRow, type RetentionMargin } from "../../src/replay";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-11-20T12:00:00.000Z");
const FILE = "checkpoints/prod/billing.yaml";

/** A declaration with the defaults the stored form leaves out (provider/codec.ts loadStream). */
function declaration(partitions: Record<string, string>, options: Omit<StoredStream, "partitions"> = {}): StreamDeclaration {
  return loadStream("billing", "orders", { partitions: encodePositions(partitions), ...options });
}

/** The declaration as the program locates it: the stream at line 5, partition N at line 7 + N. */
function located(declared: StreamDeclaration): LocatedDeclaration {
  const sources = Object.keys(declared.partitions).map((key): [number, string] => [Number(key), `${FILE}:${7 + Number(key)}:7`]);
  return { declaration: declared, streamSource: `${FILE}:5:3`, partitionSources: new Map(sources) };
}

function live(entries: Array<[number, string | null, string, string]>): Map<number, LivePartition> {
  return new Map(entries.map(([ordinal, checkpoint, first, next]) => [ordinal, { ordinal, checkpoint, first, next }]));
}

const RANGES = live([
  [0, "500", "100", "1000"],
  [1, null, "100", "1000"],
  [2, "600", "100", "1000"],
  [3, "700", "100", "1000"],
]);

/** What the gate checks for a stream whose declaration changed since `applied` (undefined: never applied, a first apply). */
function gated(applied: StreamDeclaration | undefined, declared: StreamDeclaration): StreamPlan {
  return planAgainstLive(declared, declaredChanges(applied, declared), RANGES, "next", applied === undefined);
}

/** The gate's plan after its second read saw `moved` (consumers-active refusals, gate.ts). */
function watched(plan: StreamPlan, moved: Array<{ ordinal: number; before: string | null; after: string | null }>): StreamPlan {
  return { ...plan, refusals: [...plan.refusals, ...activityRefusals(plan, moved, 300)] };
}

/** The gate's plan of a stream allowed to commit under running consumers: each commit replaces what the second read saw. */
function replacingSecondRead(plan: StreamPlan, after: ReadonlyMap<number, string>): StreamPlan {
  const commits = plan.commits.map((commit) => {
    const now = after.get(commit.ordinal) ?? commit.live;
    return { ...commit, live: now, move: moveOf(now, commit.sequenceNumber) };
  });
  return { ...plan, commits };
}

const NEVER_APPLIED = undefined;
const APPLIED_EMPTY = declaration({});
type Row = Omit<PlanRow, "refusal" | "retention"> & { refusal?: string };

describe("planRows: one row per declared partition, with the gate's verdict", () => {
  it.each<[string, StreamPlan | undefined, StreamDeclaration, Row[]]>([
    [
      "replay, initial, already live, refused skip",
      gated(APPLIED_EMPTY, declaration({ 0: "200", 1: "300", 2: "600", 3: "900" })),
      declaration({ 0: "200", 1: "300", 2: "600", 3: "900" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "commit" },
        { partition: 1, live: null, declared: "300", direction: "initial", records: "0", status: "commit" },
        { partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "already-live" },
        { partition: 3, live: "700", declared: "900", direction: "skip", records: "200", status: "refused", refusal: "skip-not-allowed" },
      ],
    ],
    [
      "skip allowed",
      gated(APPLIED_EMPTY, declaration({ 3: "900" }, { allowSkip: true })),
      declaration({ 3: "900" }, { allowSkip: true }),
      [{ partition: 3, live: "700", declared: "900", direction: "skip", records: "200", status: "commit" }],
    ],
    [
      "a stream whose declaration is unchanged has no gate plan: no commit whatever live says",
      undefined,
      declaration({ 0: "200", 2: "600" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "declaration-unchanged" },
        { partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "already-live" },
      ],
    ],
    [
      "one partition changed: the others stay unchanged",
      gated(declaration({ 0: "200", 1: "300" }), declaration({ 0: "200", 1: "250" })),
      declaration({ 0: "200", 1: "250" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "declaration-unchanged" },
        { partition: 1, live: null, declared: "250", direction: "initial", records: "0", status: "commit" },
      ],
    ],
    [
      "revision bump commits an equal value again",
      gated(declaration({ 2: "600" }), declaration({ 2: "600" }, { revision: 1 })),
      declaration({ 2: "600" }, { revision: 1 }),
      [{ partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "commit" }],
    ],
    [
      "out of range and missing partition",
      gated(APPLIED_EMPTY, declaration({ 0: "50", 9: "5" })),
      declaration({ 0: "50", 9: "5" }),
      [
        { partition: 0, live: "500", declared: "50", direction: "replay", records: "450", status: "refused", refusal: "out-of-range" },
        { partition: 9, live: null, declared: "5", records: "0", status: "refused", refusal: "partition-missing" },
      ],
    ],
    [
      "first apply: moving a live checkpoint is refused; a first checkpoint and an equal one are not",
      gated(NEVER_APPLIED, declaration({ 0: "200", 1: "300", 2: "600" })),
      declaration({ 0: "200", 1: "300", 2: "600" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "refused", refusal: "first-apply" },
        { partition: 1, live: null, declared: "300", direction: "initial", records: "0", status: "commit" },
        { partition: 2, live: "600", declared: "600", direction: "none", records: "0", status: "already-live" },
      ],
    ],
    [
      "consumers active on a declared partition and on one the stream does not declare: both refused, the other in a row of its own",
      watched(gated(APPLIED_EMPTY, declaration({ 0: "200", 1: "300" })), [
        { ordinal: 0, before: "500", after: "510" },
        { ordinal: 3, before: "700", after: "705" },
      ]),
      declaration({ 0: "200", 1: "300" }),
      [
        { partition: 0, live: "500", declared: "200", direction: "replay", records: "300", status: "refused", refusal: "consumers-active" },
        { partition: 1, live: null, declared: "300", direction: "initial", records: "0", status: "commit" },
        { partition: 3, live: "700", declared: null, records: "0", status: "refused", refusal: "consumers-active" },
      ],
    ],
    [
      "consumers may run (whileConsumersRun: allow): the commit replaces what the second read saw",
      replacingSecondRead(gated(APPLIED_EMPTY, declaration({ 0: "200", 2: "650" }, { whileConsumersRun: "allow", allowSkip: true })), new Map([[0, "510"]])),
      declaration({ 0: "200", 2: "650" }, { whileConsumersRun: "allow", allowSkip: true }),
      [
        { partition: 0, live: "510", declared: "200", direction: "replay", records: "310", status: "commit" },
        { partition: 2, live: "600", declared: "650", direction: "skip", records: "50", status: "commit" },
      ],
    ],
  ])("%s", (_name, checked, declared, expected) => {
    const rows = planRows(checked, located(declared), RANGES, new Map());
    expect(rows.map(({ refusal, retention, ...rest }) => ({ ...rest, ...(refusal ? { refusal: refusal.code } : {}) }))).toEqual(expected);
    expect(rows.map((row) => row.retention)).toEqual(rows.map(() => ({ kind: "unknown" })));
  });

  it("carries each refusal's code and message, at the partition's line (the stream's for a partition not declared)", () => {
    const declared = declaration({ 0: "200", 1: "300", 3: "900", 9: "5" });
    const checked = watched(gated(NEVER_APPLIED, declared), [{ ordinal: 2, before: "600", after: "610" }]);
    expect(planRows(checked, located(declared), RANGES, new Map()).map((row) => row.refusal)).toEqual([
      {
        code: "first-apply",
        message: `${FILE}:7:7: app 'billing', stream 'orders', partition 0: the state holds no earlier declaration of this stream, and the commit would move the live checkpoint 500 to 200 (replay 300 records) [first-apply]`,
      },
      undefined,
      {
        code: "consumers-active",
        message:
          `${FILE}:5:3: app 'billing', stream 'orders', partition 2: the checkpoint moved from 600 to 610 within 0.3s: consumers are running and would overwrite the commit; ` +
          "stop its consumers and run again, or set whileConsumersRun: allow on the stream for consumers that re-read their checkpoint [consumers-active]",
      },
      {
        code: "skip-not-allowed",
        message: `${FILE}:10:7: app 'billing', stream 'orders', partition 3: moving the live checkpoint 700 forward to 900 would skip 200 records; set allowSkip: true on stream 'orders' to allow it, or declare 700 or less [skip-not-allowed]`,
      },
      {
        code: "partition-missing",
        message: `${FILE}:16:7: app 'billing', stream 'orders', partition 9: the stream has no partition 9 (it has 4); remove the entry or fix the partition id [partition-missing]`,
      },
    ]);
  });

  it("takes each partition's retention margin, unknown where none was read", () => {
    const margin: RetentionMargin = { kind: "ok", recordTimestamp: NOW - HOUR, expiresAt: NOW + 23 * HOUR, marginMs: 23 * HOUR };
    const declared = declaration({ 0: "200", 1: "300" });
    const rows = planRows(gated(APPLIED_EMPTY, declared), located(declared), RANGES, new Map([[0, margin]]));
    expect(rows.map((row) => row.retention)).toEqual([margin, { kind: "unknown" }]);
  });

  it("counts beyond 2^53 exactly", () => {
    const big = live([[0, "9223372036854775806", "0", "9223372036854775807"]]);
    const declared = declaration({ 0: "1" });
    const [row] = planRows(planAgainstLive(declared, declaredChanges(APPLIED_EMPTY, declared), big, "next", false), located(declared), big, new Map());
    expect(row).toMatchObject({ live: "9223372036854775806", direction: "replay", records: "9223372036854775805", status: "commit" });
  });
});

describe("firstApplyOf: the plan's first-apply note from the gate's token", () => {
  it.each<[string, { firstApplyToken?: string; firstApplyAcknowledged: boolean }, string | undefined, FirstApply | undefined]>([
    ["no first apply moves a live checkpoint", { firstApplyAcknowledged: false }, undefined, undefined],
    ["a token given when none is needed says nothing", { firstApplyAcknowledged: false }, "fa-0000000000", undefined],
    ["refused, no token given", { firstApplyToken: "fa-1234567890", firstApplyAcknowledged: false }, undefined, { token: "fa-1234567890", acknowledged: false }],
    ["acknowledged", { firstApplyToken: "fa-1234567890", firstApplyAcknowledged: true }, "fa-1234567890", { token: "fa-1234567890", acknowledged: true }],
    [
      "a token for other moves",
      { firstApplyToken: "fa-1234567890", firstApplyAcknowledged: false },
      "fa-0000000000",
      { token: "fa-1234567890", acknowledged: false, staleToken: "fa-0000000000" },
    ],
  ])("%s", (_name, gate, given, expected) => {
    expect(firstApplyOf(gate, given)).toEqual(expected);
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
    ["no such partition", 5n, undefined, undefined, { kind: "unknown" }],
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
