/**
 * The reconciler's model, shared by the program, the provider and the replay commands: what is declared per
 * (app, stream), what DIS holds live, and the one Pulumi resource a stack has (`Checkpoints`), whose inputs
 * and outputs are kept compact because Pulumi stores them several times and the file backend rewrites the
 * whole state on every step (docs/architecture.md).
 */

export type OnDelete = "retain" | "delete";
export type WhileConsumersRun = "refuse" | "allow";

/** Everything declared for one (app, stream). */
export interface StreamDeclaration {
  app: string;
  stream: string;
  /** Partition ordinal (decimal string key) → declared sequence number (decimal string). */
  partitions: Record<string, string>;
  /** Partition ordinal → metadata, only for partitions that declare some. */
  metadata: Record<string, string>;
  allowSkip: boolean;
  onDelete: OnDelete;
  revision: number;
  whileConsumersRun: WhileConsumersRun;
  /**
   * Partition ordinal → the revision its value was committed at, only where it differs from `revision`: a run
   * that failed part-way through a revision bump leaves some partitions at the earlier revision, and only
   * those are committed again. Always empty in declarations; set in the applied record.
   */
  partitionRevisions: Record<string, number>;
}

/** What DIS holds for one partition: the app's checkpoint and the partition's retained range. */
export interface LivePartition {
  ordinal: number;
  /** The committed checkpoint, or null when the app never committed on this partition. */
  checkpoint: string | null;
  /** Stored metadata when the API reports it. */
  metadata?: string;
  /** First retained sequence number. */
  first: string;
  /** The sequence number the next record will get (the exclusive end of the range). */
  next: string;
}

/** `app/stream`: the key of every per-stream map. App and stream names cannot contain `/`. */
export type StreamKey = string;

export function streamKey(app: string, stream: string): StreamKey {
  return `${app}/${stream}`;
}

export function splitStreamKey(key: StreamKey): { app: string; stream: string } {
  const slash = key.indexOf("/");
  return { app: key.slice(0, slash), stream: key.slice(slash + 1) };
}

// ---- the Checkpoints resource ------------------------------------------------------------------------------

/** Version of the inputs and outputs below; older states are migrated by `dis-checkpoints migrate`. */
export const STATE_SCHEMA = 2;

/**
 * One stream as inputs and outputs store it. Partitions are one string (`"0=1520 1=980"`) rather than a map:
 * about 8 bytes a checkpoint instead of 30 in Pulumi's indented JSON, and far less to marshal per run.
 * Options are present only when they differ from their defaults.
 */
export interface StoredStream {
  partitions: string;
  metadata?: Record<string, string>;
  allowSkip?: true;
  onDelete?: "delete";
  revision?: number;
  whileConsumersRun?: "allow";
  /** Applied record only: `"3=1 5=1"`, see StreamDeclaration.partitionRevisions. */
  partitionRevisions?: string;
}

/**
 * What the program checked against live DIS just before the run, per stream with something to commit: the
 * partitions to commit with the live checkpoint each replaces (`"0=100 3=-"`, `-` for none), and those whose
 * declared value is live already (`"5 6"`: recorded as applied without a commit). The provider commits only
 * what is listed here, so nothing the program did not check (ranges, skips, running consumers, first
 * applies) can be committed.
 */
export interface GatedStream {
  replace?: string;
  adopt?: string;
}

export interface GateRecord {
  streams: Record<StreamKey, GatedStream>;
  /** Declared apps that do not exist: created, then every declared partition of theirs is committed. */
  createApps: string[];
}

export interface CheckpointsInputs {
  schema: typeof STATE_SCHEMA;
  streams: Record<StreamKey, StoredStream>;
  gate: GateRecord;
}

/** The live positions one committing run replaced: its restore point. */
export interface RestorePointRecord {
  /** When the commits were made (RFC 3339). */
  at: string;
  /** `"0=100 3=-"`: the checkpoint each committed partition held before (`-`: none). */
  streams: Record<StreamKey, string>;
}

export type FailureCode =
  | "commit-failed"
  | "overwritten"
  | "moved-before-retry"
  | "not-attempted"
  | "app-create-failed"
  | "delete-failed";

/** A partition (or app) the last run could not settle; it is not recorded as applied. */
export interface Failure {
  code: FailureCode;
  app: string;
  stream?: string;
  partition?: number;
  /** The value committed (or meant to be). */
  committed?: string;
  /** What the partition held before the commit (null: none). */
  replaced?: string | null;
  /** What it holds now, after the settle interval (null: none). */
  now?: string | null;
  /** `not-attempted`: the stream's partitions whose commits did not start after an earlier failure (`"2 3"`). */
  partitions?: string;
  /** The DIS error, for commit and create failures (code and message, never a secret). */
  error?: string;
}

/** Counts of what one run did, for the commands that report it. */
export interface RunSummary {
  /** Commits the gate listed for the run. */
  planned: number;
  commits: number;
  appsCreated: number;
  deletes: number;
  verified: number;
}

export interface CheckpointsOutputs {
  schema: typeof STATE_SCHEMA;
  /** What DIS was set to, partition by partition: the declarations as far as they were applied and held. */
  applied: Record<StreamKey, StoredStream>;
  /** Apps this stack made sure exist: created by it, or found existing and adopted. */
  apps: Record<string, "created" | "adopted">;
  /** The last committing run's restore point (kept by runs that commit nothing). */
  restorePoint: RestorePointRecord | null;
  /** The last run's failures: empty after a clean run. */
  failures: Failure[];
  lastRun: RunSummary;
  /** Live checkpoints of the applied partitions at the last refresh. */
  observed?: { at: string; streams: Record<StreamKey, string> };
  /** Applied apps that did not exist at the last refresh. */
  missingApps?: string[];
}

/** The Checkpoints resource's name in every stack: one resource holds all of a stack's declarations. */
export const CHECKPOINTS_RESOURCE_NAME = "checkpoints";

export function checkpointsResourceId(projectId: string): string {
  return `${projectId}/checkpoints`;
}
