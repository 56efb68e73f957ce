/**
 * The resource model shared by the program and the provider. Inputs are kept compact because Pulumi stores
 * them twice per resource (inputs and outputs) and the file backend rewrites the whole state on every step.
 */

export type OnDelete = "retain" | "delete";

/** Inputs of one StreamCheckpoints resource: everything declared for one (app, stream). */
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

/** Outputs of a StreamCheckpoints resource: the declaration plus what was last seen live. */
export interface StreamCheckpointsState extends StreamDeclaration {
  /** Partition ordinal → live checkpoint (null: none) at the last create, update or refresh. */
  observed: Record<string, string | null>;
  /** When `observed` was read (RFC 3339). */
  observedAt: string;
  /** Partition ordinal → the live checkpoint it replaced, for the partitions the last commit changed. */
  previous: Record<string, string | null>;
}

export interface AppInputs {
  app: string;
}

export interface AppState extends AppInputs {
  /** True when the app already existed and was adopted rather than created. */
  adopted: boolean;
}

export function streamResourceId(projectId: string, app: string, stream: string): string {
  return `${projectId}/${app}/${stream}`;
}
