/**
 * The reconciler end to end: `dis-checkpoints` → the real Pulumi CLI and engine → the dynamic provider
 * process → the emulator over HTTP. Each step asserts the exact requests the emulator received and the
 * state Pulumi kept. The steps build on each other, in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/emulator";
import { RESTORE_POINT_OUTPUT, stackOutput } from "../../src/program/declarations";
import { STACK, startWorld, streamResources, TEST_ACCESS_KEY, TEST_SECRET_KEY, writes, type World } from "../support/world";

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

/** The commits in a request log as `app/stream/partition=sequence[ metadata]`, sorted. */
function commits(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      const metadata = body.metadata === undefined ? "" : ` ${body.metadata}`;
      return `${body.app_name}/${body.stream_name}/${body.partition_id}=${body.sequence_number}${metadata}`;
    })
    .sort();
}

/** A JavaScript stack frame line: never shown for a user's mistake. */
const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?\n/;

function operations(requests: readonly RequestLogEntry[]): string[] {
  return requests.map((entry) => `${entry.operation} ${entry.status}`);
}

function checkpoint(world: World, app: string, stream: string, partition: number): string | undefined {
  const stored = world.emulator.state.showCheckpoint({ app, stream, partition: { ordinal: partition, id: String(partition) } });
  return stored?.sequenceNumber.toString();
}

