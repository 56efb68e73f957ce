/**
 * A stack last applied by dis-checkpoints 0.1 (one resource per app and per stream: the recorded state in
 * test/fixtures/state/schema-1) moves to one Checkpoints resource with `dis-checkpoints migrate`, committing
 * nothing; until then both doors refuse to run on it rather than delete its resources.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedPartitions, checkpointsResource, DOORS, operations, STACK, startWorld, writes, type World } from "../support/world";

const FIXTURE = path.join(__dirname, "..", "fixtures", "state", "schema-1");
const recordedPath = () => path.join(FIXTURE, "stack.json");

describe("migrating a schema-1 state", () => {
  let world: World;
  beforeAll(async () => {
    const declarations = Object.fromEntries(fs.readdirSync(path.join(FIXTURE, "checkpoints")).map((name) => [name, fs.readFileSync(path.join(FIXTURE, "checkpoints", name), "utf8")]));
    world = await startWorld({
      seed: {
        streams: [
          { name: "orders", partitions: 4, records: { perPartition: 100 } },
          { name: "payments", partitions: 2, records: { perPartition: 50 } },
        ],
        apps: ["billing", "analytics"],
        // Where version 0.1 left them.
        checkpoints: [
          { app: "billing", stream: "orders", partition: 0, sequenceNumber: "10" },
          { app: "billing", stream: "orders", partition: 1, sequenceNumber: "20" },
          { app: "billing", stream: "orders", partition: 2, sequenceNumber: "30", metadata: "replay INC-1" },
          { app: "billing", stream: "payments", partition: 0, sequenceNumber: "5" },
          { app: "analytics", stream: "orders", partition: 3, sequenceNumber: "40" },
        ],
      },
      declarations,
      emulator: { projectId: "0000000000000000000000000000c0de" },
    });
    // The recorded stack file carries the salt its secrets were made with (passphrase test-passphrase).
    fs.copyFileSync(path.join(FIXTURE, "Pulumi.legacy.yaml"), path.join(world.project.dir, "stacks", `Pulumi.${STACK}.yaml`));
    expect((await world.pulumi("stack", "init", STACK)).code).toBe(0);
    // The recording is of stack `legacy`; URNs name their stack.
    const recorded = path.join(world.project.dir, "recorded-state.json");
    fs.writeFileSync(recorded, fs.readFileSync(path.join(FIXTURE, "stack.json"), "utf8").replaceAll("urn:pulumi:legacy::", `urn:pulumi:${STACK}::`));
    const imported = await world.pulumi("stack", "import", "--stack", STACK, "--file", recorded);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
  });
  afterAll(async () => world?.close());

  it.each(DOORS)("through %s, a preview refuses and says to migrate, before anything is read or deleted", async (door) => {
    const preview = await world.run(door, "preview");
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain(
      `stack '${STACK}' was last applied by dis-checkpoints with one Pulumi resource per stream; this version keeps one per stack. ` +
        `Run \`dis-checkpoints migrate --stack ${STACK}\` once (it rewrites the state and commits nothing).`,
    );
    expect(world.takeRequests()).toEqual([]);
  });

  it("migrate rewrites the state into one Checkpoints resource, keeps the old state beside it, and touches nothing in DIS", async () => {
    const migrated = await world.dis("migrate", "--stack", STACK);
    expect(migrated.stderr).toBe("");
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(
      new RegExp(`^Migrated stack '${STACK}': 3 streams \\(5 checkpoints\\) of 2 apps are now one Checkpoints resource\\. Nothing was committed\\. The state as it was: \\.restore/${STACK}/state-before-migrate-[0-9TZ.-]+\\.json\\n$`),
    );
    expect(world.takeRequests()).toEqual([]);
    const state = await world.exportState();
    expect(state.deployment.resources!.map((resource) => resource.type)).toEqual([
      "pulumi:pulumi:Stack",
      "pulumi:providers:pulumi-nodejs",
      "pulumi-nodejs:dynamic/dis-checkpoints:Checkpoints",
    ]);
    expect(appliedPartitions(state)).toEqual({
      "analytics/orders": { "3": "40" },
      "billing/orders": { "0": "10", "1": "20", "2": "30" },
      "billing/payments": { "0": "5" },
    });
    const outputs = checkpointsResource(state)!.outputs;
    expect(outputs.applied["billing/orders"].metadata).toEqual({ "2": "replay INC-1" });
    expect(outputs.applied["billing/payments"].onDelete).toBe("delete");
    expect(outputs.applied["analytics/orders"].revision).toBe(2);
    expect(outputs.apps).toEqual({ analytics: "created", billing: "adopted" });
    const backups = fs.readdirSync(path.join(world.project.dir, ".restore", STACK));
    expect(backups).toHaveLength(1);
    const backup = JSON.parse(fs.readFileSync(path.join(world.project.dir, ".restore", STACK, backups[0]!), "utf8"));
    expect(backup.deployment.resources.map((resource: { type: string }) => resource.type)).toEqual(
      JSON.parse(fs.readFileSync(recordedPath(), "utf8")).deployment.resources.map((resource: { type: string }) => resource.type),
    );
  });

  it.each(DOORS)("through %s, the next up commits nothing and deletes nothing", async (door) => {
    const up = await world.run(door, "up");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(writes(world.takeRequests())).toEqual([]);
  });

  it("a second migrate finds nothing to do", async () => {
    const again = await world.dis("migrate", "--stack", STACK);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Stack '${STACK}' holds no resources of the earlier state format: nothing to migrate.\n`);
    expect(operations(world.takeRequests())).toEqual([]);
  });
});
