/** The normalised declarations: what every consumer of `src/desired` works with. */
import type { SourceLocation } from "./errors";
import type { OnDelete, WhileConsumersRun } from "./schema";

export type { OnDelete, WhileConsumersRun } from "./schema";
export type { SourceLocation } from "./errors";

export interface StreamOptions {
  /** Moving a checkpoint forward past the live one (skipping records) is refused unless true. */
  allowSkip: boolean;
  /** What removing the declaration does to the committed checkpoint. */
  onDelete: OnDelete;
  /** Bumped to commit unchanged values again. */
  revision: number;
  /** Whether a commit may go ahead while the app's checkpoints on the stream move. */
  whileConsumersRun: WhileConsumersRun;
}

export interface PartitionCheckpoint {
  ordinal: number;
  /** Decimal string, 0 … 9223372036854775807. */
  sequenceNumber: string;
  metadata?: string;
}

/** What the renderer needs: a model without source locations, options defaulted when absent. */
export interface RenderableApp {
  name: string;
  streams: RenderableStream[];
}

export interface RenderableStream extends Partial<StreamOptions> {
  name: string;
  partitions: PartitionCheckpoint[];
}

export interface DesiredPartition extends PartitionCheckpoint {
  /** Where the partition's key was written. */
  source: SourceLocation;
}

export interface DesiredStream extends StreamOptions {
  name: string;
  /** Where the stream's key was written. */
  source: SourceLocation;
  /** Sorted by ordinal. */
  partitions: DesiredPartition[];
}

export interface DesiredApp {
  name: string;
  /** Where the app was first declared (its `app:` value), in load order. */
  source: SourceLocation;
  /** Sorted by name; from every document that declares this app. */
  streams: DesiredStream[];
}

export interface DesiredState {
  /** Sorted by name. */
  apps: DesiredApp[];
}

export interface DeclarationStats {
  files: number;
  documents: number;
  apps: number;
  streams: number;
  checkpoints: number;
}