describe("pulumi up reconciles declared checkpoints", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": BILLING, "analytics.yaml": ANALYTICS } });
  });
  afterAll(async () => world?.close());

  it("first up: one commit per declared partition, the missing app created, the existing one adopted", async () => {
    const result = await world.dis("up", "--stack", STACK);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("up of stack 'test' done: 6 created");
    const requests = world.takeRequests();
    expect(writes(requests).filter((entry) => entry.operation === "CreateApp").map((entry) => entry.body)).toEqual([{ app_name: "analytics" }]);
    expect(commits(requests)).toEqual([
      "analytics/orders/shardId-0000000003=40",
      "billing/orders/shardId-0000000000=10",
      "billing/orders/shardId-0000000001=20",
      "billing/orders/shardId-0000000002=30 replay INC-1",
      "billing/payments/shardId-0000000000=5",
    ]);
    expect(writes(requests)).toHaveLength(6);
    const state = streamResources(await world.exportState());
    expect([...state.keys()].sort()).toEqual(["analytics/orders", "billing/orders", "billing/payments"]);
    expect(state.get("billing/orders")?.outputs).toMatchObject({
      app: "billing",
      stream: "orders",
      partitions: { "0": "10", "1": "20", "2": "30" },
      metadata: { "2": "replay INC-1" },
      observed: { "0": "10", "1": "20", "2": "30" },
      previous: { "0": null, "1": null, "2": null },
    });
  });

  it("the serialized provider stays under 1 KB per resource and holds no credential", async () => {
    const resources = (await world.exportState()).deployment.resources ?? [];
    const texts = resources.filter((resource) => resource.inputs?.__provider).map((resource) => String(resource.inputs.__provider));
    expect(texts).toHaveLength(5);
    for (const text of texts) {
      expect(text.length).toBeLessThan(1024);
      expect(text).not.toContain(TEST_SECRET_KEY);
      expect(text).not.toContain(TEST_ACCESS_KEY);
    }
  });

  it("second up with nothing changed: no write request, Pulumi reports no change, the restore point stays", async () => {
    const restorePoint = (state: Awaited<ReturnType<World["exportState"]>>) => stackOutput(state, RESTORE_POINT_OUTPUT) as { streams: unknown[] };
    const before = restorePoint(await world.exportState());
    expect(before.streams).toHaveLength(3);
    const restoreDirs = fs.readdirSync(path.join(world.project.dir, ".restore", STACK));
    const result = await world.dis("up", "--stack", STACK);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("done: 6 unchanged");
    expect(result.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(result.stdout).not.toContain("restorePoint: {\n      ~");
    expect(writes(world.takeRequests())).toEqual([]);
    expect(restorePoint(await world.exportState())).toEqual(before);
    expect(fs.readdirSync(path.join(world.project.dir, ".restore", STACK))).toEqual(restoreDirs);
  });

  it("one partition changed: exactly one commit, for that partition, shown as a replay in preview", async () => {
    world.writeDeclaration("billing.yaml", BILLING.replace('1: "20"', '1: "15"'));
    const preview = await world.dis("preview", "--stack", STACK);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/billing \/ orders: 1 to commit, 2 unchanged, 0 refused/);
    expect(preview.stdout).toMatch(/1 +20 +15 +replay 5 records/);
    expect(writes(world.takeRequests())).toEqual([]);

    const result = await world.dis("up", "--stack", STACK);
    expect(result.code).toBe(0);
    expect(commits(writes(world.takeRequests()))).toEqual(["billing/orders/shardId-0000000001=15"]);
    expect(checkpoint(world, "billing", "orders", 1)).toBe("15");
  });

  it("consumers advance: refresh records them as observed and the next up commits nothing", async () => {
    world.emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 0, id: "0" } }, 60n);
    world.emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 1, id: "1" } }, 70n);
    world.takeRequests();
    const refresh = await world.dis("refresh", "--stack", STACK);
    expect(refresh.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    const up = await world.dis("up", "--stack", STACK);
    expect(up.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    expect(checkpoint(world, "billing", "orders", 0)).toBe("60");
    const state = streamResources(await world.exportState());
    expect(state.get("billing/orders")?.outputs.observed).toEqual({ "0": "60", "1": "70", "2": "30" });
    expect(state.get("billing/orders")?.outputs.partitions).toEqual({ "0": "10", "1": "15", "2": "30" });
  });

  it("a bumped revision re-commits every partition of that stream once", async () => {
    world.writeDeclaration("billing.yaml", BILLING.replace('1: "20"', '1: "15"').replace("  payments:", "    revision: 1\n  payments:"));
    const result = await world.dis("up", "--stack", STACK);
    expect(result.code).toBe(0);
    expect(commits(writes(world.takeRequests()))).toEqual([
      "billing/orders/shardId-0000000000=10",
      "billing/orders/shardId-0000000001=15",
      "billing/orders/shardId-0000000002=30 replay INC-1",
    ]);
    const state = streamResources(await world.exportState());
    expect(state.get("billing/orders")?.outputs.previous).toEqual({ "0": "60", "1": "70", "2": "30" });
  });

  it("an invalid declaration fails the preview at file:line:col and writes nothing", async () => {
    world.writeDeclaration("broken.yaml", "version: 1\napp: broken\nstreams:\n  orders:\n    partitions:\n      0: \"-4\"\n");
    const preview = await world.dis("preview", "--stack", STACK);
    expect(preview.code).toBe(1);
    expect(preview.stdout).toMatch(/checkpoints\/test\/broken\.yaml:6:10: .*\[/);
    expect(preview.stdout).toContain("Nothing was committed: fix the declarations above and run again.");
    expect(preview.stdout + preview.stderr).not.toMatch(STACK_TRACE);
    expect(writes(world.takeRequests())).toEqual([]);
    world.removeDeclaration("broken.yaml");
  });

  it("an out-of-range value and an unapproved skip fail the preview naming partition, live value and range", async () => {
    world.writeDeclaration("analytics.yaml", ANALYTICS.replace('3: "40"', '3: "500"'));
    const outOfRange = await world.dis("preview", "--stack", STACK);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stdout).toContain(
      "checkpoints/test/analytics.yaml:6:7: app 'analytics', stream 'orders', partition 3: sequence number 500 is out of range; the partition retains 0 … 100 (100 is the next to be written); declare a value in that range",
    );
    world.writeDeclaration("analytics.yaml", ANALYTICS.replace('3: "40"', '3: "90"'));
    const skip = await world.dis("preview", "--stack", STACK);
    expect(skip.code).toBe(1);
    expect(skip.stdout).toContain(
      "checkpoints/test/analytics.yaml:6:7: app 'analytics', stream 'orders', partition 3: moving the live checkpoint 40 forward to 90 would skip 50 records; set allowSkip: true on stream 'orders' to allow it, or declare 40 or less",
    );
    expect(skip.stdout + skip.stderr).not.toMatch(STACK_TRACE);
    // `up` refuses in the same way, before its first commit.
    const up = await world.dis("up", "--stack", STACK);
    expect(up.code).toBe(1);
    expect(up.stdout).toContain("would skip 50 records");
    expect(writes(world.takeRequests())).toEqual([]);
    expect(checkpoint(world, "analytics", "orders", 3)).toBe("40");
    world.writeDeclaration("analytics.yaml", ANALYTICS);
  });

  it("a removed stream keeps its checkpoints; with onDelete: delete they are deleted", async () => {
    world.writeDeclaration("billing.yaml", BILLING.replace('1: "20"', '1: "15"').replace("  payments:", "    revision: 1\n  payments:").split("  payments:")[0]!);
    const retained = await world.dis("up", "--stack", STACK);
    expect(retained.stderr).toBe("");
    expect(retained.code).toBe(0);
    expect(operations(writes(world.takeRequests()))).toEqual([]);
    expect(checkpoint(world, "billing", "payments", 0)).toBe("5");

    world.writeDeclaration("analytics.yaml", `${ANALYTICS}    onDelete: delete\n`);
    const marked = await world.dis("up", "--stack", STACK);
    expect(marked.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    world.removeDeclaration("analytics.yaml");
    const deleted = await world.dis("up", "--stack", STACK);
    expect(deleted.code).toBe(0);
    const requests = writes(world.takeRequests());
    expect(operations(requests)).toEqual(["DeleteCheckpoint 204"]);
    expect(requests[0]?.query).toMatchObject({ app_name: "analytics", stream_name: "orders", partition_id: "shardId-0000000003" });
    expect(checkpoint(world, "analytics", "orders", 3)).toBeUndefined();
    // The app itself is never deleted.
    expect(world.emulator.state.showApp("analytics").name).toBe("analytics");
  });

  it("destroy leaves apps and retained checkpoints in place", async () => {
    const result = await world.dis("destroy", "--stack", STACK);
    expect(result.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    expect(checkpoint(world, "billing", "orders", 0)).toBe("10");
    expect(world.emulator.state.showApp("billing").name).toBe("billing");
    expect(streamResources(await world.exportState()).size).toBe(0);
  });

  it("no state file or output holds the access or secret key", async () => {
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
