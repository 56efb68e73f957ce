import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requirePulumiCli } from "../../src/workspace";
import { makeTempProject, run, type TempProject } from "../support/project";

interface DriverOutcome {
  summary: Record<string, number>;
  state: { deployment: { resources?: Array<{ type: string; id?: string; outputs?: Record<string, unknown> }> } };
  driverPid: number;
}

const driver = path.join(__dirname, "driver.cjs");

async function drive(project: TempProject, ...args: string[]): Promise<DriverOutcome> {
  const result = await run(process.execPath, [driver, project.dir, "smoke", ...args], {
    cwd: project.dir,
    env: { ...project.env, SMOKE_PULUMI_ROOT: path.dirname(path.dirname(requirePulumiCli().command)) },
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as DriverOutcome;
}

function dynamicResources(outcome: DriverOutcome) {
  return (outcome.state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic:Resource");
}

describe("the real Pulumi CLI drives a dynamic provider", () => {
  const project = makeTempProject({ "Pulumi.yaml": "name: smoke\nruntime: nodejs\n" });
  afterAll(() => project.cleanup());

  it("creates, updates in place and destroys a dynamic resource", async () => {
    const created = await drive(project, "up", "one");
    expect(created.summary).toEqual({ create: 2 });
    const [resource] = dynamicResources(created);
    expect(resource?.id).toBe("smoke");
    expect(resource?.outputs).toMatchObject({ value: "one", firstValue: "one" });
    // The provider runs in its own process started by the engine, not in the program's process.
    expect(created.driverPid).toBeTypeOf("number");
    expect(resource?.outputs?.providerPid).toBeTypeOf("number");
    expect(resource?.outputs?.providerPid).not.toBe(created.driverPid);

    const updated = await drive(project, "up", "two");
    expect(updated.summary).toEqual({ same: 1, update: 1 });
    expect(dynamicResources(updated)[0]?.outputs).toMatchObject({ value: "two", firstValue: "one" });

    const unchanged = await drive(project, "up", "two");
    expect(unchanged.summary).toEqual({ same: 2 });

    const destroyed = await drive(project, "destroy");
    expect(destroyed.summary).toEqual({ delete: 2 });
    expect(destroyed.state.deployment.resources ?? []).toEqual([]);
  });
});
