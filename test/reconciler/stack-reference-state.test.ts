/**
 * Versions before the invoke read the stack's last outputs through a StackReference resource, which the state
 * kept with a copy of every output. On such a state the next run drops that resource from the state (a
 * discard: nothing is deleted anywhere) and commits nothing; the applied record is read as before.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appliedPartitions, commits, DOORS, rootOutputs, STACK, startWorld, writes, type Door, type ExportedState, type World } from "../support/world";

const DECLARATION = `version: 1
app: billing
streams:
  orders:
    partitions:
      0: "10"
      1: "20"
`;

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** The StackReference resource as those versions left it: read (external), holding the stack's outputs. */
function withStackReference(state: ExportedState): ExportedState {
  const resources = state.deployment.resources as Array<Record<string, any>>;
  const stackResource = resources.find((resource) => resource.type === "pulumi:pulumi:Stack")!;
  const builtin = resources.find((resource) => resource.type === "pulumi:providers:pulumi")!;
  const project = String(stackResource.urn).split("::")[1];
  const name = `organization/${project}/${STACK}`;
  const reference = {
    urn: `urn:pulumi:${STACK}::${project}::${STACK_REFERENCE_TYPE}::${name}`,
    custom: true,
    external: true,
    id: name,
    type: STACK_REFERENCE_TYPE,
    inputs: { name },
    outputs: { name, outputs: rootOutputs(state), secretOutputNames: ["applied", "restorePoint"] },
    parent: stackResource.urn,
    provider: `${builtin.urn}::${builtin.id}`,
  };
  const at = resources.indexOf(builtin) + 1;
  return { ...state, deployment: { ...state.deployment, resources: [...resources.slice(0, at), reference, ...resources.slice(at)] } };
}

describe.each(DOORS)("through %s: a state with the StackReference of earlier versions", (door: Door) => {
  let world: World;
  afterEach(async () => world?.close());

  it("loses it on the next up, which commits nothing, and the applied record is read as before", async () => {
    world = await startWorld({
      seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 50 } }], apps: ["billing"] },
      declarations: { "billing.yaml": DECLARATION },
    });
    expect((await world.run(door, "up")).code).toBe(0);
    const before = await world.exportState();
    const file = path.join(world.project.dir, "with-stack-reference.json");
    fs.writeFileSync(file, JSON.stringify(withStackReference(before)));
    const imported = await world.pulumi("stack", "import", "--stack", STACK, "--file", file);
    expect(imported.code).toBe(0);
    const types = (state: ExportedState) => (state.deployment.resources as Array<{ type: string }>).map((resource) => resource.type);
    expect(types(await world.exportState())).toContain(STACK_REFERENCE_TYPE);
    world.takeRequests();

    const preview = await world.run(door, "preview");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    const up = await world.run(door, "up");
    expect(up.code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);
    const after = await world.exportState();
    expect(types(after)).not.toContain(STACK_REFERENCE_TYPE);
    expect(appliedPartitions(after)).toEqual({ "billing/orders": { "0": "10", "1": "20" } });

    // The applied record is read as before: a replay is a change of one partition, not a first apply.
    world.writeDeclaration("billing.yaml", DECLARATION.replace('0: "10"', '0: "5"'));
    const replay = await world.run(door, "up");
    expect(replay.code).toBe(0);
    expect(replay.stdout).not.toContain("[first-apply]");
    expect(commits(world.takeRequests())).toEqual(["billing/orders/0=5"]);
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/orders": { "0": "5", "1": "20" } });
  });
});
