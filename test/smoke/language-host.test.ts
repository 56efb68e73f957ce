import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requirePulumiCli, requireTool } from "../../src/workspace";
import { makeTempProject, run } from "../support/project";

// A plain project, run by the CLI through Pulumi.yaml and the nodejs language host (the Automation API's
// inline programs, which the rest of the suite uses, need no language host).
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");

const provider = {
  async create(inputs) {
    return { id: "plain-" + inputs.value, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.value !== news.value };
  },
  async delete() {},
};

class Plain extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(provider, name, args, {});
  }
}

exports.thingId = new Plain("thing", { value: "one" }).id;
`;

interface Deployment {
  deployment: { resources?: Array<{ type: string; id?: string; outputs?: Record<string, unknown> }> };
}

describe("a plain pulumi up through Pulumi.yaml and the nodejs language host", () => {
  const project = makeTempProject({
    "Pulumi.yaml": "name: plain\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    "package.json": '{ "name": "plain", "private": true, "main": "index.js" }\n',
    "index.js": PROGRAM,
  });
  afterAll(() => project.cleanup());

  const pulumi = async (...args: string[]) => {
    const result = await run(requirePulumiCli().command, [...args, "--non-interactive"], { cwd: project.dir, env: project.env });
    expect(result.code, `pulumi ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const dynamicResources = async () => {
    const state = JSON.parse(await pulumi("stack", "export")) as Deployment;
    return (state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic:Resource");
  };

  it("creates the resource, then changes nothing, then destroys it", async () => {
    // Fails with a set-up hint when neither a Pulumi installation nor set-up provided one.
    requireTool("pulumi-language-nodejs");
    // The engine looks for a bundled language host on PATH, then beside the running pulumi.
    expect(project.env.PATH?.split(path.delimiter)[0]).toBe(path.dirname(requirePulumiCli().command));
    expect(project.env).toMatchObject({ PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" });

    await pulumi("stack", "init", "plain");
    const created = await pulumi("up", "--yes");
    expect(created).toMatch(/\+ 2 created/);
    expect(await dynamicResources()).toMatchObject([{ id: "plain-one", outputs: { value: "one" } }]);
    expect(JSON.parse(await pulumi("stack", "output", "--json"))).toEqual({ thingId: "plain-one" });

    const again = await pulumi("up", "--yes", "--expect-no-changes");
    expect(again).toMatch(/2 unchanged/);
    expect(again).not.toMatch(/created|updated|replaced|deleted/);

    const destroyed = await pulumi("destroy", "--yes");
    expect(destroyed).toMatch(/- 2 deleted/);
    expect(await dynamicResources()).toEqual([]);
  });
});
