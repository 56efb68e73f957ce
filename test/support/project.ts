import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, pulumiEnvironment, requirePulumiCli } from "../../src/workspace";

export const TEST_PASSPHRASE = "test-passphrase";

export interface TempProject {
  dir: string;
  /** Environment for Pulumi runs in this project: its own file backend and PULUMI_HOME, the project's CLI. */
  env: Record<string, string>;
  cleanup(): void;
}

/**
 * A throw-away Pulumi project directory sharing the repository's node_modules, dist and package.json (the
 * language host and the dynamic provider process resolve them from the working directory), with its own
 * backend, so tests never touch the repository's stacks.
 */
export function makeTempProject(files: Record<string, string> = {}): TempProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-test-"));
  // package.json's `main` is the program Pulumi's language host runs.
  for (const shared of ["node_modules", "dist", "package.json"]) {
    // A project that brings its own file gets that, never a write through a link into the repository.
    if (!(shared in files)) fs.symlinkSync(path.join(PROJECT_ROOT, shared), path.join(dir, shared));
  }
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const cli = requirePulumiCli();
  const base: NodeJS.ProcessEnv = { ...process.env, PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE };
  // Tests always use their own file backend, whatever the developer's shell points at.
  delete base.PULUMI_BACKEND_URL;
  const env = pulumiEnvironment({ root: dir, cliDir: path.dirname(cli.command), base });
  return { dir, env, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, bounded by a timeout after which it is killed. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * A fresh clone of the repository in a temporary directory: its tracked files as they are in the working
 * tree, with node_modules linked. `dist` is linked too, unless `ownDist`: then it is copied, so that the
 * compiled code's project root (PROJECT_ROOT) is the clone, and the clone gets links to the repository's
 * built tools (.pulumi/bin) instead of building its own.
 */
export function cloneRepository(options: { ownDist?: boolean } = {}): string {
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-clone-"));
  for (const file of execFileSync("git", ["ls-files"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\n").filter(Boolean)) {
    if (!fs.existsSync(path.join(PROJECT_ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(clone, file));
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(clone, "node_modules"));
  if (options.ownDist) {
    fs.cpSync(path.join(PROJECT_ROOT, "dist"), path.join(clone, "dist"), { recursive: true });
    fs.mkdirSync(path.join(clone, ".pulumi"));
    fs.symlinkSync(path.join(PROJECT_ROOT, ".pulumi", "bin"), path.join(clone, ".pulumi", "bin"));
  } else {
    fs.symlinkSync(path.join(PROJECT_ROOT, "dist"), path.join(clone, "dist"));
  }
  return clone;
}

/** The environment of a fresh machine: no backend chosen, no passphrase (the local stack has its own), no Pulumi home. */
export function freshMachineEnvironment(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  for (const key of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_HOME", "DIS_CHECKPOINTS_ENDPOINT"]) delete env[key];
  return env;
}
