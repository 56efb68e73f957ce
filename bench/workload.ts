/**
 * The benchmark's workload, pure: N checkpoints as (app, stream) pairs of P partitions each, the emulator
 * seed they need, the declaration files that declare them, and the 1% change set. Every scenario (the raw
 * API loops and the reconciler alike) commits exactly these checkpoints.
 */
import type { RenderableApp } from "../src/desired";
import type { SeedDocument } from "../src/emulator";

/** Streams per app: enough pairs per app to share streams between apps, as real deployments do. */
const STREAMS_PER_APP = 10;
/** Generated records per partition: every declared value lies inside the retained range. */
export const RECORDS_PER_PARTITION = 1000;
/** One checkpoint in a hundred changes in `change1pct`. */
export const CHANGE_STRIDE = 100;

export interface WorkloadShape {
  checkpoints: number;
  partitions: number;
}

export interface Checkpoint {
  app: string;
  stream: string;
  partition: number;
  sequenceNumber: string;
}

export interface Workload extends WorkloadShape {
  pairs: number;
  apps: string[];
  streams: string[];
  /** Every declared checkpoint, pair by pair, partitions in order. */
  all: Checkpoint[];
}

export class WorkloadError extends Error {
  override name = "WorkloadError";
}

const name = (prefix: string, index: number) => `${prefix}-${String(index).padStart(3, "0")}`;

export function buildWorkload(shape: WorkloadShape): Workload {
  const { checkpoints, partitions } = shape;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    throw new WorkloadError(`--partitions must be an integer from 1 to 1000 (the emulator's limit per stream), not ${partitions}`);
  }
  if (!Number.isInteger(checkpoints) || checkpoints < partitions || checkpoints % partitions !== 0) {
    throw new WorkloadError(`--checkpoints must be a positive multiple of --partitions (${partitions}), not ${checkpoints}`);
  }
  const pairs = checkpoints / partitions;
  const streamCount = Math.min(STREAMS_PER_APP, pairs);
  const apps = Array.from({ length: Math.ceil(pairs / streamCount) }, (_, index) => name("consumer", index));
  const streams = Array.from({ length: streamCount }, (_, index) => name("stream", index));
  const all: Checkpoint[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    for (let partition = 0; partition < partitions; partition++) {
      all.push({
        app: apps[Math.floor(pair / streamCount)]!,
        stream: streams[pair % streamCount]!,
        partition,
        // Mid-range, and different per checkpoint, so that a wrong partition would show.
        sequenceNumber: String(400 + ((pair + partition) % 100)),
      });
    }
  }
  return { ...shape, pairs, apps, streams, all };
}

export function seedFor(workload: Workload): SeedDocument {
  return {
    streams: workload.streams.map((stream) => ({ name: stream, partitions: workload.partitions, records: { perPartition: RECORDS_PER_PARTITION } })),
    // The consumers exist already, as they do in production: the reconciler adopts them.
    apps: workload.apps,
  };
}

/** Indices into `all` of the checkpoints `change1pct` moves: every CHANGE_STRIDE-th, spread over the pairs. */
export function changedIndices(workload: Workload): number[] {
  return workload.all.flatMap((_, index) => (index % CHANGE_STRIDE === 0 ? [index] : []));
}

/** What the change set touches: (app, stream) pairs and distinct stream names. */
export function changeFootprint(workload: Workload): { changedPairs: number; changedStreams: number } {
  const changed = changedIndices(workload).map((index) => workload.all[index]!);
  return {
    changedPairs: new Set(changed.map((checkpoint) => `${checkpoint.app}/${checkpoint.stream}`)).size,
    changedStreams: new Set(changed.map((checkpoint) => checkpoint.stream)).size,
  };
}

/**
 * The checkpoints with the change of round `round` (1, 2, …) applied: the changed ones move back by
 * `round` records (a replay, which needs no allowSkip), so every round is a real change.
 */
export function withChange(workload: Workload, round: number): Checkpoint[] {
  const changed = new Set(changedIndices(workload));
  return workload.all.map((checkpoint, index) =>
    changed.has(index) ? { ...checkpoint, sequenceNumber: String(BigInt(checkpoint.sequenceNumber) - BigInt(round)) } : checkpoint,
  );
}

/** One declaration per app, in the renderer's model. */
export function declarationsOf(checkpoints: readonly Checkpoint[]): RenderableApp[] {
  const apps = new Map<string, Map<string, RenderableApp["streams"][number]>>();
  for (const { app, stream, partition, sequenceNumber } of checkpoints) {
    const streams = apps.get(app) ?? new Map();
    apps.set(app, streams);
    const declared = streams.get(stream) ?? { name: stream, partitions: [] };
    streams.set(stream, declared);
    declared.partitions.push({ ordinal: partition, sequenceNumber });
  }
  return [...apps].map(([app, streams]) => ({ name: app, streams: [...streams.values()] }));
}
