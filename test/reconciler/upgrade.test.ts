/**
 * The serialized stub loads the provider implementation at run time, so code changed after the resource was
 * created is what refresh and delete (destroy) run. The test changes the compiled implementation between runs in a
 * project with its own copy of dist/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointsResource, STACK, startWorld, writes, type World } from "../support/world";

const DECLARATION = `version: 1
app: billing
streams:
  orders:
    partitions:
      0: "10"
    onDelete: delete
`;

/** Appended to the copied implementation: refresh marks what it read, delete leaves a file behind. */
const UPGRADE = `
;(() => {
  const original = exports.providerMethods;
  exports.providerMethods = (kind, config) => {
    const methods = original(kind, config);
    if (kind !== "checkpoints") return methods;
    const { read, delete: remove } = methods;
    methods.read = async (...args) => {
      const result = await read(...args);
      return { ...result, props: { ...result.props, readBy: "upgraded implementation" } };
    };
    methods.delete = async (...args) => {
      require("fs").writeFileSync("deleted-by-upgraded-implementation", "yes");
      return remove(...args);
    };
    return methods;
  };
})();
`;

describe("provider code upgrades reach existing resources", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      seed: { streams: [{ name: "orders", partitions: 1, records: { perPartition: 20 } }], apps: ["billing"] },
      declarations: { "billing.yaml": DECLARATION },
      copyDist: true,
    });
  });
  afterAll(async () => world?.close());

  it("refresh and delete run the implementation as it is now, not as it was at create", async () => {
    expect((await world.dis("up", "--stack", STACK)).code).toBe(0);
    const before = checkpointsResource(await world.exportState());
    expect(before?.outputs.readBy).toBeUndefined();

    fs.appendFileSync(path.join(world.project.dir, "dist", "provider", "implementation.js"), UPGRADE);

    expect((await world.dis("refresh", "--stack", STACK)).code).toBe(0);
    const after = checkpointsResource(await world.exportState());
    expect(after?.outputs.readBy).toBe("upgraded implementation");
    // The stored provider text did not change: only the loaded implementation did.
    expect(after?.inputs.__provider).toBe(before?.inputs.__provider);

    world.takeRequests();
    expect((await world.dis("destroy", "--stack", STACK)).code).toBe(0);
    expect(fs.readFileSync(path.join(world.project.dir, "deleted-by-upgraded-implementation"), "utf8")).toBe("yes");
    expect(writes(world.takeRequests()).map((entry) => entry.operation)).toEqual(["DeleteCheckpoint"]);
  });
});
