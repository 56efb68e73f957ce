/**
 * `plan`: every declared partition of a stack, live → declared, with the direction, the record count, whether
 * the reconciler would commit it or refuse it (the planner's own rules, `planCommits` and `impactOf`), and how
 * long the declared position stays within retention. Rendered for people and machines in plan-render.ts.
 */
import type { DisClient } from "../dis";
import {
  impactOf,
  planCommits,
  readLivePartitions,
  runBounded,
  type Convention,
  type LivePartition,
  type RefusalCode,
  type StreamDeclaration,
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

/** Whether the app's consumers on a stream looked active when the plan read it. */
export type ConsumerActivity =
  /** Nothing to commit on the stream: read once, activity not judged. */
  | { kind: "not-sampled" }
  /** No checkpoint of the app on the stream moved between two reads `windowMs` apart. */
  | { kind: "idle"; windowMs: number }
  | { kind: "active"; windowMs: number; moved: Array<{ partition: number; from: string | null; to: string | null }> };

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

/** The pure rows of one stream. `margins` holds the retention margin per ordinal (absent: unknown). */
export function planRows(
  previous: StreamDeclaration | undefined,
  declaration: StreamDeclaration,
  live: ReadonlyMap<number, LivePartition>,
  margins: ReadonlyMap<number, RetentionMargin>,
): PlanRow[] {
  const plan = planCommits(previous, declaration, live);
  const committing = new Set(plan.commits.map((commit) => commit.ordinal));
  const refusals = new Map(plan.refusals.map((refusal) => [refusal.ordinal, refusal]));
  return Object.keys(declaration.partitions)
    .map(Number)
    .sort((a, b) => a - b)
    .map((ordinal) => {
      const declared = declaration.partitions[String(ordinal)]!;
      const partition = live.get(ordinal);
      const liveValue = partition?.checkpoint ?? null;
      const impact = partition ? impactOf(liveValue, declared) : undefined;
      const refusal = refusals.get(ordinal);
      const status: RowStatus = refusal
        ? "refused"
        : committing.has(ordinal)
          ? "commit"
          : liveValue === declared
            ? "already-live"
            : "declaration-unchanged";
      return {
        partition: ordinal,
        live: liveValue,
        declared,
        ...(impact ? { direction: impact.kind } : {}),
        records: impact && (impact.kind === "replay" || impact.kind === "skip") ? String(impact.records) : "0",
        status,
        ...(refusal ? { refusal: { code: refusal.code, message: refusal.message } } : {}),
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
 * Reads live positions and margins of one declared stream: one DescribeStream, then one cursor and one GetRecords
 * per retained position, `concurrency` partitions at a time (the stack's setting, as for commits).
 */
export async function planStream(
  client: DisClient,
  previous: StreamDeclaration | undefined,
  declaration: StreamDeclaration,
  convention: Convention,
  now: number,
  concurrency: number,
): Promise<StreamPlan> {
  const [live, description] = await Promise.all([
    readLivePartitions(client, declaration.app, declaration.stream),
    client.describeStream(declaration.stream),
  ]);
  const margins = new Map<number, RetentionMargin>();
  await runBounded(Object.entries(declaration.partitions), concurrency, async ([key, declared]) => {
    const ordinal = Number(key);
    const range = live.get(ordinal);
    const position = nextToRead(declared, convention);
    let timestamp: number | undefined;
    if (range && position >= BigInt(range.first) && position < BigInt(range.next)) {
      const cursor = await client.getCursor({ stream: declaration.stream, partition: ordinal, type: "AT_SEQUENCE_NUMBER", sequenceNumber: String(position) });
      timestamp = (await client.getRecords({ cursor })).records[0]?.timestamp;
    }
    margins.set(ordinal, retentionMargin(position, range, timestamp, description.retentionHours, now));
  });
  return {
    app: declaration.app,
    stream: declaration.stream,
    allowSkip: declaration.allowSkip,
    rows: planRows(previous, declaration, live, margins),
  };
}
