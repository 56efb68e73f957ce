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
  type Convention,
  type GateReport,
  type LivePartition,
  type LocatedDeclaration,
  type Refusal,
  type RefusalCode,
  type StreamPlan as CheckedStream,
} from "../provider";

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
  declared: string;
  /** Absent when the partition does not exist. */
  direction?: Direction;
  /** Records replayed or skipped (decimal string; 0 for none/initial). */
  records: string;
  status: RowStatus;
  refusal?: { code: RefusalCode; message: string };
  retention: RetentionMargin;
}

import type { ConsumerActivity } from "../provider";
export type { ConsumerActivity };

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

export interface PlanReport {
  stack?: string;
  convention: Convention;
  generatedAt: string;
  streams: StreamPlan[];
}

/** The position a consumer reads next from a declared checkpoint. */
export function nextToRead(declared: string, convention: Convention): bigint {
  return convention === "next" ? BigInt(declared) : BigInt(declared) + 1n;
}

/**
 * The pure rows of one stream. `checked`: the gate's plan of the stream when its declaration changed
 * (absent: nothing to commit); `margins`: the retention margin per ordinal (absent: unknown).
 */
export function planRows(
  checked: CheckedStream | undefined,
  located: LocatedDeclaration,
  live: ReadonlyMap<number, LivePartition>,
  margins: ReadonlyMap<number, RetentionMargin>,
): PlanRow[] {
  const { declaration } = located;
  const committing = new Set(checked?.commits.map((commit) => commit.ordinal));
  const refusals = new Map<number, Refusal>();
  for (const refusal of checked?.refusals ?? []) if (!refusals.has(refusal.ordinal)) refusals.set(refusal.ordinal, refusal);
  return Object.keys(declaration.partitions)
    .map(Number)
    .sort((a, b) => a - b)
    .map((ordinal) => {
      const declared = declaration.partitions[String(ordinal)]!;
      const partition = live.get(ordinal);
      const liveValue = partition?.checkpoint ?? null;
      const move = partition ? moveOf(liveValue, declared) : undefined;
      const refusal = refusals.get(ordinal);
      const status: RowStatus = refusal
        ? "refused"
        : committing.has(ordinal)
          ? "commit"
          : liveValue === declared
            ? "already-live"
            : "declaration-unchanged";
      const location = located.partitionSources.get(ordinal) ?? located.streamSource;
      return {
        partition: ordinal,
        live: liveValue,
        declared,
        ...(move ? { direction: move.kind } : {}),
        records: move && (move.kind === "replay" || move.kind === "skip") ? String(move.records) : "0",
        status,
        ...(refusal ? { refusal: { code: refusal.code, message: formatRefusal(refusal, location) } } : {}),
        retention: margins.get(ordinal) ?? { kind: "unknown" },
      };
    });
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
