import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT, SetupError } from "../../src/workspace";
import { findOnPath, toolStamp, toolStatus, type GoTool } from "../../src/workspace/go-tool";
import { ensureTools, findTool, requireTool, toolDefinition, type ToolName } from "../../src/workspace/tools";

const TOOL_NAMES: ToolName[] = ["pulumi-language-nodejs", "versitygw", "actionlint"];

const fake: GoTool = {
  binary: "fake-tool",
  title: "a fake tool",
  version: "1.2.3",
  module: "fake-tool",
  mainPackage: "example.invalid/fake-tool",
  versionVariable: "main.Version",
  stampFile: ".fake-tool.build-stamp",
  coldBuild: "never happens",
};

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-stamps-"));
  temporary.push(dir);
  return dir;
}

function write(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
}

/** A checkout with the tool's wrapper module and, optionally, a binary set-up left in .pulumi/bin. */
function checkout(tool: GoTool, goMod = "module local.invalid/fake-tool\n", goSum = "example.invalid/x v1.0.0 h1:abc=\n"): string {
  const root = tempDir();
  write(path.join(root, "tools", tool.module, "go.mod"), goMod);
  write(path.join(root, "tools", tool.module, "go.sum"), goSum);
  return root;
}

/** What a finished build leaves behind: the binary and the stamp of the module it was built from. */
function recordBuild(root: string, tool: GoTool): void {
  write(path.join(root, ".pulumi", "bin", tool.binary), "#!/bin/sh\n", 0o755);
  write(path.join(root, ".pulumi", "bin", tool.stampFile), `${toolStamp(root, tool)}\n`);
}

function withPath<T>(pathValue: string, body: () => T): T {
  const saved = process.env.PATH;
  process.env.PATH = pathValue;
  try {
    return body();
  } finally {
    process.env.PATH = saved;
  }
}

describe("build stamps decide between reuse and rebuild", () => {
  it("reuses a binary built from the same go.mod, go.sum and release", () => {
    const root = checkout(fake);
    expect(toolStatus(root, fake)).toBe("missing");
    recordBuild(root, fake);
    expect(toolStatus(root, fake)).toBe("ready");
  });

  it("rebuilds when go.mod changes", () => {
    const root = checkout(fake);
    recordBuild(root, fake);
    fs.appendFileSync(path.join(root, "tools", fake.module, "go.mod"), "require example.invalid/x v1.0.1\n");
    expect(toolStatus(root, fake)).toBe("stale");
  });

  it("rebuilds when go.sum changes", () => {
    const root = checkout(fake);
    recordBuild(root, fake);
    fs.appendFileSync(path.join(root, "tools", fake.module, "go.sum"), "example.invalid/x v1.0.1 h1:def=\n");
    expect(toolStatus(root, fake)).toBe("stale");
  });

  it("rebuilds when the wanted release changes", () => {
    const root = checkout(fake);
    recordBuild(root, fake);
    expect(toolStatus(root, { ...fake, version: "1.2.4" })).toBe("stale");
  });

  it("rebuilds a binary with no stamp (an interrupted or foreign build)", () => {
    const root = checkout(fake);
    recordBuild(root, fake);
    fs.rmSync(path.join(root, ".pulumi", "bin", fake.stampFile));
    expect(toolStatus(root, fake)).toBe("stale");
  });

  it("keeps one stamp per tool, so building one leaves the others' standing", () => {
    const other: GoTool = { ...fake, binary: "other-tool", module: "other-tool", stampFile: ".other-tool.build-stamp" };
    const root = checkout(fake);
    write(path.join(root, "tools", other.module, "go.mod"), "module local.invalid/other-tool\n");
    write(path.join(root, "tools", other.module, "go.sum"), "");
    recordBuild(root, fake);
    recordBuild(root, other);
    fs.appendFileSync(path.join(root, "tools", other.module, "go.mod"), "// changed\n");
    expect(toolStatus(root, other)).toBe("stale");
    expect(toolStatus(root, fake)).toBe("ready");
  });

  it("stamps the checkout's tools with distinct files, each from a committed wrapper module pinning its release", () => {
    const tools = [toolDefinition("pulumi"), ...TOOL_NAMES.map(toolDefinition)];
    expect(new Set(tools.map((tool) => tool.stampFile)).size).toBe(tools.length);
    expect(new Set(tools.map((tool) => tool.binary)).size).toBe(tools.length);
    for (const tool of tools) {
      const goMod = fs.readFileSync(path.join(PROJECT_ROOT, "tools", tool.module, "go.mod"), "utf8");
      expect(fs.existsSync(path.join(PROJECT_ROOT, "tools", tool.module, "go.sum"))).toBe(true);
      // The release in the code and the one go.mod pins must be the same, or the stamp would lie.
      const required = [...goMod.matchAll(/^\s*(?:require\s+)?(\S+) (v\S+)/gm)].filter(([, module]) =>
        `${tool.mainPackage}/`.startsWith(`${module}/`),
      );
      expect(required.map(([, , version]) => version), tool.module).toEqual([`v${tool.version}`]);
      expect(goMod, tool.module).toContain(`tool ${tool.mainPackage}`);
    }
  });
});

describe("finding the tools", () => {
  it("passes over the project's own bin folder on PATH, so a stale build never passes for an installation", () => {
    const root = checkout(fake);
    recordBuild(root, fake);
    const bin = path.join(root, ".pulumi", "bin");
    expect(findOnPath(fake.binary, undefined, { PATH: bin })).toBe(path.join(bin, fake.binary));
    expect(findOnPath(fake.binary, bin, { PATH: bin })).toBeUndefined();
  });

  it("refuses a missing tool with a SetupError that says to run set-up", () => {
    const root = tempDir();
    fs.cpSync(path.join(PROJECT_ROOT, "tools", "versitygw"), path.join(root, "tools", "versitygw"), { recursive: true });
    expect(() => requireTool("versitygw", root)).toThrow(SetupError);
    expect(() => requireTool("versitygw", root)).toThrow(/versitygw v1\.8\.0 .*run `npm run setup`/);
  });

  it("prefers a language host on PATH (a Pulumi installation's) and then builds none", async () => {
    const root = tempDir();
    for (const name of TOOL_NAMES) {
      const tool = toolDefinition(name);
      fs.cpSync(path.join(PROJECT_ROOT, "tools", tool.module), path.join(root, "tools", tool.module), { recursive: true });
      if (name !== "pulumi-language-nodejs") recordBuild(root, tool);
    }
    const installation = tempDir();
    write(path.join(installation, "pulumi-language-nodejs"), "#!/bin/sh\n", 0o755);
    const go = path.dirname(findOnPath("go")!);
    const lines: string[] = [];
    const saved = process.env.PATH;
    process.env.PATH = [installation, go].join(path.delimiter);
    try {
      await ensureTools({ root, log: (line) => lines.push(line) });
    } finally {
      process.env.PATH = saved;
    }
    expect(lines).toContain(`nodejs language host: using ${path.join(installation, "pulumi-language-nodejs")} from PATH`);
    expect(lines.filter((line) => /build/i.test(line))).toEqual([]);
    expect(fs.existsSync(path.join(root, ".pulumi", "bin", "pulumi-language-nodejs"))).toBe(false);
    expect(withPath(installation, () => findTool("pulumi-language-nodejs", root))).toBe(
      path.join(installation, "pulumi-language-nodejs"),
    );
    expect(withPath("", () => findTool("pulumi-language-nodejs", root))).toBeUndefined();
  });
});
