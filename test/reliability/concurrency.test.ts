/**
 * Two `up` on the same stack at once: the second fails on Pulumi's stack lock with a clear message and
 * changes nothing; the first finishes normally.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK, startWorld, writes, type World } from "../support/world";

const DECLARATION = `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "5"\n      1: "6"\n`;

describe("two up at once on one stack", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 10 } }], apps: ["billing"] },
      declarations: { "billing.yaml": DECLARATION },
    });
  });
  afterAll(async () => world?.close());

  it("the second fails on the lock and changes nothing", async () => {
    // Keeps the first run inside its update (and so holding the lock) while the second starts.
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "latency", latencyMs: 8_000, count: 1 });
    const first = world.dis("up", "--stack", STACK);
    const start = Date.now();
    while (!world.emulator.requests().some((entry) => entry.operation === "CommitCheckpoint" || entry.operation === "ShowConsumerState")) {
      if (Date.now() - start > 120_000) throw new Error("the first up never reached DIS");
      await sleep(20);
    }
    const second = await world.dis("up", "--stack", STACK);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `dis-checkpoints up: stack '${STACK}' is locked by another update; nothing was changed. Wait for it to finish (or, if it died, run \`npm run pulumi -- cancel --stack ${STACK}\`).\n`,
    );
    // The second never ran the program: no impact table of its own.
    expect(second.stdout).not.toContain("to commit");

    const done = await first;
    expect(done.code).toBe(0);
    // One commit per partition: the first run's, and none from the second.
    expect(
      writes(world.takeRequests())
        .map((entry) => `${entry.operation} ${(entry.body as Record<string, string>).partition_id}=${(entry.body as Record<string, string>).sequence_number}`)
        .sort(),
    ).toEqual(["CommitCheckpoint shardId-0000000000=5", "CommitCheckpoint shardId-0000000001=6"]);
  });
});
