/**
 * Hostile declarations through `dis-checkpoints preview` and `up`: the invalid corpus, and files built to hurt
 * a parser or escape the checkpoints directory. Each is refused with its file:line:col error, exactly as the
 * loader reports it, and the run fails before the program reads anything: the emulator sees no request at all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDeclarationError, loadDeclarations, MAX_FILE_BYTES } from "../../src/desired";
import { STACK, startWorld, type World } from "../support/world";

const CORPUS = path.join(__dirname, "..", "fixtures", "invalid");
const VALID = `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "1"\n`;

function name(app: string, stream: string): string {
  return `version: 1\napp: ${JSON.stringify(app)}\nstreams:\n  ${JSON.stringify(stream)}:\n    partitions:\n      0: "1"\n`;
}

/** Billion laughs: nine levels of ten aliases each would expand to 10^9 strings if aliases were followed. */
function yamlBomb(): string {
  const lines = ['a0: &a0 "lol"'];
  for (let level = 1; level <= 9; level++) lines.push(`a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\nversion: 1\napp: billing\nstreams: *a9\n`;
}

const HOSTILE: Record<string, string | Buffer> = {
  "oversized.yaml": `# ${"x".repeat(MAX_FILE_BYTES)}\n`,
  "bomb.yaml": yamlBomb(),
  "deep-flow.yaml": `version: 1\napp: billing\nstreams: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
  "deep-block.yaml": `version: 1\napp: billing\nstreams:\n${Array.from({ length: 200 }, (_, depth) => `${"  ".repeat(depth + 1)}k${depth}:`).join("\n")} 1\n`,
  "not-utf8.yaml": Buffer.concat([Buffer.from("version: 1\napp: bill"), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("ing\nstreams: {}\n")]),
  "path-traversal.yaml": name("../../etc", "orders"),
  "query-injection.yaml": name("billing", "orders?app_name=other&checkpoint_type=LAST_READ"),
  "encoded-slash.yaml": name("billing%2F..%2Fother", "orders"),
  "newline.yaml": name("billing\nX-Injected: 1", "orders"),
  "partition-injection.yaml": `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      "0&partition_id=1": "1"\n`,
};

describe("hostile declarations are refused before any request", () => {
  let world: World;
  const checkpointsDir = () => path.join(world.project.dir, "checkpoints", STACK);

  beforeAll(async () => {
    world = await startWorld({ seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 10 } }], apps: ["billing"] }, declarations: {} });
  });
  afterAll(async () => world?.close());

  /** The loader's own errors for the stack's directory, formatted as the program prints them. */
  async function expectedErrors(): Promise<string[]> {
    const loaded = await loadDeclarations([path.join("checkpoints", STACK)], { cwd: world.project.dir });
    if (loaded.ok) throw new Error("the declarations unexpectedly loaded");
    return loaded.errors.map(formatDeclarationError);
  }

  async function expectRefusedWithoutRequests(command: "preview" | "up", errors: string[]): Promise<void> {
    const result = await world.dis(command, "--stack", STACK);
    expect(result.code).toBe(1);
    for (const line of errors) expect(result.stdout).toContain(line);
    expect(result.stdout).toContain("Nothing was committed: fix the declarations above and run again.");
    expect(result.stdout).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(result.stderr).toContain(`dis-checkpoints ${command}: pulumi ${command} failed for stack '${STACK}'`);
    expect(world.takeRequests()).toEqual([]);
  }

  it("the whole invalid corpus at once: every fixture's errors, no request", async () => {
    fs.cpSync(CORPUS, path.join(checkpointsDir(), "corpus"), { recursive: true });
    const errors = await expectedErrors();
    // Every fixture contributes at least one error.
    const fixtures = fs.readdirSync(CORPUS);
    for (const fixture of fixtures) expect(errors.some((line) => line.startsWith(`checkpoints/${STACK}/corpus/${fixture}`))).toBe(true);
    await expectRefusedWithoutRequests("preview", errors);
    fs.rmSync(path.join(checkpointsDir(), "corpus"), { recursive: true });
  });

  it("oversized, bomb, deep nesting, non-UTF-8, an escaping symlink and injected names: refused by preview and up, no request", async () => {
    const dir = path.join(checkpointsDir(), "hostile");
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(HOSTILE)) fs.writeFileSync(path.join(dir, file), content);
    // A valid declaration outside the checkpoints directory, reached through a link inside it.
    fs.writeFileSync(path.join(world.project.dir, "outside.yaml"), VALID);
    fs.symlinkSync(path.join("..", "..", "..", "outside.yaml"), path.join(dir, "escape.yaml"));

    const errors = await expectedErrors();
    const codes = new Set(errors.map((line) => /\[([a-z0-9-]+)\]$/.exec(line)?.[1]));
    for (const file of [...Object.keys(HOSTILE), "escape.yaml"]) {
      expect(errors.some((line) => line.startsWith(`checkpoints/${STACK}/hostile/${file}:`)), file).toBe(true);
    }
    expect(codes).toEqual(new Set(["file-too-large", "anchor-or-alias", "nesting-too-deep", "invalid-utf8", "invalid-app-name", "invalid-stream-name", "invalid-partition-id", "symlink-outside", "unknown-key"]));
    await expectRefusedWithoutRequests("preview", errors);
    await expectRefusedWithoutRequests("up", errors);
  });
});
