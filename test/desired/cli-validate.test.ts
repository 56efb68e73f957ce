/**
 * `dis-checkpoints validate` as users run it: the compiled CLI in a child process, exact output and exit
 * status. The build is incremental, so this costs little after `npm run build`.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = path.join(__dirname, "..", "..");
const CLI = path.join(REPO, "dist", "cli", "main.js");
const FIXTURES = path.join(REPO, "test", "fixtures");

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function validate(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let scratch: string;

beforeAll(async () => {
  // Other folders' work in progress may not type-check; the CLI is emitted all the same.
  spawnSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
    cwd: REPO,
    timeout: 110_000,
    stdio: "ignore",
  });
  if (!existsSync(CLI)) throw new Error("the build did not produce dist/cli/main.js");
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), "validate-cli-"));
});

afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

describe("dis-checkpoints validate", () => {
  it("prints a one-line summary and exits 0 for valid declarations", async () => {
    expect(await validate(["validate", "checkpoints/local"], REPO)).toEqual({
      status: 0,
      stdout: "3 apps, 4 streams, 18 checkpoints in 3 files\n",
      stderr: "",
    });
  });

  it("reads checkpoints/ by default, relative to the current directory", async () => {
    await fs.mkdir(path.join(scratch, "checkpoints", "dev"), { recursive: true });
    await fs.copyFile(path.join(FIXTURES, "valid", "design-example.yaml"), path.join(scratch, "checkpoints", "dev", "orders.yaml"));
    expect(await validate(["validate"], scratch)).toEqual({
      status: 0,
      stdout: "1 app, 1 stream, 2 checkpoints in 1 file\n",
      stderr: "",
    });
  });

  it("prints every error as path:line:col: message [code], paths relative to the current directory, and exits 1", async () => {
    const outcome = await validate(
      ["validate", "invalid/duplicate-stream-across-files", "invalid/version-unknown.yaml", "valid/tree"],
      FIXTURES,
    );
    expect(outcome).toEqual({
      status: 1,
      stdout: "",
      stderr: [
        "invalid/duplicate-stream-across-files/b.yaml:5:3: stream orders of app orders-consumer is already declared at invalid/duplicate-stream-across-files/a.yaml:4:3: declare each app and stream once [duplicate-stream]",
        'invalid/version-unknown.yaml:1:10: unknown format version 2: this dis-checkpoints reads version 1; write "version: 1" or upgrade dis-checkpoints [unsupported-version]',
        "",
      ].join("\n"),
    });
  });

  it("reports a missing default directory as an error, not a stack trace", async () => {
    const empty = await fs.mkdtemp(path.join(scratch, "empty-"));
    expect(await validate(["validate"], empty)).toEqual({
      status: 1,
      stdout: "",
      stderr: "checkpoints:1:1: no such file or directory: give an existing declarations file or directory [path-not-found]\n",
    });
  });

  it("exits 2 with a one-line hint for a usage error", async () => {
    expect(await validate(["validate", "--strict"], REPO)).toEqual({
      status: 2,
      stdout: "",
      stderr: "dis-checkpoints: validate: unknown option --strict (see dis-checkpoints validate --help)\n",
    });
    expect(await validate(["valdate"], REPO)).toEqual({
      status: 2,
      stdout: "",
      stderr: 'dis-checkpoints: unknown command "valdate"; did you mean validate? (see dis-checkpoints --help)\n',
    });
  });

  it("prints its help and the version", async () => {
    const help = await validate(["validate", "--help"], REPO);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: dis-checkpoints validate \[paths\.\.\.\]\n/);
    expect(help.stdout).toContain("Exit status: 0 valid, 1 invalid declarations, 2 usage error.\n");
    const manifest = JSON.parse(await fs.readFile(path.join(REPO, "package.json"), "utf8")) as { version: string };
    expect(await validate(["--version"], REPO)).toEqual({ status: 0, stdout: `dis-checkpoints ${manifest.version}\n`, stderr: "" });
  });
});
