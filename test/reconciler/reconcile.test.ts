/**
 * The reconciler end to end, through both doors: `dis-checkpoints` (the Automation API) and a plain `pulumi`
 * with Pulumi.yaml and the nodejs language host, as pipelines run it. Either way: the real Pulumi CLI and
 * engine → the dynamic provider process → the emulator over HTTP. Each step asserts the exact requests the
 * emulator received and the state Pulumi kept; the steps build on each other, in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appliedPartitions,
  checkpointsResource,
  commits,
  DOORS,
  operations,
  STACK,
  STACK_TRACE,
  startWorld,
  TEST_ACCESS_KEY,
  TEST_SECRET_KEY,
  writes,
  type Door,
  type World,
} from "../support/world";

const SEED = {
  streams: [
    { name: "orders", partitions: 4, records: { perPartition: 100 } },
    { name: "payments", partitions: 2, records: { perPartition: 50 } },
  ],
  apps: ["billing"],
};

const BILLING = `version: 1
app: billing
streams:
  orders:
    partitions:
      0: "10"
      1: "20"
      shardId-0000000002:
        sequenceNumber: "30"
        metadata: "replay INC-1"
  payments:
    partitions:
      0: "5"
`;

const ANALYTICS = `version: 1
app: analytics
streams:
  orders:
    partitions:
      3: "40"
`;

async function restorePoint(world: World): Promise<{ createdAt?: string; streams: unknown[] }> {
  const result = await world.pulumi("stack", "output", "restorePoint", "--show-secrets", "--json", "--stack", STACK);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe.each(DOORS)("through %s: up reconciles declared checkpoints", (door: Door) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": BILLING, "analytics.yaml": ANALYTICS } });
  });
  afterAll(async () => world?.close());

  it("first up: one commit per declared partition, the missing app created, the existing one adopted", async () => {
    const result = await world.run(door, "up");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("billing / orders: 3 to commit, 0 refused, 0 partitions unchanged; consumers idle (no checkpoint moved in 0.3s); first apply");
    expect(result.stdout).toContain("app 'analytics' does not exist: up creates it");
    const requests = world.takeRequests();
    expect(writes(requests).filter((entry) => entry.operation === "CreateApp").map((entry) => entry.body)).toEqual([{ app_name: "analytics" }]);
    expect(commits(requests)).toEqual([
      "analytics/orders/3=40",
      "billing/orders/0=10",
      "billing/orders/1=20",
      "billing/orders/2=30 replay INC-1",
      "billing/payments/0=5",
    ]);
    expect(writes(requests)).toHaveLength(6);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({
      "analytics/orders": { "3": "40" },
      "billing/orders": { "0": "10", "1": "20", "2": "30" },
      "billing/payments": { "0": "5" },
    });
    const outputs = checkpointsResource(state)!.outputs;
    expect(outputs.apps).toEqual({ analytics: "created", billing: "adopted" });
    expect(outputs.applied["billing/orders"]).toEqual({ partitions: "0=10 1=20 2=30", metadata: { "2": "replay INC-1" } });
    expect(outputs.failures).toEqual([]);
    expect(outputs.lastRun).toEqual({ planned: 5, commits: 5, appsCreated: 1, deletes: 0, verified: 5 });
    expect((await restorePoint(world)).streams).toEqual([
      { app: "analytics", stream: "orders", previous: { "3": null } },
      { app: "billing", stream: "orders", previous: { "0": null, "1": null, "2": null } },
      { app: "billing", stream: "payments", previous: { "0": null } },
    ]);
  });

  it("keeps the serialized provider under 1 KB, with no credential in it", async () => {
    const resource = checkpointsResource(await world.exportState())!;
    const text = String(resource.inputs.__provider);
    expect(text.length).toBeLessThan(1024);
    expect(String(resource.outputs.__provider)).toBe(text);
    expect(text).not.toContain(TEST_SECRET_KEY);
    expect(text).not.toContain(TEST_ACCESS_KEY);
  });

  it("second up with nothing changed: no write, only the apps are read, the restore point stays", async () => {
    const before = await restorePoint(world);
    const result = await world.run(door, "up");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(result.stdout).toMatch(/\b2 unchanged\b/);
    // Pulumi's own `up` previews first, so the program runs twice there.
    expect(operations(world.takeRequests())).toEqual(door === "pulumi" ? ["ListApps 200", "ListApps 200"] : ["ListApps 200"]);
    expect(await restorePoint(world)).toEqual(before);
  });

  it("one partition changed: the preview shows only that partition as a replay; up commits exactly it", async () => {
    world.writeDeclaration("billing.yaml", BILLING.replace('1: "20"', '1: "15"'));
    const preview = await world.run(door, "preview");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("billing / orders: 1 to commit, 0 refused, 2 partitions unchanged; consumers idle (no checkpoint moved in 0.3s)");
    expect(preview.stdout).toMatch(/ {6}partition {2}live {2}declared {2}impact\n {6}1 {10}20 {4}15 {8}replay 5 records\n/);
    expect(preview.stdout).toContain("2 streams with nothing to commit");
    expect(writes(world.takeRequests())).toEqual([]);

    const result = await world.run(door, "up");
    expect(result.code).toBe(0);
    expect(commits(writes(world.takeRequests()))).toEqual(["billing/orders/1=15"]);
    expect(world.checkpoint("billing", "orders", 1)).toBe("15");
    expect((await restorePoint(world)).streams).toEqual([{ app: "billing", stream: "orders", previous: { "1": "20" } }]);
  });

  it("consumers advance: refresh records them as observed, and the next up commits nothing", async () => {
    world.consume("billing", "orders", 0, "60");
    world.consume("billing", "orders", 1, "70");
    world.takeRequests();
    const refresh = await world.run(door, "refresh");
    expect(refresh.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    const up = await world.run(door, "up");
    expect(up.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("billing", "orders", 0)).toBe("60");
    const state = await world.exportState();
    expect(checkpointsResource(state)!.outputs.observed.streams["billing/orders"]).toBe("0=60 1=70 2=30");
    expect(appliedPartitions(state)["billing/orders"]).toEqual({ "0": "10", "1": "15", "2": "30" });
  });

  it("a bumped revision re-commits every partition of that stream once, recording what it replaced", async () => {
    world.writeDeclaration("billing.yaml", BILLING.replace('1: "20"', '1: "15"').replace("  payments:", "    revision: 1\n  payments:"));
    const result = await world.run(door, "up");
    expect(result.code).toBe(0);
    expect(commits(writes(world.takeRequests()))).toEqual(["billing/orders/0=10", "billing/orders/1=15", "billing/orders/2=30 replay INC-1"]);
    expect((await restorePoint(world)).streams).toEqual([{ app: "billing", stream: "orders", previous: { "0": "60", "1": "70", "2": "30" } }]);
  });

  it("an invalid declaration fails the preview at file:line:col and writes nothing", async () => {
    world.writeDeclaration("broken.yaml", 'version: 1\napp: broken\nstreams:\n  orders:\n    partitions:\n      0: "-4"\n');
    const preview = await world.run(door, "preview");
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain(
      "checkpoints/test/broken.yaml:6:10: partition 0 of stream orders: -4 is negative; sequence numbers run from 0 to 9223372036854775807 [invalid-sequence-number]",
    );
    expect(preview.stdout).toContain("Nothing was committed: fix the declarations above and run again.");
    expect(preview.stdout + preview.stderr).not.toMatch(STACK_TRACE);
    expect(writes(world.takeRequests())).toEqual([]);
    world.removeDeclaration("broken.yaml");
  });

  it("an out-of-range value and an unapproved skip fail the preview and up, naming partition, values and range", async () => {
    world.writeDeclaration("analytics.yaml", ANALYTICS.replace('3: "40"', '3: "500"'));
    const outOfRange = await world.run(door, "preview");
    expect(outOfRange.code).not.toBe(0);
    expect(outOfRange.stdout).toContain(
      "checkpoints/test/analytics.yaml:6:7: app 'analytics', stream 'orders', partition 3: sequence number 500 is out of range: the partition " +
        "retains 0 … 99, and 100 is the next to be written; under convention 'next' the valid checkpoints are 0 … 100; declare a value in that range [out-of-range]",
    );
    world.writeDeclaration("analytics.yaml", ANALYTICS.replace('3: "40"', '3: "90"'));
    const skip = await world.run(door, "preview");
    expect(skip.code).not.toBe(0);
    expect(skip.stdout).toContain(
      "checkpoints/test/analytics.yaml:6:7: app 'analytics', stream 'orders', partition 3: moving the live checkpoint 40 forward to 90 would skip " +
        "50 records; set allowSkip: true on stream 'orders' to allow it, or declare 40 or less [skip-not-allowed]",
    );
    expect(skip.stdout + skip.stderr).not.toMatch(STACK_TRACE);
    const up = await world.run(door, "up");
    expect(up.code).not.toBe(0);
    expect(up.stdout).toContain("would skip 50 records");
    expect(up.stdout).toContain("Nothing was committed: fix what is listed above and run again.");
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("analytics", "orders", 3)).toBe("40");
    world.writeDeclaration("analytics.yaml", ANALYTICS);
  });

  it("a removed stream keeps its checkpoints; with onDelete: delete a dropped partition and a removed stream are deleted", async () => {
    const billing = BILLING.replace('1: "20"', '1: "15"').replace("  payments:", "    revision: 1\n  payments:");
    world.writeDeclaration("billing.yaml", billing.split("  payments:")[0]!);
    const retained = await world.run(door, "up");
    expect(retained.code).toBe(0);
    expect(retained.stdout).toContain("billing / payments: no longer declared; its checkpoints on 1 partition are retained");
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("billing", "payments", 0)).toBe("5");

    world.writeDeclaration("analytics.yaml", `${ANALYTICS.replace('      3: "40"', '      2: "20"\n      3: "40"')}    onDelete: delete\n`);
    expect((await world.run(door, "up")).code).toBe(0);
    expect(commits(writes(world.takeRequests()))).toEqual(["analytics/orders/2=20"]);
    world.writeDeclaration("analytics.yaml", `${ANALYTICS}    onDelete: delete\n`);
    expect((await world.run(door, "up")).code).toBe(0);
    const dropped = writes(world.takeRequests());
    expect(operations(dropped)).toEqual(["DeleteCheckpoint 204"]);
    expect(dropped[0]?.query).toMatchObject({ app_name: "analytics", stream_name: "orders", partition_id: "shardId-0000000002" });
    expect(world.checkpoint("analytics", "orders", 2)).toBeUndefined();
    expect(world.checkpoint("analytics", "orders", 3)).toBe("40");

    world.removeDeclaration("analytics.yaml");
    const deleted = await world.run(door, "up");
    expect(deleted.code).toBe(0);
    const requests = writes(world.takeRequests());
    expect(operations(requests)).toEqual(["DeleteCheckpoint 204"]);
    expect(requests[0]?.query).toMatchObject({ app_name: "analytics", stream_name: "orders", partition_id: "shardId-0000000003" });
    expect(world.checkpoint("analytics", "orders", 3)).toBeUndefined();
    // The app itself is never deleted.
    expect(world.emulator.state.showApp("analytics").name).toBe("analytics");
    expect(Object.keys(appliedPartitions(await world.exportState()))).toEqual(["billing/orders"]);
  });

  it("destroy leaves apps and retained checkpoints in place", async () => {
    const result = await world.run(door, "destroy");
    expect(result.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    expect(world.checkpoint("billing", "orders", 0)).toBe("10");
    expect(world.emulator.state.showApp("billing").name).toBe("billing");
    expect(checkpointsResource(await world.exportState())).toBeUndefined();
  });

  it("no state file holds the access or secret key", async () => {
    const stateDir = path.join(world.project.dir, ".pulumi", "state");
    const files = fs.readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = fs.readFileSync(path.join(file.parentPath, file.name), "utf8");
      expect(text).not.toContain(TEST_SECRET_KEY);
      expect(text).not.toContain(TEST_ACCESS_KEY);
    }
  });
});
