/** The emulator's request log as the reliability tests assert it, in the order requests were answered. */
import type { RequestLogEntry } from "../../src/emulator";

/** The partition ordinal a CommitCheckpoint request named (`shardId-0000000003` → 3). */
export function committedPartition(entry: RequestLogEntry): number {
  return Number((entry.body as Record<string, string>).partition_id!.replace("shardId-", ""));
}

/** `CommitCheckpoint 0=110 201` (RESET for a connection the emulator destroyed or left unanswered), `ShowConsumerState 200`. */
export function requestLog(requests: readonly RequestLogEntry[]): string[] {
  return requests.map((entry) => {
    const status = entry.status === 0 ? "RESET" : String(entry.status);
    if (entry.operation !== "CommitCheckpoint") return `${entry.operation} ${status}`;
    return `CommitCheckpoint ${committedPartition(entry)}=${(entry.body as Record<string, string>).sequence_number} ${status}`;
  });
}

/**
 * What the program reads before it registers the resource, for one stream with declared changes: the apps
 * (any to create?), the stream's ranges, and the app's checkpoints twice, the activity window apart.
 */
export const GATE_READS = ["ListApps 200", "DescribeStream 200", "ShowConsumerState 200", "ShowConsumerState 200"];
