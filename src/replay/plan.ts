/**
 * `plan`: every declared partition of a stack, live → declared, with the direction, the record count, whether
 * the reconciler would commit it or refuse it (the gate's own verdicts, src/provider/gate.ts), and how
 * long the declared position stays within retention. Rendered for people and machines in plan-render.ts.
 */
import type { DisClient } from "../dis";
import {
  formatRefusal,
  moveOf,
  readLive,
  runBounded,
  streamKey,
  type ConsumerActivity,
  type Convention,
  type GateReport,
  type LivePartition,
  type LocatedDeclaration,
  type Refusal,
  type RefusalCode,
  type StreamPlan as CheckedStream,
} from "../provider";

export type { ConsumerActivity };

export type Direction = "replay" | "skip" | "none" | "initial";

/** How long the record a consumer would read next from the declared position stays retained. */
export type RetentionMargin =
  | { kind: "ok"; recordTimestamp: number; expiresAt: number; marginMs: number }
  | { kind: "expired" }
  | { kind: "no-record-yet" }
  | { kind: "unknown" };

export type RowStatus = "commit" | "already-live" | "declaration-unchanged" | "refused";

export interface PlanRow {
  partition: number;
  live: string | null;
  /**
   * Null for a partition the stream does not declare: listed only when refused, because consumers moving on
   * any partition of the stream make `up` refuse the whole stream (docs/architecture.md, rule 5).
   */
  declared: string | null;
  /** Absent when the partition does not exist, or is not declared. */
  direction?: Direction;
  /** Records replayed or skipped (decimal string; 0 for none/initial). */
  records: string;
  status: RowStatus;
  refusal?: { code: RefusalCode; message: string };
  retention: RetentionMargin;
}

export interface StreamPlan {
  app: string;
  stream: string;
  allowSkip: boolean;
  rows: PlanRow[];
  /** Absent when the plan did not look. */
  consumerActivity?: ConsumerActivity;
  /** What `up` does on this stream when its consumers look active. */
  whileConsumersRun?: "refuse" | "allow";
}

/** The gate's first-apply token (gate.ts `firstApplyToken`): present when some stream's first apply moves live checkpoints. */
export interface FirstApply {
  token: string;
  /** Whether the token was given (`--acknowledge-first-apply`, or the stack's config): the moves are then planned as commits. */
  acknowledged: boolean;
  /** A token given that does not match the moves (live positions changed since it was printed). */
  staleToken?: string;
}

export interface PlanReport {
  stack?: string;
  convention: Convention;
  generatedAt: string;
  streams: StreamPlan[];
  firstApply?: FirstApply;
}

/** What the plan says about first applies: the gate's token, and whether `given` acknowledged it. */
export function firstApplyOf(gate: Pick<GateReport, "firstApplyToken" | "firstApplyAcknowledged">, given: string | undefined): FirstApply | undefined {
  if (gate.firstApplyToken === undefined) return undefined;
  const stale = given !== undefined && !gate.firstApplyAcknowledged ? { staleToken: given } : {};
  return { token: gate.firstApplyToken, acknowledged: gate.firstApplyAcknowledged, ...stale };
}

/** The position a consumer reads next from a declared checkpoint. */
export function nextToRead(declared: string, convention: Convention): bigint {
  return convention === "next" ? BigInt(declared) : BigInt(declared) + 1n;
}

/**
 * The pure rows of one stream, in partition order. `checked`: the gate's plan of the stream when its
 * declaration changed (absent: nothing to commit); `live`: the partitions as read; `margins`: the retention
 * margin per ordinal (absent: unknown). A commit shows the live value the gate says it replaces, which is the
 * later of its two reads when consumers may run (whileConsumersRun: allow). A refusal on a partition the
 * stream does not declare (its consumers moved there) gets a row of its own, so the plan refuses what `up`
 * refuses.
 */
