/**
 * Declarations and stack outputs as the program, `plan`, `restore` and `migrate` see them. Pure and free of
 * the Pulumi SDK, so commands that only read declarations or state start fast.
 */
import type { DesiredState } from "../desired";
import {
  CHECKPOINTS_RESOURCE_NAME,
  decodePositions,
  parseStoredStreams,
  STATE_SCHEMA,
  splitStreamKey,
  type LocatedDeclaration,
  type RestorePointRecord,
  type StreamDeclaration,
  type StreamKey,
} from "../provider";
import type { RestoredStream } from "../replay";

/** Type token of the one resource a stack has: `pulumi-nodejs:dynamic/dis-checkpoints:Checkpoints`. */
export const RESOURCE_MODULE = "dis-checkpoints";
export const CHECKPOINTS_TYPE = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:Checkpoints`;
export { CHECKPOINTS_RESOURCE_NAME };

/** Stack outputs. `applied` is what the next run's program reads back (program.ts, readApplied). */
export const OUTPUTS = {
  schema: "schema",
  applied: "applied",
  restorePoint: "restorePoint",
} as const;

export function toDeclarations(state: DesiredState): LocatedDeclaration[] {
  const located: LocatedDeclaration[] = [];
  const at = ({ file, line, column }: { file: string; line: number; column: number }) => `${file}:${line}:${column}`;
  for (const app of state.apps) {
    for (const stream of app.streams) {
      const partitions: Record<string, string> = {};
      const metadata: Record<string, string> = {};
      const partitionSources = new Map<number, string>();
      for (const partition of stream.partitions) {
        partitions[String(partition.ordinal)] = partition.sequenceNumber;
        if (partition.metadata !== undefined) metadata[String(partition.ordinal)] = partition.metadata;
        partitionSources.set(partition.ordinal, at(partition.source));
      }
      located.push({
        declaration: {
          app: app.name,
          stream: stream.name,
          partitions,
          metadata,
          allowSkip: stream.allowSkip,
          onDelete: stream.onDelete,
          revision: stream.revision,
          whileConsumersRun: stream.whileConsumersRun,
          partitionRevisions: {},
        },
        streamSource: at(stream.source),
        partitionSources,
      });
    }
  }
  return located;
}

/** What the stack's outputs say was last applied. */
export type AppliedRecord =
  | { kind: "none" }
  | { kind: "applied"; streams: Map<StreamKey, StreamDeclaration> }
  /** Outputs of schema 1 (one resource per stream): the state must be migrated first. */
  | { kind: "legacy" };

export function appliedFromOutputs(outputs: Readonly<Record<string, unknown>>): AppliedRecord {
  if (outputs[OUTPUTS.schema] === STATE_SCHEMA) {
    return { kind: "applied", streams: parseStoredStreams(outputs[OUTPUTS.applied] ?? {}, "the stack output `applied`") };
  }
  // Schema 1 wrote `streams` and `checkpoints` counts and no schema.
  return "streams" in outputs || "checkpoints" in outputs ? { kind: "legacy" } : { kind: "none" };
}

/** The stack output `restorePoint`: what `dis-checkpoints restore` reads (restore-point.ts). */
export function restorePointOutput(record: RestorePointRecord | null): { createdAt?: string; streams: RestoredStream[] } {
  if (record === null) return { streams: [] };
  const streams = Object.entries(record.streams).map(([key, positions]) => {
    const { app, stream } = splitStreamKey(key);
    const previous = Object.fromEntries([...decodePositions(positions, `restore point ${key}`)].map(([ordinal, value]) => [String(ordinal), value]));
    return { app, stream, previous };
  });
  return { createdAt: record.at, streams };
}

