/**
 * The set-point promise where it breaks (issue 17): a lost state and a run that failed part-way must not
 * rewind a consumer that moved on. Through the real CLI and engine, against the emulator; the request log
 * and the state are asserted exactly.
 */
import { afterEach, describe, expect, it } from "vitest";
import { appliedPartitions, checkpointsResource, commits, DOORS, STACK, startWorld, writes, type Door, type World } from "../support/world";

const SEED = {
  streams: [
    { name: "payments", partitions: 2, records: { perPartition: 300 } },
    { name: "orders", partitions: 4, records: { perPartition: 300 } },
  ],
  apps: ["billing", "analytics"],
  checkpoints: [
    { app: "billing", stream: "payments", partition: 0, sequenceNumber: "190" },
    { app: "billing", stream: "payments", partition: 1, sequenceNumber: "185" },
    ...[0, 1, 2, 3].map((partition) => ({ app: "analytics", stream: "orders", partition, sequenceNumber: "100" })),
  ],
};

const billing = (first: string, second: string) => `version: 1
app: billing
streams:
  payments:
    partitions:
      0: "${first}"
      1: "${second}"
`;

const analytics = (value: string) => `version: 1
app: analytics
streams:
  orders:
    partitions:
${[0, 1, 2, 3].map((partition) => `      ${partition}: "${value}"`).join("\n")}
`;

describe.each(DOORS)("through %s: a lost state does not rewind consumers", (door: Door) => {
  let world: World;
  afterEach(async () => world?.close());

  it("adopt, replay, consumer moves on, state lost: refused before any commit, with both causes and the token", async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": billing("190", "185") } });
    // Adoption: declared equals live, no acknowledgement needed, nothing committed.
    const adopt = await world.run(door, "up");
    expect(adopt.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual([]);
    world.writeDeclaration("billing.yaml", billing("150", "142"));
    expect((await world.run(door, "up")).code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/payments/0=150", "billing/payments/1=142"]);
    world.consume("billing", "payments", 0, "195");

    world.loseState();
    const lost = await world.run(door, "up");
    expect(lost.code).not.toBe(0);
    expect(lost.stdout).toContain(
      "checkpoints/test/billing.yaml:6:7: app 'billing', stream 'payments', partition 0: the state holds no earlier declaration of this stream, " +
        "and the commit would move the live checkpoint 195 to 150 (replay 45 records) [first-apply]",
    );
    expect(lost.stdout).toContain(`These streams have no earlier declaration in the state of stack '${STACK}'. Either this is their first apply, or the stack's state went missing`);
    expect(lost.stdout).toContain(`the state is read from its backend, file://${world.project.dir}/.pulumi/state`);
    expect(lost.stdout).toContain("Nothing was committed");
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("billing", "payments", 0)).toBe("195");

    // Acknowledged, the run commits and says what it replayed. Partition 1 is adopted where it stands.
    const token = /--acknowledge-first-apply (fa-[0-9a-f]{10})/.exec(lost.stdout)![1]!;
    const acknowledged = door === "dis-checkpoints" ? await world.run(door, "up", "--acknowledge-first-apply", token) : await world.run(door, "up", "--config", `dis-checkpoints:acknowledgeFirstApply=${token}`);
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.stdout).toMatch(/ {6}0 {10}195 {3}150 {7}replay 45 records\n/);
    expect(acknowledged.stdout).toContain(`First apply acknowledged (${token})`);
    expect(commits(writes(world.takeRequests()))).toEqual(["billing/payments/0=150"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/payments": { "0": "150", "1": "142" } });
  });
});

describe("a run that failed part-way", () => {
  let world: World;
  afterEach(async () => world?.close());

  it("records the k commits that were made; after consumers advance them, the re-run commits exactly the other N - k", async () => {
    world = await startWorld({ seed: SEED, declarations: { "analytics.yaml": analytics("100") }, config: ["dis-checkpoints:concurrency: 1"] });
    expect((await world.run("dis-checkpoints", "up")).code).toBe(0);
    world.takeRequests();

    // Every other commit is refused with a non-retryable 400: the first lands, the second fails, no more start.
    world.writeDeclaration("analytics.yaml", analytics("20"));
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4200", skip: 1, count: 1 });
    const failed = await world.run("dis-checkpoints", "up");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      "The run made 1 of 4 planned commits, and 1 held. The partitions below are not recorded as applied, so the next up commits them (and only them) again:",
    );
    expect(failed.stdout).toContain("app 'analytics', stream 'orders': the commit of 20 to partition 1 failed: CommitCheckpoint failed: Invalid request.");
    expect(failed.stdout).toContain("app 'analytics', stream 'orders': the commits to 2 partitions 2, 3 were not attempted after the failure above.");
    expect(commits(world.takeRequests())).toEqual(["analytics/orders/0=20", "analytics/orders/1=20"]);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "analytics/orders": { "0": "20", "1": "100", "2": "100", "3": "100" } });
    // The failed run's restore point lists the one position it replaced.
    const restore = await world.pulumi("stack", "output", "restorePoint", "--show-secrets", "--json", "--stack", STACK);
    expect(JSON.parse(restore.stdout).streams).toEqual([{ app: "analytics", stream: "orders", previous: { "0": "100" } }]);
    expect(checkpointsResource(state)!.outputs.failures).toEqual([
      {
        code: "commit-failed",
        app: "analytics",
        stream: "orders",
        partition: 1,
        committed: "20",
        replaced: "100",
        error: expect.stringMatching(/^CommitCheckpoint failed: Invalid request\. \(DIS\.4200, HTTP 400, request id [0-9a-f]+\)$/),
      },
      { code: "not-attempted", app: "analytics", stream: "orders", partitions: "2 3" },
    ]);

    // The consumer replays partition 0 and moves on to 25; faults gone; the re-run leaves it there.
    world.consume("analytics", "orders", 0, "25");
    const rerun = await world.run("dis-checkpoints", "up");
    expect(rerun.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["analytics/orders/1=20", "analytics/orders/2=20", "analytics/orders/3=20"]);
    expect(world.checkpoint("analytics", "orders", 0)).toBe("25");
    expect(appliedPartitions(await world.exportState())).toEqual({ "analytics/orders": { "0": "20", "1": "20", "2": "20", "3": "20" } });
  });

  it("through a plain pulumi up as well: the failure fails the run and the partial progress is recorded", async () => {
    world = await startWorld({ seed: SEED, declarations: { "analytics.yaml": analytics("100") }, config: ["dis-checkpoints:concurrency: 1"] });
    expect((await world.run("pulumi", "up")).code).toBe(0);
    world.writeDeclaration("analytics.yaml", analytics("20"));
    world.takeRequests();
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4200", skip: 2, count: 1 });
    const failed = await world.run("pulumi", "up", "--skip-preview");
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain("The run made 2 of 4 planned commits, and 2 held.");
    expect(commits(world.takeRequests())).toEqual(["analytics/orders/0=20", "analytics/orders/1=20", "analytics/orders/2=20"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "analytics/orders": { "0": "20", "1": "20", "2": "100", "3": "100" } });
    const rerun = await world.run("pulumi", "up", "--skip-preview");
    expect(rerun.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["analytics/orders/2=20", "analytics/orders/3=20"]);
  });
});
