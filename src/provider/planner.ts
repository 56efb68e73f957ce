/**
 * The checkpoint planner: pure functions from (applied, declared, live) to the commits to make and the ones
 * to refuse. Everything that decides whether a checkpoint moves lives here, as data, so it can be read and
 * tested as a table; wording.ts turns the data into text, once.
 *
 * The rules (docs/architecture.md): only a changed declaration (or a bumped revision, or an app that has to
 * be created again) commits, so consumer progress is never undone; targets outside the valid range of the
 * stack's convention are refused; moving forward past the live checkpoint needs allowSkip; a stream's first
 * apply that would move an existing live checkpoint needs an acknowledgement; a stream whose consumers move
 * is refused unless it allows it.
 */
import type { Convention } from "./settings";
import type { LivePartition, StreamDeclaration } from "./model";

export type CommitReason = "new" | "changed" | "revision" | "app-missing";

export interface PlannedCommit {
  ordinal: number;
  sequenceNumber: string;
  metadata?: string;
  reason: CommitReason;
}

/** What the declarations alone say about one (app, stream), before anything is read from DIS. */
export interface DeclaredChanges {
  /** Partitions whose declaration changed since it was applied (or that are new, or re-committed). */
  candidates: PlannedCommit[];
  /** Declared partitions whose declaration is applied as it is. */
  unchanged: number[];
  /** Partitions applied before and declared no longer. */
  dropped: number[];
}

function partitionRevision(applied: StreamDeclaration, key: string): number {
  return applied.partitionRevisions[key] ?? applied.revision;
}

function commitReason(applied: StreamDeclaration | undefined, declared: StreamDeclaration, key: string): CommitReason | undefined {
  const before = applied?.partitions[key];
  if (applied === undefined || before === undefined) return "new";
  if (partitionRevision(applied, key) !== declared.revision) return "revision";
  if (before !== declared.partitions[key] || (applied.metadata[key] ?? "") !== (declared.metadata[key] ?? "")) return "changed";
  return undefined;
}

function ordinalsOf(partitions: Record<string, string>): number[] {
  return Object.keys(partitions)
    .map(Number)
    .sort((a, b) => a - b);
}

/** `recommit`: the app is missing, so every declared partition is committed again. */
export function declaredChanges(applied: StreamDeclaration | undefined, declared: StreamDeclaration, recommit = false): DeclaredChanges {
  const changes: DeclaredChanges = { candidates: [], unchanged: [], dropped: [] };
  for (const ordinal of ordinalsOf(declared.partitions)) {
    const key = String(ordinal);
    const reason = recommit ? "app-missing" : commitReason(applied, declared, key);
    if (reason === undefined) {
      changes.unchanged.push(ordinal);
      continue;
    }
    const metadata = declared.metadata[key];
    changes.candidates.push({ ordinal, sequenceNumber: declared.partitions[key]!, reason, ...(metadata !== undefined ? { metadata } : {}) });
  }
  if (applied) changes.dropped = ordinalsOf(applied.partitions).filter((ordinal) => declared.partitions[String(ordinal)] === undefined);
  return changes;
}

/** Whether the applied record must change at all: a commit, a dropped partition or a changed option. */
export function declarationChanged(applied: StreamDeclaration | undefined, declared: StreamDeclaration): boolean {
  if (applied === undefined) return true;
  const changes = declaredChanges(applied, declared);
  return (
    changes.candidates.length > 0 ||
    changes.dropped.length > 0 ||
    applied.allowSkip !== declared.allowSkip ||
    applied.onDelete !== declared.onDelete ||
    applied.revision !== declared.revision ||
    applied.whileConsumersRun !== declared.whileConsumersRun
  );
}

// ---- against live DIS ----------------------------------------------------------------------------------------

/** How a commit moves the consumer relative to its live checkpoint. */
export type Move =
  | { kind: "initial" }
  | { kind: "none" }
  | { kind: "replay"; records: bigint }
  | { kind: "skip"; records: bigint };

export function moveOf(live: string | null, declared: string): Move {
  if (live === null) return { kind: "initial" };
  const delta = BigInt(declared) - BigInt(live);
  if (delta === 0n) return { kind: "none" };
  return delta < 0n ? { kind: "replay", records: -delta } : { kind: "skip", records: delta };
}

/**
 * The checkpoints that are committable and mean something under a convention, inclusive; undefined when
 * there is none. DIS accepts the retained range `first … next` (next: the next sequence number to be
 * written). Under `next` a checkpoint is the next record to read, so all of it is valid (`next`: caught up).
 * Under `last` it is the last record read: `next` would claim a record not yet written was read (the next
 * one written would be skipped), and `first − 1` (start at the first retained record) is outside what DIS
 * accepts, so the valid range is `first … next − 1`.
 */
export function validRange(range: Pick<LivePartition, "first" | "next">, convention: Convention): { lowest: bigint; highest: bigint } | undefined {
  const lowest = BigInt(range.first);
  const highest = convention === "next" ? BigInt(range.next) : BigInt(range.next) - 1n;
  return highest < lowest ? undefined : { lowest, highest };
}

interface RefusalBase {
  app: string;
  stream: string;
  ordinal: number;
  declared: string;
}

