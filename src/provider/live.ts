import { DisApiError, type DisClient } from "../dis";
import type { LivePartition } from "./model";

/**
 * Live positions of one app on one stream: the partition ranges from DescribeStream (the documented
 * `sequence_number_range`) and the app's checkpoints from its consumer state.
 */
export async function readLivePartitions(client: DisClient, app: string, stream: string): Promise<Map<number, LivePartition>> {
  const [description, checkpoints] = await Promise.all([client.describeStream(stream), readCheckpoints(client, app, stream)]);
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

interface LiveCheckpoint {
  sequenceNumber: string | null;
  metadata?: string;
}

/**
 * Codes meaning "this app holds no checkpoint on this stream": the app does not exist yet (it is created
 * later in the same run), or it never committed on the stream.
 */
const NO_CHECKPOINTS = new Set(["DIS.4332", "DIS.4375"]);

/** The app's checkpoints per partition ordinal; empty when it has none on the stream. */
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
