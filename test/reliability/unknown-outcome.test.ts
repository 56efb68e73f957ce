/**
 * A commit whose answer is lost after DIS applied it (the emulator resets the connection once the commit is
 * handled), through the real `dis-checkpoints up`. The provider never retries such a commit blindly: it reads
 * the partition first. Found at the declared value, the commit counts as made and is not sent again. Found
 * moved by a consumer, neither at the declared value nor at the one it replaced, it is left alone and no further
 * commit starts: the run records what it has, reports the partition (`moved-before-retry`) and fails; the
 * consumer's value stays, and the next up commits what is left.
 *
 * Commits run one at a time (`concurrency: 1`), so the fault meets partition 0's commit and the request log's
 * order is fixed. The stream declares `whileConsumersRun: allow`, so the run goes ahead although the gate sees
 * its consumer moving: that is what puts a moving consumer beside a lost answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedPartitions, checkpointsResource, STACK, STACK_TRACE, startWorld, type World } from "../support/world";
import { GATE_READS, requestLog } from "./request-log";

const SEED = { streams: [{ name: "orders", partitions: 2, records: { perPartition: 10_000 } }], apps: ["billing"] };

function declaration(value: number): string {
  return `version: 1\napp: billing\nstreams:\n  orders:\n    whileConsumersRun: allow\n    partitions:\n      0: "${value}"\n      1: "${value}"\n`;
}

/** The read after a commit's lost answer, and the one after the settle interval that checks what held. */
const READ = "ShowConsumerState 200";

/** The client's wording for a connection the server destroyed before answering. */
function lostAnswer(world: World): string {
  return `CommitCheckpoint failed: the connection to ${world.emulator.url} was closed before a complete response (ECONNRESET)`;
}

describe("a commit whose answer was lost after it was applied", () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declaration(100) }, config: ["dis-checkpoints:concurrency: 1"] });
    const first = await world.dis("up", "--stack", STACK);
    expect(first.code).toBe(0);
    world.takeRequests();
  });
  afterAll(async () => world?.close());

  it("without a consumer: the re-read finds the declared value, the commit is not sent again, and the run succeeds", async () => {
    world.writeDeclaration("billing.yaml", declaration(50));
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 });
    const result = await world.dis("up", "--stack", STACK);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`up of stack '${STACK}' done: 2 checkpoints committed (2 held)\n`);
    expect(requestLog(world.takeRequests())).toEqual([...GATE_READS, "CommitCheckpoint 0=50 RESET", READ, "CommitCheckpoint 1=50 201", READ]);
    expect([world.checkpoint("billing", "orders", 0), world.checkpoint("billing", "orders", 1)]).toEqual(["50", "50"]);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "billing/orders": { "0": "50", "1": "50" } });
    expect(checkpointsResource(state)!.outputs.failures).toEqual([]);
  });

  it("with a consumer moving the partition before the retry: not committed again, reported as moved-before-retry, the consumer's value stays", async () => {
    // A consumer on partition 0 that commits its own position every 50 ms, whatever is stored.
    const consumer = world.emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: 50, recordsPerSecond: 50 });
    world.writeDeclaration("billing.yaml", declaration(40));
    // Partition 0's commit is applied, then its answer waits half a second (the consumer commits meanwhile) and is lost.
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "latency", latencyMs: 500, when: "after", count: 1 });
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 });
    const result = await world.dis("up", "--stack", STACK);
    const requests = world.takeRequests();
    // Stopped at once (no tick can come between these two lines), so its last commit is final.
    const consumerAtEnd = world.emulator.consumers().find((view) => view.id === consumer.id)!;
    expect(world.emulator.removeConsumer(consumer.id)).toBe(true);

    // Partition 0's commit is never sent again, and after that failure no further commit starts.
    expect(requestLog(requests)).toEqual([...GATE_READS, "CommitCheckpoint 0=40 RESET", READ]);
    expect(result.stdout).toContain("billing / orders: 2 to commit, 0 refused, 0 partitions unchanged; consumers ACTIVE (1 partition moved in 0.3s)");

    const state = await world.exportState();
    const outputs = checkpointsResource(state)!.outputs;
    const [failure] = outputs.failures as Array<{ replaced: string; now: string }>;
    expect(outputs.failures).toEqual([
      { code: "moved-before-retry", app: "billing", stream: "orders", partition: 0, committed: "40", replaced: failure!.replaced, now: failure!.now, error: lostAnswer(world) },
      { code: "not-attempted", app: "billing", stream: "orders", partitions: "1" },
    ]);
    // What it replaced is where the consumer stood at the gate's second read; by the re-read it had moved on.
    expect(BigInt(failure!.replaced)).toBeGreaterThan(50n);
    expect(BigInt(failure!.now)).toBeGreaterThan(BigInt(failure!.replaced));
    expect(outputs.lastRun).toEqual({ planned: 2, commits: 0, appsCreated: 0, deletes: 0, verified: 0 });
    expect(appliedPartitions(state)).toEqual({ "billing/orders": { "0": "50", "1": "50" } });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "error: The run made 0 of 2 planned commits, and 0 held. The partitions below are not recorded as applied, so the next up commits them " +
        "(and only them) again:\n" +
        `      app 'billing', stream 'orders': the commit of 40 to partition 0 got no answer (${lostAnswer(world)}), and before retrying it the partition ` +
        `held ${failure!.now}, neither the committed value nor the ${failure!.replaced} it replaced: something moved it, so it was not committed again. ` +
        "It is not recorded as applied: check the partition's consumers and run up again\n" +
        "      app 'billing', stream 'orders': the commits to 1 partition 1 were not attempted after the failure above. They are not recorded as applied; run up again to commit them\n",
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    // The partition holds the consumer's last commit, at or past what the re-read saw: the run did not undo it.
    expect(world.checkpoint("billing", "orders", 0)).toBe(consumerAtEnd.lastCommitted["0"]);
    expect(BigInt(consumerAtEnd.lastCommitted["0"]!)).toBeGreaterThanOrEqual(BigInt(failure!.now));
    expect(world.checkpoint("billing", "orders", 1)).toBe("50");
  });

  it("with the consumer stopped, the next up commits both partitions once and records them", async () => {
    const result = await world.dis("up", "--stack", STACK);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("billing / orders: 2 to commit, 0 refused, 0 partitions unchanged; consumers idle (no checkpoint moved in 0.3s)");
    expect(requestLog(world.takeRequests())).toEqual([...GATE_READS, "CommitCheckpoint 0=40 201", "CommitCheckpoint 1=40 201", READ]);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "billing/orders": { "0": "40", "1": "40" } });
    expect(checkpointsResource(state)!.outputs.failures).toEqual([]);
  });
});
