/**
 * The checkpoint planner: a pure function from (previously declared, newly declared, live) to the commits
 * to make and the commits to refuse. Everything that decides whether a checkpoint moves lives here, so it
 * can be read and tested as a table.
 *
 * Principles (DESIGN.md §2): only a changed declaration (or a bumped revision) commits; consumer progress
 * is never undone; out-of-range targets are refused; moving forward past the live checkpoint (skipping
 * records) needs allowSkip.
 */
import type { LivePartition, StreamDeclaration } from "./model";

export type CommitReason = "new" | "changed" | "revision";

/** How a commit moves the consumer relative to its live checkpoint. */
export type Impact =
  | { kind: "initial" }
  | { kind: "none" }
  | { kind: "replay"; records: bigint }
  | { kind: "skip"; records: bigint };

export interface PlannedCommit {
  ordinal: number;
  sequenceNumber: string;
  metadata?: string;
  reason: CommitReason;
  /** The live checkpoint this commit replaces (null: none), when live positions were read. */
  live?: string | null;
  impact?: Impact;
}

export type RefusalCode = "partition-missing" | "out-of-range" | "skip-not-allowed";

export interface Refusal {
  ordinal: number;
  code: RefusalCode;
  message: string;
}

export interface Plan {
  commits: PlannedCommit[];
  refusals: Refusal[];
  /** Declared partitions that need no commit: unchanged declarations, or live already equal. */
  unchanged: number[];
}

/** Whether two declarations differ in anything the provider acts on. */
export function declarationChanged(previous: StreamDeclaration, next: StreamDeclaration): boolean {
  return (
    previous.allowSkip !== next.allowSkip ||
    previous.onDelete !== next.onDelete ||
    previous.revision !== next.revision ||
    !sameRecord(previous.partitions, next.partitions) ||
    !sameRecord(previous.metadata ?? {}, next.metadata ?? {})
  );
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

function commitReason(previous: StreamDeclaration | undefined, next: StreamDeclaration, key: string): CommitReason | undefined {
  if (!previous) return "new";
  if (previous.revision !== next.revision) return "revision";
  const declaredBefore = previous.partitions[key];
  if (declaredBefore === undefined) return "new";
  if (declaredBefore !== next.partitions[key] || (previous.metadata?.[key] ?? "") !== (next.metadata[key] ?? "")) {
    return "changed";
  }
  return undefined;
}

export function countRecords(count: bigint): string {
  return count === 1n ? "1 record" : `${count} records`;
}

export function impactOf(live: string | null, declared: string): Impact {
  if (live === null) return { kind: "initial" };
  const delta = BigInt(declared) - BigInt(live);
  if (delta === 0n) return { kind: "none" };
  return delta < 0n ? { kind: "replay", records: -delta } : { kind: "skip", records: delta };
}

function alreadyLive(partition: LivePartition, sequenceNumber: string, metadata: string | undefined): boolean {
  if (partition.checkpoint !== sequenceNumber) return false;
  return partition.metadata === undefined || partition.metadata === (metadata ?? "");
}

/**
 * Plans the commits for one (app, stream). `live` is absent when the API is not consulted (offline); then
 * only the declarations are compared and no refusal can be made.
 */
export function planCommits(
  previous: StreamDeclaration | undefined,
  next: StreamDeclaration,
  live?: ReadonlyMap<number, LivePartition>,
): Plan {
  const plan: Plan = { commits: [], refusals: [], unchanged: [] };
  const ordinals = Object.keys(next.partitions)
    .map(Number)
    .sort((a, b) => a - b);
  for (const ordinal of ordinals) {
    const key = String(ordinal);
    const sequenceNumber = next.partitions[key]!;
    const metadata = next.metadata[key];
    const reason = commitReason(previous, next, key);
    if (!reason) {
      plan.unchanged.push(ordinal);
      continue;
    }
    const commit: PlannedCommit = { ordinal, sequenceNumber, reason, ...(metadata !== undefined ? { metadata } : {}) };
    if (!live) {
      plan.commits.push(commit);
      continue;
    }
    const partition = live.get(ordinal);
    const where = `app '${next.app}', stream '${next.stream}', partition ${ordinal}`;
    if (!partition) {
      plan.refusals.push({
        ordinal,
        code: "partition-missing",
        message: `${where}: the stream has no partition ${ordinal} (it has ${live.size}); remove the entry or fix the partition id`,
      });
      continue;
    }
    const target = BigInt(sequenceNumber);
    if (target < BigInt(partition.first) || target > BigInt(partition.next)) {
      plan.refusals.push({
        ordinal,
        code: "out-of-range",
        message:
          `${where}: sequence number ${sequenceNumber} is out of range; the partition retains ` +
          `${partition.first} … ${partition.next} (${partition.next} is the next to be written); declare a value in that range`,
      });
      continue;
    }
    const impact = impactOf(partition.checkpoint, sequenceNumber);
    if (impact.kind === "skip" && !next.allowSkip) {
      plan.refusals.push({
        ordinal,
        code: "skip-not-allowed",
        message:
          `${where}: moving the live checkpoint ${partition.checkpoint} forward to ${sequenceNumber} would skip ` +
          `${countRecords(impact.records)}; set allowSkip: true on stream '${next.stream}' to allow it, or declare ${partition.checkpoint} or less`,
      });
      continue;
    }
    if (reason !== "revision" && alreadyLive(partition, sequenceNumber, metadata)) {
      plan.unchanged.push(ordinal);
      continue;
    }
    plan.commits.push({ ...commit, live: partition.checkpoint, impact });
  }
  plan.unchanged.sort((a, b) => a - b);
  return plan;
}
