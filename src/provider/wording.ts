/**
 * Every sentence the reconciler says about a plan: moves, refusals, failures and the per-stream impact
 * table. The planner and the provider keep everything as data; this is the one place it becomes text, so
 * the preview, `up`, `plan` and the provider's failures say the same thing the same way.
 */
import type { Failure } from "./model";
import type { Move, Refusal, StreamPlan } from "./planner";
import type { Convention } from "./settings";

/** "1,234,567": counts of records and partitions read better grouped; sequence numbers are never passed here. */
export function groupDigits(decimal: string | number | bigint): string {
  return String(decimal).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 partition", "9,898 partitions": the count, grouped, and the noun in the number it needs. */
export function plural(count: number | bigint | string, noun: string, nouns = `${noun}s`): string {
  return `${groupDigits(count)} ${String(count) === "1" ? noun : nouns}`;
}

/** "3d 4h", "2h 5m", "1m 30s", "1.5s": the two largest units, rounded down, so a margin is never overstated. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days}d ${hours % 24}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  if (minutes > 0) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(ms / 100) / 10}s`;
}

export function countRecords(count: bigint): string {
  return plural(count, "record");
}

export const CONVENTION_MEANING: Record<Convention, string> = {
  next: "a checkpoint is the next sequence number to read",
  last: "a checkpoint is the last sequence number read",
};

export function describeConvention(convention: Convention): string {
  return `convention '${convention}': ${CONVENTION_MEANING[convention]}`;
}

/** `replay 30 records`, `skip 1 record`, `first checkpoint`, `no move`. */
export function describeMove(move: Move): string {
  switch (move.kind) {
    case "replay":
      return `replay ${countRecords(move.records)}`;
    case "skip":
      return `skip ${countRecords(move.records)}`;
    case "none":
      return "no move";
    case "initial":
      return "first checkpoint";
  }
}

function where(app: string, stream: string, partition?: number): string {
  return `app '${app}', stream '${stream}'${partition === undefined ? "" : `, partition ${partition}`}`;
}

function describeRange(refusal: Extract<Refusal, { code: "out-of-range" }>): string {
  const { first, next, convention } = refusal;
  const retains = first === next ? `the partition retains no record (the next will be ${next})` : `the partition retains ${first} … ${BigInt(next) - 1n}, and ${next} is the next to be written`;
  if (convention === "next") return `${retains}; under convention 'next' the valid checkpoints are ${first} … ${next}`;
  const highest = BigInt(next) - 1n;
  const valid = highest < BigInt(first) ? "no checkpoint is valid under convention 'last'" : `under convention 'last' the valid checkpoints are ${first} … ${highest}`;
  return (
    `${retains}; ${valid} (${next} would mean the next record written was read already, and ${BigInt(first) - 1n}, ` +
    `to start at the first retained record, is below what DIS accepts)`
  );
}

/** One refusal as a sentence, ending with what to do. */
export function describeRefusal(refusal: Refusal): string {
  const at = where(refusal.app, refusal.stream, refusal.ordinal);
  switch (refusal.code) {
    case "partition-missing":
      return `${at}: the stream has no partition ${refusal.ordinal} (it has ${refusal.partitionCount}); remove the entry or fix the partition id`;
    case "out-of-range":
      return `${at}: sequence number ${refusal.declared} is out of range: ${describeRange(refusal)}; declare a value in that range`;
    case "skip-not-allowed":
      return (
        `${at}: moving the live checkpoint ${refusal.live} forward to ${refusal.declared} would skip ${countRecords(refusal.records)}; ` +
        `set allowSkip: true on stream '${refusal.stream}' to allow it, or declare ${refusal.live} or less`
      );
    case "first-apply":
      return `${at}: the state holds no earlier declaration of this stream, and the commit would move the live checkpoint ${refusal.live} to ${refusal.declared} (${describeMove(refusal.move)})`;
    case "consumers-active":
      return (
        `${at}: the checkpoint moved from ${refusal.before ?? "none"} to ${refusal.after ?? "none"} within ${formatDuration(refusal.windowMs)}: ` +
        `consumers are running and would overwrite the commit; stop its consumers and run again, or set whileConsumersRun: allow ` +
        `on the stream for consumers that re-read their checkpoint`
      );
  }
}

/** `file:line:col: sentence [code]`, the same shape as the declaration errors. */
export function formatRefusal(refusal: Refusal, location: string | undefined): string {
  return `${location === undefined ? "" : `${location}: `}${describeRefusal(refusal)} [${refusal.code}]`;
}

export interface FirstApplyContext {
  stack: string;
  /** Where the stack's state lives, as far as the program can tell (a backend URL). */
  backend: string | undefined;
  token: string;
  /** A token given that does not match the moves (they changed since it was printed). */
  staleToken?: string;
}

/** Said once after the first-apply refusals: both possible causes, and how to acknowledge exactly these moves. */
export function explainFirstApply(context: FirstApplyContext): string {
  const backend = context.backend === undefined ? "its backend" : `its backend, ${context.backend}`;
  const stale = context.staleToken === undefined ? "" : ` The acknowledgement given (${context.staleToken}) was for other moves: live positions changed since.`;
  return (
    `These streams have no earlier declaration in the state of stack '${context.stack}'. Either this is their first apply, or the ` +
    `stack's state went missing (a fresh CI runner with a local backend, another backend, an old state file: the state is read from ${backend}), ` +
    `in which case the consumers' progress since the last apply would be undone.${stale} If the moves above are intended, acknowledge exactly ` +
    `them: \`dis-checkpoints up --stack ${context.stack} --acknowledge-first-apply ${context.token}\`, or set ` +
    `dis-checkpoints:acknowledgeFirstApply to ${context.token} in the stack config for a plain \`pulumi up\`. Otherwise point Pulumi at the ` +
    `backend that holds the stack's state, or declare the live values to adopt them.`
  );
}

/** Whether a failure's partition was meant to replay, skip or just set a value, for "the replay did not happen". */
function failedMove(failure: Failure): string {
  if (failure.committed === undefined || failure.replaced === undefined || failure.replaced === null) return "the commit";
  const delta = BigInt(failure.committed) - BigInt(failure.replaced);
  return delta < 0n ? "the replay" : delta > 0n ? "the skip" : "the commit";
}

/** Why a stack last applied by schema 1 (one resource per stream) must be migrated before anything else runs. */
export function explainLegacyState(stack: string): string {
  return (
    `stack '${stack}' was last applied by dis-checkpoints with one Pulumi resource per stream; this version keeps one per stack. ` +
    `Run \`dis-checkpoints migrate --stack ${stack}\` once (it rewrites the state and commits nothing)`
  );
}

/** One failure of a run that committed part of its plan, ending with what happens next. */
export function describeFailure(failure: Failure): string {
  const at = failure.stream === undefined ? `app '${failure.app}'` : where(failure.app, failure.stream);
  switch (failure.code) {
    case "overwritten":
      return (
        `${at}: consumers overwrote the commit on partition ${failure.partition}: committed ${failure.committed}, now ${failure.now ?? "none"}; ` +
        `${failedMove(failure)} did not happen. It is not recorded as applied: stop the consumers and run up again`
      );
    case "commit-failed":
      return `${at}: the commit of ${failure.committed} to partition ${failure.partition} failed: ${failure.error}. It is not recorded as applied; run up again to commit it`;
    case "moved-before-retry":
      return (
        `${at}: the commit of ${failure.committed} to partition ${failure.partition} got no answer (${failure.error}), and before retrying it the ` +
        `partition held ${failure.now ?? "none"}, neither the committed value nor the ${failure.replaced ?? "none"} it replaced: something moved it, ` +
        `so it was not committed again. It is not recorded as applied: check the partition's consumers and run up again`
      );
    case "not-attempted":
      return `${at}: the commits to ${plural(failure.partitions!.split(" ").length, "partition")} ${failure.partitions!.split(" ").join(", ")} were not attempted after the failure above. They are not recorded as applied; run up again to commit them`;
    case "app-create-failed":
      return `${at}: creating the app failed: ${failure.error}. Its checkpoints were not committed; run up again`;
    case "delete-failed":
      return `${at}: deleting the checkpoint of partition ${failure.partition} failed: ${failure.error}; run up again to delete it`;
  }
}

// ---- the impact table ----------------------------------------------------------------------------------------

/** What the preview says about a stream's consumers. */
export type ConsumerActivity =
  | { kind: "not-sampled" }
  | { kind: "idle"; windowMs: number }
  | { kind: "active"; windowMs: number; moved: Array<{ partition: number; from: string | null; to: string | null }> };

export function describeActivity(activity: ConsumerActivity): string {
  switch (activity.kind) {
    case "not-sampled":
      return "consumers not sampled";
    case "idle":
      return `consumers idle (no checkpoint moved in ${formatDuration(activity.windowMs)})`;
    case "active":
      return `consumers ACTIVE (${plural(activity.moved.length, "partition")} moved in ${formatDuration(activity.windowMs)})`;
  }
}

/** Renders rows as left-aligned columns separated by two spaces. */
export function formatColumns(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  "))
    .join("\n");
}

/**
 * One stream's part of the preview: a title with the counts, then only the partitions that move or are
 * refused, so a run over thousands of partitions prints what matters.
 */
export function formatStreamImpact(plan: StreamPlan, activity: ConsumerActivity, liveOf: (ordinal: number) => string | null | undefined): string {
  const { app, stream } = plan.declaration;
  const refused = new Map<number, Refusal[]>();
  for (const refusal of plan.refusals) refused.set(refusal.ordinal, [...(refused.get(refusal.ordinal) ?? []), refusal]);
  const codes = (ordinal: number) => `REFUSED (${refused.get(ordinal)!.map((refusal) => refusal.code).join(", ")})`;
  const committing = plan.commits.filter((commit) => !refused.has(commit.ordinal));
  const unchanged = plan.unchanged.length + plan.adopted.length;
  const counts = [`${committing.length} to commit`, `${refused.size} refused`, `${plural(unchanged, "partition")} unchanged`];
  if (plan.dropped.length > 0) counts.push(`${plural(plan.dropped.length, "partition")} no longer declared`);
  const title = `${app} / ${stream}: ${counts.join(", ")}; ${describeActivity(activity)}${plan.firstApply ? "; first apply" : ""}`;
  // One row per partition: a commit that is refused as well (its consumers run) says both.
  const rows = new Map<number, string[]>();
  for (const commit of plan.commits) {
    const impact = refused.has(commit.ordinal) ? `${describeMove(commit.move)}; ${codes(commit.ordinal)}` : describeMove(commit.move);
    rows.set(commit.ordinal, [String(commit.ordinal), commit.live ?? "none", commit.sequenceNumber, impact]);
  }
  for (const [ordinal, refusals] of refused) {
    if (!rows.has(ordinal)) rows.set(ordinal, [String(ordinal), liveOf(ordinal) ?? "none", refusals[0]!.declared || "-", codes(ordinal)]);
  }
  if (rows.size === 0) return title;
  const ordered = [...rows].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
  return `${title}\n${formatColumns([["partition", "live", "declared", "impact"], ...ordered])}`;
}
