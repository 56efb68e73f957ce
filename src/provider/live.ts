import { DisApiError, type DisClient, type StreamDescription } from "../dis";
import { runBounded } from "./concurrency";
import { streamKey, type LivePartition, type StreamKey } from "./model";

export interface LiveCheckpoint {
  sequenceNumber: string | null;
  metadata?: string;
}

/**
 * Codes meaning "this app holds no checkpoint on this stream": the app does not exist (it is created later
 * in the same run), or it never committed on the stream.
 */
const NO_CHECKPOINTS = new Set(["DIS.4332", "DIS.4375"]);

/** The app's checkpoints per partition ordinal (ShowConsumerState, every page); empty when it has none. */
export async function readCheckpoints(client: DisClient, app: string, stream: string): Promise<Map<number, LiveCheckpoint>> {
  try {
    const states = await client.consumerState({ app, stream });
    return new Map(
      states.map((state) => [
        state.partition,
        { sequenceNumber: state.sequenceNumber, ...(state.metadata !== undefined ? { metadata: state.metadata } : {}) },
      ]),
    );
  } catch (error) {
    if (error instanceof DisApiError && error.code !== undefined && NO_CHECKPOINTS.has(error.code)) return new Map();
    throw error;
  }
}

/** Only the sequence numbers, as two reads a window apart compare them. */
export function checkpointValues(checkpoints: ReadonlyMap<number, LiveCheckpoint>): Map<number, string | null> {
  return new Map([...checkpoints].map(([ordinal, checkpoint]) => [ordinal, checkpoint.sequenceNumber]));
}

/** Joins a stream's retained ranges (DescribeStream) with one app's checkpoints on it. */
export function livePartitions(description: StreamDescription, checkpoints: ReadonlyMap<number, LiveCheckpoint>): Map<number, LivePartition> {
  const live = new Map<number, LivePartition>();
  for (const partition of description.partitions) {
    if (!partition.sequenceRange || partition.status === "EXPIRED") continue;
    const checkpoint = checkpoints.get(partition.partition);
    live.set(partition.partition, {
      ordinal: partition.partition,
      checkpoint: checkpoint?.sequenceNumber ?? null,
      ...(checkpoint?.metadata !== undefined ? { metadata: checkpoint.metadata } : {}),
      first: partition.sequenceRange.first,
      next: partition.sequenceRange.next,
    });
  }
  return live;
}

export interface LiveRead {
  /** `app/stream` → partition → live position. */
  partitions: Map<StreamKey, Map<number, LivePartition>>;
  /** Stream name → its description, read once however many apps consume it. */
  descriptions: Map<string, StreamDescription>;
}

/**
 * Live positions of several (app, stream) pairs: DescribeStream once per stream (ranges do not depend on the
 * app) and ShowConsumerState once per pair, `concurrency` requests at a time.
 */
export async function readLive(client: DisClient, pairs: ReadonlyArray<{ app: string; stream: string }>, concurrency: number): Promise<LiveRead> {
  const descriptions = new Map<string, StreamDescription>();
  const checkpoints = new Map<StreamKey, Map<number, LiveCheckpoint>>();
  const streams = [...new Set(pairs.map((pair) => pair.stream))];
  const tasks: Array<() => Promise<void>> = [
    ...streams.map((stream) => async () => void descriptions.set(stream, await client.describeStream(stream))),
    ...pairs.map(({ app, stream }) => async () => void checkpoints.set(streamKey(app, stream), await readCheckpoints(client, app, stream))),
  ];
  await runBounded(tasks, concurrency, (task) => task());
  const partitions = new Map<StreamKey, Map<number, LivePartition>>();
  for (const { app, stream } of pairs) {
    partitions.set(streamKey(app, stream), livePartitions(descriptions.get(stream)!, checkpoints.get(streamKey(app, stream))!));
  }
  return { partitions, descriptions };
}

/** The checkpoint values of several pairs (the second read of the activity check, and the verification). */
export async function readCheckpointValues(
  client: DisClient,
  pairs: ReadonlyArray<{ app: string; stream: string }>,
  concurrency: number,
): Promise<Map<StreamKey, Map<number, string | null>>> {
  const values = new Map<StreamKey, Map<number, string | null>>();
  await runBounded(pairs, concurrency, async ({ app, stream }) => {
    values.set(streamKey(app, stream), checkpointValues(await readCheckpoints(client, app, stream)));
  });
  return values;
}
