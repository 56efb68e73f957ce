/**
 * The guards around the state: a state on one machine's disk is refused against real DIS, and an app
 * deleted behind the reconciler's back is noticed by refresh and preview and created again by up.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHECKPOINTS_TYPE } from "../../src/program";
import { commits, DOORS, operations, STACK, STACK_TRACE, startWorld, writes, type Door, type World } from "../support/world";

const SEED = { streams: [{ name: "orders", partitions: 2, records: { perPartition: 100 } }], apps: [] };
const DECLARATION = `version: 1
app: billing
streams:
  orders:
    partitions:
      0: "10"
      1: "20"
`;

describe.each(DOORS)("through %s", (door: Door) => {
  let world: World;
  afterEach(async () => world?.close());

  it("a file backend against a DIS region is refused before anything reaches DIS, naming the alternative", async () => {
    world = await startWorld({
      seed: SEED,
      declarations: { "billing.yaml": DECLARATION },
      config: ["dis-checkpoints:region: cn-north-4"],
      // No endpoint override: the stack talks to its region.
      env: { DIS_CHECKPOINTS_ENDPOINT: "" },
    });
    const preview = await world.run(door, "preview");
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain(
      `stack 'test' keeps its state in file://${world.project.dir}/.pulumi/state, on this machine's disk, but commits to DIS at region cn-north-4: ` +
        "a CI runner or a new machine would start without it. Use a shared backend that outlives the machine: OBS through Pulumi's S3-compatible backend",
    );
    expect(preview.stdout).toContain('To accept a local state anyway, set dis-checkpoints:allowLocalBackend to "true".');
    expect(preview.stdout + preview.stderr).not.toMatch(STACK_TRACE);
    expect(world.takeRequests()).toEqual([]);
  });

  it("an app deleted since its apply: refresh reports it, preview says up creates it, up creates it and commits its checkpoints", async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": DECLARATION } });
    expect((await world.run(door, "up")).code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/orders/0=10", "billing/orders/1=20"]);
    world.emulator.state.deleteApp("billing");

    const refresh = await world.run(door, "refresh");
    expect(refresh.code).toBe(0);
    expect(refresh.stdout).toContain("app 'billing' no longer exists in DIS: the next up creates it again and commits its declared checkpoints");
    const preview = await world.run(door, "preview");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("app 'billing' does not exist: up creates it");
    expect(preview.stdout).toContain("billing / orders: 2 to commit, 0 refused, 0 partitions unchanged");
    world.takeRequests();
    const up = await world.run(door, "up");
    expect(up.code).toBe(0);
    const requests = writes(world.takeRequests());
    expect(operations(requests)).toEqual(["CreateApp 201", "CommitCheckpoint 201", "CommitCheckpoint 201"]);
    expect(commits(requests)).toEqual(["billing/orders/0=10", "billing/orders/1=20"]);
  });

  it("a hand-edited state is refused by the provider, naming the property, with nothing committed and no stack trace", async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": DECLARATION } });
    expect((await world.run(door, "up")).code).toBe(0);
    const state = await world.exportState();
    const resource = state.deployment.resources!.find((entry) => entry.type === CHECKPOINTS_TYPE)!;
    resource.outputs.applied["billing/orders"].partitions = "0=10 1=020";
    const edited = path.join(world.project.dir, "edited-state.json");
    fs.writeFileSync(edited, JSON.stringify({ version: 3, ...state }));
    expect((await world.pulumi("stack", "import", "--stack", STACK, "--file", edited)).code).toBe(0);
    world.writeDeclaration("billing.yaml", DECLARATION.replace('1: "20"', '1: "15"'));
    world.takeRequests();
    const preview = await world.run(door, "preview");
    expect(preview.code).not.toBe(0);
    expect(preview.stdout + preview.stderr).toContain(
      'invalid Checkpoints state: applied.billing/orders.partitions: value: "1=020" is not <partition>=<sequence number>',
    );
    expect(preview.stdout + preview.stderr).not.toMatch(STACK_TRACE);
    expect(writes(world.takeRequests())).toEqual([]);
  });
});
