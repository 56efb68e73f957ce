/**
 * `export`: the live checkpoints of apps as declarations that, applied unchanged, commit nothing (the
 * planner's create path leaves partitions whose live value and metadata already equal the declaration).
 */
import type { RenderableApp, RenderableStream } from "../desired";
import type { DisClient, PartitionConsumerState } from "../dis";
import { readCheckpoints } from "../provider";
import { ReplayError } from "./errors";

export interface ExportedStream {
  stream: string;
  /** Partition ordinals holding no checkpoint: left out of the file. */
  withoutCheckpoint: number[];
  declaration: RenderableStream;
}

export interface ExportedApp {
  app: string;
  streams: ExportedStream[];
}

/** One stream's consumer state as a declaration; partitions without a checkpoint are listed, not declared. */
export function exportedStream(stream: string, states: ReadonlyMap<number, Pick<PartitionConsumerState, "sequenceNumber" | "metadata">>): ExportedStream {
  const withoutCheckpoint: number[] = [];
  const partitions: RenderableStream["partitions"] = [];
  for (const ordinal of [...states.keys()].sort((a, b) => a - b)) {
    const state = states.get(ordinal)!;
    if (state.sequenceNumber === null) {
      withoutCheckpoint.push(ordinal);
      continue;
    }
    // Metadata is exported as stored: a declaration without it would commit again to clear it.
    const metadata = state.metadata ? { metadata: state.metadata } : {};
    partitions.push({ ordinal, sequenceNumber: state.sequenceNumber, ...metadata });
  }
  return { stream, withoutCheckpoint, declaration: { name: stream, partitions } };
}

export function renderableApp(exported: ExportedApp): RenderableApp {
  return { name: exported.app, streams: exported.streams.map((stream) => stream.declaration) };
}

/**
 * The streams to read for an app: those given, else every stream it committed on. An app that committed on
 * none is an error when it was named, and simply has nothing to read when it came from a listing (`optional`).
 */
export async function appStreams(client: DisClient, app: string, streams: readonly string[], optional = false): Promise<string[]> {
  const info = await client.showApp(app);
  if (info === null) throw new ReplayError(`app '${app}' does not exist in project ${client.projectId}: check the name (dis-checkpoints export --all exports every app)`);
  if (streams.length > 0) return [...streams];
  if (info.committedStreams.length === 0 && !optional) {
    throw new ReplayError(`app '${app}' has no committed streams: name the streams to read with --stream`);
  }
  return [...info.committedStreams].sort();
}

export async function exportApp(
  client: DisClient,
  app: string,
  streams: readonly string[],
  progress: (line: string) => void,
  optional = false,
): Promise<ExportedApp> {
  const exported: ExportedApp = { app, streams: [] };
  for (const stream of await appStreams(client, app, streams, optional)) {
    const checkpoints = await readCheckpoints(client, app, stream);
    const result = exportedStream(stream, checkpoints);
    progress(`${app} / ${stream}: read`);
    exported.streams.push(result);
  }
  return exported;
}
