/**
 * The provider's create/update against a real emulator over HTTP: exactly what the gate listed is committed,
 * an unknown outcome is re-read before any retry, commits are verified after the settle interval, and the
 * applied record says partition by partition what held.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../src/emulator";
import type { DisClient } from "../../src/dis";
import { applyCheckpoints, GateMismatchError } from "../../src/provider/apply";
import { storeStream } from "../../src/provider/codec";
import type { GateClock } from "../../src/provider/gate";
import { STATE_SCHEMA, type CheckpointsInputs, type CheckpointsOutputs, type StreamDeclaration } from "../../src/provider/model";
import { clientFromSettings, readSettings, type ProviderSettings } from "../../src/provider";

const clock: GateClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

function stream(partitions: Record<string, string>, options: Partial<StreamDeclaration> = {}): StreamDeclaration {
  return { app: "billing", stream: "orders", partitions, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse", partitionRevisions: {}, ...options };
}

function inputs(declared: StreamDeclaration, gate: CheckpointsInputs["gate"]["streams"][string], createApps: string[] = []): CheckpointsInputs {
  return { schema: STATE_SCHEMA, streams: { [`${declared.app}/${declared.stream}`]: storeStream(declared) }, gate: { streams: { [`${declared.app}/${declared.stream}`]: gate }, createApps } };
}

function outputs(applied: StreamDeclaration): CheckpointsOutputs {
  return {
    schema: STATE_SCHEMA,
    applied: { [`${applied.app}/${applied.stream}`]: storeStream(applied) },
    apps: { billing: "adopted" },
    restorePoint: null,
    failures: [],
    lastRun: { planned: 0, commits: 0, appsCreated: 0, deletes: 0, verified: 0 },
  };
}

const commitsOf = (requests: readonly RequestLogEntry[]) =>
  requests.filter((entry) => entry.operation === "CommitCheckpoint").map((entry) => `${(entry.body as { partition_id: string }).partition_id}=${(entry.body as { sequence_number: string }).sequence_number} ${entry.status}`);

describe("applyCheckpoints", () => {
  let emulator: EmulatorHandle;
  let client: DisClient;
  let settings: ProviderSettings;
  const at = (partition: number) => emulator.state.showCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: partition, id: String(partition) } })?.sequenceNumber.toString();
  beforeEach(async () => {
    emulator = await startEmulator({
      seed: {
        streams: [{ name: "orders", partitions: 4, records: { perPartition: 1000 } }],
        apps: ["billing"],
        checkpoints: [0, 1, 2, 3].map((partition) => ({ app: "billing", stream: "orders", partition, sequenceNumber: "100" })),
      },
    });
    const config: Record<string, string> = {
      "dis-checkpoints:endpoint": emulator.url,
      "dis-checkpoints:projectId": emulator.projectId,
      "dis-checkpoints:accessKey": emulator.accessKey,
      "dis-checkpoints:secretKey": emulator.secretKey,
      "dis-checkpoints:settleInterval": "200ms",
      "dis-checkpoints:concurrency": "1",
    };
    settings = readSettings((key) => config[key], {});
    client = clientFromSettings(settings);
  });
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  const before = stream({ "0": "100", "1": "100", "2": "100", "3": "100" });
  const replay = stream({ "0": "20", "1": "20", "2": "20", "3": "20" });
  const gated = { replace: "0=100 1=100 2=100 3=100" };

  it("a failure after k of N commits records exactly the k, their restore point, and what failed; the re-run commits only the rest", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4200", skip: 1, count: 1 });
    // The second commit is refused; no further one starts.
    const result = await applyCheckpoints({ client, settings, clock }, outputs(before), inputs(replay, gated));
    expect(commitsOf(emulator.requests())).toEqual(["shardId-0000000000=20 201", "shardId-0000000001=20 400"]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=20 1=100 2=100 3=100");
    expect(result.failures).toEqual([
      { code: "commit-failed", app: "billing", stream: "orders", partition: 1, committed: "20", replaced: "100", error: expect.stringContaining("DIS.4200") },
      { code: "not-attempted", app: "billing", stream: "orders", partitions: "2 3" },
    ]);
    expect(result.lastRun).toEqual({ planned: 4, commits: 1, appsCreated: 0, deletes: 0, verified: 1 });
    expect(result.restorePoint?.streams).toEqual({ "billing/orders": "0=100" });

    // The consumer replays partition 0 and moves on; the re-run leaves it alone and commits the other three once.
    emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 0, id: "0" } }, 25n);
    const rerun = await applyCheckpoints({ client, settings, clock }, result, inputs(replay, { replace: "1=100 2=100 3=100" }));
    expect(commitsOf(emulator.requests()).slice(2)).toEqual(["shardId-0000000001=20 201", "shardId-0000000002=20 201", "shardId-0000000003=20 201"]);
    expect(at(0)).toBe("25");
    expect(rerun.failures).toEqual([]);
    expect(rerun.applied["billing/orders"]!.partitions).toBe("0=20 1=20 2=20 3=20");
    expect(rerun.restorePoint?.streams).toEqual({ "billing/orders": "1=100 2=100 3=100" });
  });

  it("partial progress: the next run commits only the partitions that did not settle", async () => {
    const partial = { ...outputs(before), applied: { "billing/orders": storeStream(stream({ "0": "20", "1": "100", "2": "100", "3": "100" })) } };
    const result = await applyCheckpoints({ client, settings, clock }, partial, inputs(replay, { replace: "1=100 2=100 3=100", adopt: "0" }));
    expect(commitsOf(emulator.requests())).toEqual(["shardId-0000000001=20 201", "shardId-0000000002=20 201", "shardId-0000000003=20 201"]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=20 1=20 2=20 3=20");
  });

  it("a commit answered by a reset after it was applied is read back, not sent again", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 });
    const result = await applyCheckpoints({ client, settings, clock }, outputs(before), inputs(replay, gated));
    expect(commitsOf(emulator.requests())).toEqual(["shardId-0000000000=20 0", "shardId-0000000001=20 201", "shardId-0000000002=20 201", "shardId-0000000003=20 201"]);
    expect(result.failures).toEqual([]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=20 1=20 2=20 3=20");
  });

  it("a commit with an unknown outcome whose partition moved before the retry is left alone and reported", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 });
    // A consumer commits partition 0 while the commit's answer is lost.
    emulator.addFault({ operation: "ShowConsumerState", kind: "latency", latencyMs: 150, count: 1 });
    setTimeout(() => emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 0, id: "0" } }, 25n), 50);
    const result = await applyCheckpoints({ client, settings, clock }, outputs(before), inputs(stream({ "0": "20" }), { replace: "0=100" }));
    expect(commitsOf(emulator.requests())).toEqual(["shardId-0000000000=20 0"]);
    expect(at(0)).toBe("25");
    expect(result.failures).toEqual([
      { code: "moved-before-retry", app: "billing", stream: "orders", partition: 0, committed: "20", replaced: "100", now: "25", error: expect.stringContaining("connection") },
    ]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=100");
  });

  it("a commit that consumers overwrite is not recorded as applied; one that a re-reading consumer resumes from is", async () => {
    emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: 40, recordsPerSecond: 0 });
    emulator.addConsumer({ app: "billing", stream: "orders", partitions: [1], intervalMs: 40, recordsPerSecond: 20, mode: "reread" });
    const result = await applyCheckpoints({ client, settings, clock }, outputs(stream({ "0": "100", "1": "100" })), inputs(stream({ "0": "20", "1": "20" }), { replace: "0=100 1=100" }));
    expect(result.failures).toEqual([{ code: "overwritten", app: "billing", stream: "orders", partition: 0, committed: "20", replaced: "100", now: "100" }]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=100 1=20");
    expect(result.lastRun).toMatchObject({ planned: 2, commits: 2, verified: 1 });
  });

  it("commits nothing when its own plan holds a partition the gate did not check", async () => {
    await expect(applyCheckpoints({ client, settings, clock }, outputs(before), inputs(replay, { replace: "0=100" }))).rejects.toThrow(
      new GateMismatchError(
        "the stack's state lists changes the program did not check before the run (billing/orders partition 1, billing/orders partition 2, billing/orders partition 3): " +
          "its outputs and its resource state disagree, as after an interrupted run. Nothing was committed; run the same command again.",
      ),
    );
    expect(commitsOf(emulator.requests())).toEqual([]);
  });

  it("deletes the checkpoints of partitions an onDelete: delete stream no longer declares", async () => {
    const result = await applyCheckpoints({ client, settings, clock }, outputs(stream({ "0": "100", "1": "100" }, { onDelete: "delete" })), inputs(stream({ "0": "100" }, { onDelete: "delete" }), {}));
    expect(emulator.requests().map((entry) => `${entry.operation} ${entry.status} ${entry.query.partition_id ?? ""}`)).toEqual(["DeleteCheckpoint 204 shardId-0000000001"]);
    expect(at(1)).toBeUndefined();
    expect(result.applied["billing/orders"]!.partitions).toBe("0=100");
    expect(result.lastRun.deletes).toBe(1);
  });

  it("keeps a checkpoint whose delete failed in the applied record, so the next run deletes it again", async () => {
    emulator.addFault({ operation: "DeleteCheckpoint", kind: "status", status: 503, code: "DIS.5000", count: 10 });
    const result = await applyCheckpoints({ client, settings, clock }, outputs(stream({ "0": "100", "1": "100" }, { onDelete: "delete" })), inputs(stream({ "0": "100" }, { onDelete: "delete" }), {}));
    expect(result.failures).toEqual([{ code: "delete-failed", app: "billing", stream: "orders", partition: 1, error: expect.stringContaining("DIS.5000") }]);
    expect(result.applied["billing/orders"]!.partitions).toBe("0=100 1=100");
    expect(result.lastRun.deletes).toBe(0);
    emulator.clearFaults();
    const again = await applyCheckpoints({ client, settings, clock }, result, inputs(stream({ "0": "100" }, { onDelete: "delete" }), {}));
    expect(again.failures).toEqual([]);
    expect(again.applied["billing/orders"]!.partitions).toBe("0=100");
    expect(at(1)).toBeUndefined();
  });
});
