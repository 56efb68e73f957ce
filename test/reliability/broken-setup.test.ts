/**
 * A broken installation or environment, through both doors (`dis-checkpoints` and a plain `pulumi` with the
 * language host): a provider process that cannot load its implementation, and no DIS credentials at all.
 * Each fails loudly, saying what is missing, and commits nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREDENTIAL_ENV } from "../../src/dis";
import { PROJECT_ROOT } from "../../src/workspace";
import { appliedPartitions, DOORS, operations, STACK_TRACE, startWorld, writes, type Door, type World } from "../support/world";
import { GATE_READS } from "./request-log";

const SEED = { streams: [{ name: "orders", partitions: 2, records: { perPartition: 100 } }], apps: ["billing"] };

function declaration(value: number): string {
  return `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "${value}"\n      1: "${value}"\n`;
}

const IMPLEMENTATION = path.join("dist", "provider", "implementation.js");

describe.each(DOORS)("through %s: a provider process that cannot load its implementation", (door: Door) => {
  let world: World;
  let missing: string;
  beforeAll(async () => {
    // A copy of dist, so that removing a file breaks this project only.
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declaration(10) }, copyDist: true });
    expect((await world.run(door, "up")).code).toBe(0);
    world.takeRequests();
    missing = path.join(fs.realpathSync(world.project.dir), IMPLEMENTATION);
    fs.rmSync(missing);
    world.writeDeclaration("billing.yaml", declaration(5));
  });
  afterAll(async () => world?.close());

  // A plain `pulumi up` previews first, and stops there.
  it.each(["preview", "up"] as const)("%s fails on the resource, naming the missing module, and commits nothing", async (operation) => {
    const result = await world.run(door, operation);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`pulumi-nodejs:dynamic/dis-checkpoints:Checkpoints (checkpoints):\n    error: Cannot find module '${missing}'; run npm run build\n`);
    expect(operations(world.takeRequests())).toEqual(GATE_READS);
    expect([world.checkpoint("billing", "orders", 0), world.checkpoint("billing", "orders", 1)]).toEqual(["10", "10"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/orders": { "0": "10", "1": "10" } });
  });

  it("once the file is back, the next up commits the declared change: the stub loads its implementation at run time", async () => {
    fs.copyFileSync(path.join(PROJECT_ROOT, IMPLEMENTATION), missing);
    const result = await world.run(door, "up");
    expect(result.code).toBe(0);
    expect(writes(world.takeRequests()).map((entry) => `${entry.operation} ${entry.status}`)).toEqual(["CommitCheckpoint 201", "CommitCheckpoint 201"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/orders": { "0": "5", "1": "5" } });
  });
});

describe.each(DOORS)("through %s: no DIS credentials at all", (door: Door) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declaration(10) } });
    for (const name of Object.values(CREDENTIAL_ENV)) delete world.env[name];
  });
  afterAll(async () => world?.close());

  it("preview fails with what to set, no stack trace, and no request", async () => {
    const result = await world.run(door, "preview");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "    error: no DIS credentials found: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (plus HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary " +
        "credentials), or HUAWEICLOUD_SDK_AUTH_TOKEN for an IAM token, or configure accessKey and secretKey explicitly\n    Nothing was committed.\n",
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    expect(world.takeRequests()).toEqual([]);
  });
});
