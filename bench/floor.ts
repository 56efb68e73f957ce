/**
 * The physical floor: the fewest moving parts that commit the same checkpoints through the same API. An
 * undici pool, one signed POST per checkpoint (signing is part of the physical cost), `concurrency` in
 * flight, no retries, no parsing beyond the status. `naive` is the same loop one commit at a time.
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { CHECKPOINT_TYPE, PATHS } from "../src/contract";
import { formatPartitionId, signRequest, type SigningCredentials } from "../src/dis";
import type { Checkpoint } from "./workload";

export interface FloorTarget {
  url: string;
  projectId: string;
  credentials: SigningCredentials;
}

/** Commits every checkpoint; resolves with the wall time in ms, rejects on the first non-201. */
export async function commitAll(target: FloorTarget, checkpoints: readonly Checkpoint[], concurrency: number): Promise<number> {
  const pool = new Pool(target.url, { connections: concurrency, pipelining: 1 });
  const path = PATHS.checkpoints(target.projectId);
  let next = 0;
  const worker = async () => {
    while (next < checkpoints.length) {
      const checkpoint = checkpoints[next++]!;
      const body = JSON.stringify({
        app_name: checkpoint.app,
        checkpoint_type: CHECKPOINT_TYPE,
        stream_name: checkpoint.stream,
        partition_id: formatPartitionId(checkpoint.partition),
        sequence_number: checkpoint.sequenceNumber,
      });
      const headers = signRequest(
        { method: "POST", url: `${target.url}${path}`, headers: { "Content-Type": "application/json", "X-Project-Id": target.projectId }, body },
        target.credentials,
        new Date(),
      );
      const response = await pool.request({ method: "POST", path, headers, body });
      const text = await response.body.text();
      if (response.statusCode !== 201) throw new Error(`CommitCheckpoint answered ${response.statusCode}: ${text.slice(0, 200)}`);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, checkpoints.length) }, worker));
    return performance.now() - started;
  } finally {
    await pool.close();
  }
}