/** Why a partition cannot be committed, as data (wording.ts formats it). */
export type Refusal =
  | (RefusalBase & { code: "partition-missing"; partitionCount: number })
  | (RefusalBase & { code: "out-of-range"; first: string; next: string; convention: Convention })
  | (RefusalBase & { code: "skip-not-allowed"; live: string; records: bigint })
  | (RefusalBase & { code: "first-apply"; live: string; move: Move })
  | (RefusalBase & { code: "consumers-active"; before: string | null; after: string | null; windowMs: number });

export type RefusalCode = Refusal["code"];

export interface CheckedCommit extends PlannedCommit {
  /** The live checkpoint the commit replaces (null: none). */
  live: string | null;
  move: Move;
}

/** One stream's plan once live positions are known. */
export interface StreamPlan {
  declaration: StreamDeclaration;
  commits: CheckedCommit[];
  /** Candidates whose declared value (and metadata) is live already: recorded as applied, not committed. */
  adopted: number[];
  refusals: Refusal[];
  unchanged: number[];
  dropped: number[];
  /** Set when the state holds no earlier declaration of this stream. */
  firstApply: boolean;
}

function alreadyLive(partition: LivePartition, commit: PlannedCommit): boolean {
  if (partition.checkpoint !== commit.sequenceNumber) return false;
  return partition.metadata === undefined || partition.metadata === (commit.metadata ?? "");
}

/**
 * Checks a stream's candidates against live positions. `firstApply`: the state holds no earlier declaration
 * of the stream, so a commit that moves an existing live checkpoint may rewind consumers whose progress the
 * state never saw (a lost state), and is refused as `first-apply` until acknowledged.
 */
export function planAgainstLive(
  declaration: StreamDeclaration,
  changes: DeclaredChanges,
  live: ReadonlyMap<number, LivePartition>,
  convention: Convention,
  firstApply: boolean,
): StreamPlan {
  const plan: StreamPlan = { declaration, commits: [], adopted: [], refusals: [], unchanged: [...changes.unchanged], dropped: [...changes.dropped], firstApply };
  const { app, stream } = declaration;
  for (const commit of changes.candidates) {
    const base = { app, stream, ordinal: commit.ordinal, declared: commit.sequenceNumber };
    const partition = live.get(commit.ordinal);
    if (!partition) {
      plan.refusals.push({ ...base, code: "partition-missing", partitionCount: live.size });
      continue;
    }
    const range = validRange(partition, convention);
    const target = BigInt(commit.sequenceNumber);
    if (!range || target < range.lowest || target > range.highest) {
      plan.refusals.push({ ...base, code: "out-of-range", first: partition.first, next: partition.next, convention });
      continue;
    }
    const move = moveOf(partition.checkpoint, commit.sequenceNumber);
    if (move.kind === "skip" && !declaration.allowSkip) {
      plan.refusals.push({ ...base, code: "skip-not-allowed", live: partition.checkpoint!, records: move.records });
      continue;
    }
    if (commit.reason !== "revision" && alreadyLive(partition, commit)) {
      plan.adopted.push(commit.ordinal);
      continue;
    }
    if (firstApply && partition.checkpoint !== null && move.kind !== "none") {
      plan.refusals.push({ ...base, code: "first-apply", live: partition.checkpoint, move });
      continue;
    }
    plan.commits.push({ ...commit, live: partition.checkpoint, move });
  }
  return plan;
}

// ---- consumers ----------------------------------------------------------------------------------------------

export interface MovedPartition {
  ordinal: number;
  before: string | null;
  after: string | null;
}

/** Partitions of one (app, stream) whose checkpoint differs between two reads. */
export function movedBetween(before: ReadonlyMap<number, string | null>, after: ReadonlyMap<number, string | null>): MovedPartition[] {
  const ordinals = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  return ordinals.flatMap((ordinal) => {
    const first = before.get(ordinal) ?? null;
    const second = after.get(ordinal) ?? null;
    return first === second ? [] : [{ ordinal, before: first, after: second }];
  });
}

/** The activity refusals of a stream whose consumers moved while it refuses commits under running consumers. */
export function activityRefusals(plan: StreamPlan, moved: readonly MovedPartition[], windowMs: number): Refusal[] {
  if (plan.declaration.whileConsumersRun === "allow" || plan.commits.length === 0) return [];
  const { app, stream } = plan.declaration;
  return moved.map((partition) => ({
    app,
    stream,
    ordinal: partition.ordinal,
    declared: plan.declaration.partitions[String(partition.ordinal)] ?? "",
    code: "consumers-active" as const,
    before: partition.before,
    after: partition.after,
    windowMs,
  }));
}

/**
 * After a commit and the settle interval: did the value hold? `resumed`: the partition moved on from the
 * committed value without reaching the position the commit replaced, as a consumer that re-read its
 * checkpoint does. Anything else (back at or beyond the replaced position, behind the committed value, or
 * gone) means something overwrote the commit.
 */
export function verifyCommit(committed: string, replaced: string | null, now: string | null): "held" | "resumed" | "overwritten" {
  if (now === committed) return "held";
  if (now === null) return "overwritten";
  const value = BigInt(now);
  if (value <= BigInt(committed)) return "overwritten";
  const rewound = replaced !== null && BigInt(committed) < BigInt(replaced);
  return rewound && value >= BigInt(replaced!) ? "overwritten" : "resumed";
}
