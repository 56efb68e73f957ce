/**
 * `plan`: every declared partition of a stack, live → declared, with the direction, the record count, whether
 * the reconciler would commit it or refuse it (the planner's own rules, `planCommits` and `impactOf`), and how
 * long the declared position stays within retention. Rendered as Markdown for a pull-request comment and as
 * JSON for machines.
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

export interface StreamPlan {
  app: string;
  stream: string;
  allowSkip: boolean;
  rows: PlanRow[];
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

// ---- rendering ---------------------------------------------------------------------------------

export interface PlanSummary {
  partitions: number;
  commits: number;
  refused: number;
  replay: { partitions: number; records: string };
  skip: { partitions: number; records: string };
}

export function summarize(report: PlanReport): PlanSummary {
  const rows = report.streams.flatMap((stream) => stream.rows);
  const total = (direction: Direction) => {
    const matching = rows.filter((row) => row.status !== "refused" && row.status !== "declaration-unchanged" && row.direction === direction);
    return { partitions: matching.length, records: String(matching.reduce((sum, row) => sum + BigInt(row.records), 0n)) };
  };
  return {
    partitions: rows.length,
    commits: rows.filter((row) => row.status === "commit").length,
    refused: rows.filter((row) => row.status === "refused").length,
    replay: total("replay"),
    skip: total("skip"),
  };
}

export function hasRefusals(report: PlanReport): boolean {
  return report.streams.some((stream) => stream.rows.some((row) => row.status === "refused"));
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${rest}m`;
  return `${rest}m`;
}

export function describeMargin(margin: RetentionMargin): string {
  switch (margin.kind) {
    case "ok":
      return `${formatDuration(margin.marginMs)} (until ${new Date(margin.expiresAt).toISOString()})`;
    case "expired":
      return "already expired";
    case "no-record-yet":
      return "no record yet";
    case "unknown":
      return "unknown";
  }
}

const STATUS_TEXT: Record<RowStatus, string> = {
  commit: "commit",
  "already-live": "no commit (already live)",
  "declaration-unchanged": "no commit (declaration unchanged)",
  refused: "**REFUSED**",
};

function describeMove(row: PlanRow): string {
  switch (row.direction) {
    case "replay":
      return `replay ${row.records}`;
    case "skip":
      return `skip ${row.records}`;
    case "none":
      return "none";
    case "initial":
      return "initial";
    default:
      return "n/a";
  }
}

function count(n: number | string, noun: string): string {
  return `${n} ${noun}${String(n) === "1" ? "" : "s"}`;
}

/** Markdown for a pull-request comment: summary, refusals first and loud, one table per stream. */
export function renderMarkdown(report: PlanReport): string {
  const summary = summarize(report);
  const stack = report.stack ? ` for stack \`${report.stack}\`` : "";
  const lines = [
    `### dis-checkpoints plan${stack}`,
    "",
    `**${count(summary.partitions, "declared partition")}: ${summary.commits} to commit, ${summary.refused} refused; ` +
      `replay ${count(summary.replay.records, "record")} on ${count(summary.replay.partitions, "partition")}, ` +
      `skip ${count(summary.skip.records, "record")} on ${count(summary.skip.partitions, "partition")}.** ` +
      `Convention \`${report.convention}\`. Read ${report.generatedAt}.`,
  ];
  const refused = report.streams.flatMap((stream) => stream.rows.filter((row) => row.refusal).map((row) => row.refusal!.message));
  if (refused.length > 0) {
    lines.push("", `> [!CAUTION]`, `> **${refused.length} refused: \`up\` would commit nothing until these are fixed.**`);
    for (const message of refused) lines.push(`> - ${message}`);
  }
  for (const stream of report.streams) {
    lines.push("", `#### ${stream.app} / ${stream.stream}${stream.allowSkip ? " (allowSkip)" : ""}`, "");
    lines.push("| partition | live | declared | move (records) | status | retention margin |", "|---:|---:|---:|---|---|---|");
    for (const row of stream.rows) {
      lines.push(`| ${row.partition} | ${row.live ?? "none"} | ${row.declared} | ${describeMove(row)} | ${STATUS_TEXT[row.status]} | ${describeMargin(row.retention)} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** JSON for machines (shape documented in docs/disaster-recovery.md). */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify({ version: 1, ...report, summary: summarize(report), refused: hasRefusals(report) }, null, 2)}\n`;
}