export function planRows(
  checked: CheckedStream | undefined,
  located: LocatedDeclaration,
  live: ReadonlyMap<number, LivePartition>,
  margins: ReadonlyMap<number, RetentionMargin>,
): PlanRow[] {
  const { declaration } = located;
  const commits = new Map(checked?.commits.map((commit) => [commit.ordinal, commit]));
  const refusals = new Map<number, Refusal>();
  for (const refusal of checked?.refusals ?? []) if (!refusals.has(refusal.ordinal)) refusals.set(refusal.ordinal, refusal);
  const refusalOf = (ordinal: number) => {
    const refusal = refusals.get(ordinal);
    const location = located.partitionSources.get(ordinal) ?? located.streamSource;
    return refusal ? { refusal: { code: refusal.code, message: formatRefusal(refusal, location) } } : {};
  };
  const declaredRows = Object.keys(declaration.partitions).map((key): PlanRow => {
    const ordinal = Number(key);
    const declared = declaration.partitions[key]!;
    const commit = commits.get(ordinal);
    const partition = live.get(ordinal);
    const liveValue = commit ? commit.live : (partition?.checkpoint ?? null);
    const move = commit ? commit.move : partition ? moveOf(liveValue, declared) : undefined;
    const status: RowStatus = refusals.has(ordinal) ? "refused" : commit ? "commit" : liveValue === declared ? "already-live" : "declaration-unchanged";
    return {
      partition: ordinal,
      live: liveValue,
      declared,
      ...(move ? { direction: move.kind } : {}),
      records: move && (move.kind === "replay" || move.kind === "skip") ? String(move.records) : "0",
      status,
      ...refusalOf(ordinal),
      retention: margins.get(ordinal) ?? { kind: "unknown" },
    };
  });
  const undeclaredRows = [...refusals.keys()]
    .filter((ordinal) => declaration.partitions[String(ordinal)] === undefined)
    .map((ordinal): PlanRow => ({
      partition: ordinal,
      live: live.get(ordinal)?.checkpoint ?? null,
      declared: null,
      records: "0",
      status: "refused",
      ...refusalOf(ordinal),
      retention: { kind: "unknown" },
    }));
  return [...declaredRows, ...undeclaredRows].sort((a, b) => a.partition - b.partition);
}

/** The pure margin from the partition's range and the timestamp of the record at the next position (if read). */
export function retentionMargin(
  position: bigint,
  range: Pick<LivePartition, "first" | "next"> | undefined,
  recordTimestamp: number | undefined,
  retentionHours: number,
  now: number,
): RetentionMargin {
  if (!range) return { kind: "unknown" };
  if (position < BigInt(range.first)) return { kind: "expired" };
  if (position >= BigInt(range.next) || recordTimestamp === undefined) return { kind: "no-record-yet" };
  const expiresAt = recordTimestamp + retentionHours * 3_600_000;
  return expiresAt <= now ? { kind: "expired" } : { kind: "ok", recordTimestamp, expiresAt, marginMs: expiresAt - now };
}

/**
 * Every declared stream as the plan shows it: the gate's verdicts (what `up` would commit or refuse, and
 * whether consumers look active) joined with the live positions of every declared partition and how long
 * each declared position stays retained (one cursor and one GetRecords per retained position), `concurrency`
 * requests at a time (the stack's setting, as for commits).
 */
export async function planStreams(
  client: DisClient,
  declarations: readonly LocatedDeclaration[],
  gate: GateReport,
  convention: Convention,
  now: number,
  concurrency: number,
): Promise<StreamPlan[]> {
  const unread = declarations.filter(({ declaration }) => !gate.live.has(streamKey(declaration.app, declaration.stream)));
  const rest = await readLive(client, unread.map(({ declaration }) => declaration), concurrency);
  const liveOf = (key: string) => gate.live.get(key) ?? rest.partitions.get(key)!;
  const retention = new Map<string, number>();
  const streams = [...new Set(declarations.map(({ declaration }) => declaration.stream))];
  await runBounded(streams, concurrency, async (stream) => {
    retention.set(stream, rest.descriptions.get(stream)?.retentionHours ?? (await client.describeStream(stream)).retentionHours);
  });
  const margins = new Map<string, RetentionMargin>();
  const targets = declarations.flatMap(({ declaration }) => Object.entries(declaration.partitions).map(([key, declared]) => ({ declaration, ordinal: Number(key), declared })));
  await runBounded(targets, concurrency, async ({ declaration, ordinal, declared }) => {
    const key = streamKey(declaration.app, declaration.stream);
    const range = liveOf(key).get(ordinal);
    const position = nextToRead(declared, convention);
    let timestamp: number | undefined;
    if (range && position >= BigInt(range.first) && position < BigInt(range.next)) {
      const cursor = await client.getCursor({ stream: declaration.stream, partition: ordinal, type: "AT_SEQUENCE_NUMBER", sequenceNumber: String(position) });
      timestamp = (await client.getRecords({ cursor })).records[0]?.timestamp;
    }
    margins.set(`${key}/${ordinal}`, retentionMargin(position, range, timestamp, retention.get(declaration.stream)!, now));
  });
  const checked = new Map(gate.plans.map((plan) => [streamKey(plan.declaration.app, plan.declaration.stream), plan]));
  return declarations.map((located) => {
    const { declaration } = located;
    const key = streamKey(declaration.app, declaration.stream);
    const streamMargins = new Map(Object.keys(declaration.partitions).map((ordinal) => [Number(ordinal), margins.get(`${key}/${ordinal}`)!]));
    return {
      app: declaration.app,
      stream: declaration.stream,
      allowSkip: declaration.allowSkip,
      whileConsumersRun: declaration.whileConsumersRun,
      consumerActivity: gate.activity.get(key) ?? { kind: "not-sampled" },
      rows: planRows(checked.get(key), located, liveOf(key), streamMargins),
    };
  });
}
