/**
 * A shared backend, as a team on Huawei Cloud would use OBS through Pulumi's S3-compatible backend: here a
 * real S3 server (versitygw, built by set-up) on loopback. A fresh clone on another runner reads the same
 * state (the program's reference to its own stack included) and commits nothing new; two runs at once are
 * serialized by the backend's lock.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commits, STACK, startWorld, TEST_SECRET_KEY, writes, type World } from "../support/world";
import { startS3Server, type S3Server } from "../support/s3";

const SEED = { streams: [{ name: "orders", partitions: 4, records: { perPartition: 100 } }], apps: ["billing"] };
const declaration = (value: string) => `version: 1
app: billing
streams:
  orders:
    partitions:
${[0, 1, 2, 3].map((partition) => `      ${partition}: "${value}"`).join("\n")}
`;

describe("an S3-compatible backend shared by runners", () => {
  let s3: S3Server;
  let world: World;
  const clones: World[] = [];
  beforeAll(async () => {
    s3 = await startS3Server();
    world = await startWorld({
      seed: SEED,
      declarations: { "billing.yaml": declaration("10") },
      env: { PULUMI_BACKEND_URL: s3.backendUrl, ...s3.env },
      // Long enough for a second run to start while the first holds the lock.
      config: ["dis-checkpoints:activityWindow: 4s"],
    });
  });
  afterAll(async () => {
    for (const clone of clones) await clone.close();
    await world?.close();
    await s3?.stop();
  });
  const clone = () => {
    const copy = world.clone();
    clones.push(copy);
    return copy;
  };

  it("up keeps the state in the bucket; a fresh clone's up, through either door, commits nothing new", async () => {
    const first = await world.run("dis-checkpoints", "up");
    expect(first.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/orders/0=10", "billing/orders/1=10", "billing/orders/2=10", "billing/orders/3=10"]);
    const object = path.join(s3.dataDir, s3.bucket, ".pulumi", "stacks", "dis-checkpoints", `${STACK}.json`);
    expect(fs.existsSync(object)).toBe(true);
    expect(fs.readFileSync(object, "utf8")).not.toContain(TEST_SECRET_KEY);
    // No local state on the first runner either: it all went to the bucket.
    expect(fs.readdirSync(path.join(world.project.dir, ".pulumi", "state"))).toEqual([]);

    for (const door of ["dis-checkpoints", "pulumi"] as const) {
      const runner = clone();
      const again = await runner.run(door, "up");
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
      expect(writes(runner.takeRequests())).toEqual([]);
    }
  });

  it("two runs at once: the second fails on the lock and changes nothing; the change is committed once", async () => {
    world.writeDeclaration("billing.yaml", declaration("5"));
    const runner = clone();
    runner.writeDeclaration("billing.yaml", declaration("5"));
    world.takeRequests();
    const firstRun = world.run("dis-checkpoints", "up");
    const locks = path.join(s3.dataDir, s3.bucket, ".pulumi", "locks", "organization", "dis-checkpoints", STACK);
    for (let waited = 0; !(fs.existsSync(locks) && fs.readdirSync(locks).length > 0); waited += 100) {
      if (waited > 60_000) throw new Error("the first run never took the lock");
      await sleep(100);
    }
    const second = await runner.run("dis-checkpoints", "up");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`dis-checkpoints up: stack '${STACK}' is locked by another update; nothing was changed.`);
    const first = await firstRun;
    expect(first.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/orders/0=5", "billing/orders/1=5", "billing/orders/2=5", "billing/orders/3=5"]);
  });
});
