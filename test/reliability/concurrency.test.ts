/**
 * Two `up` on the same stack at once: the second fails on Pulumi's stack lock with a clear message, without
 * running the program (no request reaches DIS from it) and without touching the state; the first finishes
 * normally, each partition committed once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedPartitions, checkpointsResource, commits, operations, STACK, startWorld, type World } from "../support/world";

const DECLARATION = `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "5"\n      1: "6"\n`;
const WAIT_LIMIT_MS = 120_000;

async function until(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > WAIT_LIMIT_MS) throw new Error(`${what} did not happen in time`);
    await sleep(20);
  }
}

describe("two up at once on one stack", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 10 } }], apps: ["billing"] },
      declarations: { "billing.yaml": DECLARATION },
    });
  });
  afterAll(async () => world?.close());

  it("the second fails on the lock, sends no request and changes nothing; the first commits each partition once", async () => {
    // Holds the first run inside its update (and so holding the lock) while the second runs: partition 0's
    // commit is answered only after 15 s, and until then the first run sends nothing and writes no state.
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "latency", latencyMs: 15_000, count: 1 });
    const first = world.dis("up", "--stack", STACK);
    await until(() => world.emulator.faults().length === 0 && commits(world.emulator.requests()).length === 1, "the first up's commits");
    const before = world.emulator.requests().at(-1)!.seq;
    const stateBefore = await world.exportState();

    const second = await world.dis("up", "--stack", STACK);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `dis-checkpoints up: stack '${STACK}' is locked by another update; nothing was changed. Wait for it to finish (or, if it died, run \`npm run pulumi -- cancel --stack ${STACK}\`).\n`,
    );
    // It never ran the program, so it read nothing.
    expect(second.stdout).not.toContain("Reading live positions");
    expect(world.emulator.requests(before)).toEqual([]);
    expect(await world.exportState()).toEqual(stateBefore);

    const done = await first;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`up of stack '${STACK}' done: 2 checkpoints committed (2 held)\n`);
    const requests = world.takeRequests();
    // One commit per partition, the first run's, and then its verification read.
    expect(commits(requests)).toEqual(["billing/orders/0=5", "billing/orders/1=6"]);
    expect(operations(requests.slice(-3))).toEqual(["CommitCheckpoint 201", "CommitCheckpoint 201", "ShowConsumerState 200"]);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "billing/orders": { "0": "5", "1": "6" } });
    expect(checkpointsResource(state)!.outputs.lastRun).toEqual({ planned: 2, commits: 2, appsCreated: 0, deletes: 0, verified: 2 });
  });
});
