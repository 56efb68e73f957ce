/**
 * Running consumers (issue 13), through the real CLI and the emulator's simulated consumers: a replay while
 * a consumer moves is refused before any commit; a consumer the check cannot see (idle, or started after it)
 * is caught by the verification, which fails the run and leaves the partition to the next up; a stream
 * that allows running consumers commits under a consumer that re-reads its checkpoint.
 */
import { afterEach, describe, expect, it } from "vitest";
import { appliedPartitions, commits, operations, startWorld, writes, type World } from "../support/world";

const SEED = {
  streams: [
    { name: "payments", partitions: 2, records: { perPartition: 1000 } },
    { name: "orders", partitions: 1, records: { perPartition: 1000 } },
  ],
  apps: ["billing"],
  checkpoints: [
    { app: "billing", stream: "payments", partition: 0, sequenceNumber: "190" },
    { app: "billing", stream: "payments", partition: 1, sequenceNumber: "185" },
    { app: "billing", stream: "orders", partition: 0, sequenceNumber: "50" },
  ],
};

const declarations = (payments: [string, string], orders = "50", payOptions = "") => `version: 1
app: billing
streams:
  payments:
    partitions:
      0: "${payments[0]}"
      1: "${payments[1]}"
${payOptions}  orders:
    partitions:
      0: "${orders}"
`;

/** Windows longer than the consumers' commit interval (100 ms), short enough for a test. */
const WAITS = ["dis-checkpoints:activityWindow: 1s", "dis-checkpoints:settleInterval: 1s"];

describe("running consumers", () => {
  let world: World;
  afterEach(async () => world?.close());

  async function adopted(): Promise<World> {
    const created = await startWorld({ seed: SEED, declarations: { "billing.yaml": declarations(["190", "185"]) }, config: WAITS });
    expect((await created.run("dis-checkpoints", "up")).code).toBe(0);
    expect(writes(created.takeRequests())).toEqual([]);
    return created;
  }

  it("a replay while a consumer moves is refused before any commit, for every stream of the run", async () => {
    world = await adopted();
    world.emulator.addConsumer({ app: "billing", stream: "payments", partitions: [0], intervalMs: 100, recordsPerSecond: 20 });
    world.writeDeclaration("billing.yaml", declarations(["150", "142"], "40"));
    const refused = await world.run("dis-checkpoints", "up");
    expect(refused.code).toBe(1);
    const line = /checkpoints\/test\/billing\.yaml:6:7: app 'billing', stream 'payments', partition 0: the checkpoint moved from (\d+) to (\d+) within 1s: consumers are running and would overwrite the commit; stop its consumers and run again, or set whileConsumersRun: allow on the stream for consumers that re-read their checkpoint \[consumers-active\]/.exec(refused.stdout);
    expect(line).not.toBeNull();
    expect(BigInt(line![2]!)).toBeGreaterThan(BigInt(line![1]!));
    expect(refused.stdout).toContain("billing / payments: 1 to commit, 1 refused, 0 partitions unchanged; consumers ACTIVE (1 partition moved in 1s)");
    // The consumer moves from 190 from the moment it starts: the table shows the gate's first read, the refusal's first value.
    const row = / {6}0 {10}(\d{3}) {3}150 {7}replay (\d+) records; REFUSED \(consumers-active\)\n/.exec(refused.stdout);
    expect(row).not.toBeNull();
    expect(row![1]).toBe(line![1]);
    expect(BigInt(row![1]!)).toBeGreaterThanOrEqual(190n);
    expect(BigInt(row![2]!)).toBe(BigInt(row![1]!) - 150n);
    expect(refused.stdout).toContain("Nothing was committed: fix what is listed above and run again.");
    // Nothing for any stream: orders had nothing running and is not committed either.
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("billing", "orders", 0)).toBe("50");
  });

  it("an idle consumer that keeps committing the same value is caught by the verification; the next up after it stopped applies the replay", async () => {
    world = await adopted();
    const consumer = world.emulator.addConsumer({ app: "billing", stream: "payments", partitions: [0], intervalMs: 100, recordsPerSecond: 0 });
    world.writeDeclaration("billing.yaml", declarations(["150", "142"]));
    const failed = await world.run("dis-checkpoints", "up");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("consumers idle (no checkpoint moved in 1s)");
    expect(failed.stdout).toContain(
      "app 'billing', stream 'payments': consumers overwrote the commit on partition 0: committed 150, now 190; the replay did not happen. " +
        "It is not recorded as applied: stop the consumers and run up again",
    );
    expect(commits(world.takeRequests())).toEqual(["billing/payments/0=150", "billing/payments/1=142"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/orders": { "0": "50" }, "billing/payments": { "0": "190", "1": "142" } });

    world.emulator.removeConsumer(consumer.id);
    const applied = await world.run("dis-checkpoints", "up");
    expect(applied.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/payments/0=150"]);
    expect(world.checkpoint("billing", "payments", 0)).toBe("150");
    expect(appliedPartitions(await world.exportState())["billing/payments"]).toEqual({ "0": "150", "1": "142" });
  });

  it("a consumer the check cannot see (started after it) is caught by the verification too", async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declarations(["190", "185"]) }, config: ["dis-checkpoints:activityWindow: 0", "dis-checkpoints:settleInterval: 1s"] });
    expect((await world.run("dis-checkpoints", "up")).code).toBe(0);
    world.emulator.addConsumer({ app: "billing", stream: "payments", partitions: [1], intervalMs: 100, recordsPerSecond: 20 });
    world.writeDeclaration("billing.yaml", declarations(["190", "100"]));
    const failed = await world.run("dis-checkpoints", "up");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/consumers overwrote the commit on partition 1: committed 100, now (\d+); the replay did not happen/);
    expect(appliedPartitions(await world.exportState())["billing/payments"]).toEqual({ "0": "190", "1": "185" });
  });

  it("whileConsumersRun: allow commits while a re-reading consumer runs, and the consumer continues from the committed position", async () => {
    const allow = "    whileConsumersRun: allow\n";
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declarations(["190", "185"], "50", allow) }, config: WAITS });
    expect((await world.run("dis-checkpoints", "up")).code).toBe(0);
    world.emulator.addConsumer({ app: "billing", stream: "payments", partitions: [0], intervalMs: 100, recordsPerSecond: 5, mode: "reread" });
    world.writeDeclaration("billing.yaml", declarations(["150", "185"], "50", allow));
    const result = await world.run("dis-checkpoints", "up");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("billing / payments: 1 to commit, 0 refused, 1 partition unchanged; consumers ACTIVE (1 partition moved in 1s)");
    expect(commits(world.takeRequests())).toEqual(["billing/payments/0=150"]);
    const now = BigInt(world.checkpoint("billing", "payments", 0)!);
    expect(now).toBeGreaterThan(150n);
    expect(now).toBeLessThan(190n);
    expect(appliedPartitions(await world.exportState())["billing/payments"]).toEqual({ "0": "150", "1": "185" });
  });

  it("a run that commits nothing waits for nothing and samples nothing", async () => {
    world = await adopted();
    world.emulator.addConsumer({ app: "billing", stream: "payments", intervalMs: 100, recordsPerSecond: 20 });
    const result = await world.run("dis-checkpoints", "up");
    expect(result.code).toBe(0);
    // No read of any checkpoint, so no window was waited (the benchmark measures the time).
    expect(operations(world.takeRequests())).toEqual(["ListApps 200"]);
    expect(result.stdout).not.toContain("Watching");
  });
});
