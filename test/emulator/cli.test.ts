import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/emulator/cli";
import { DIST_EMULATOR, ROOT, ensureBuilt } from "./support/build";
import { sdkDateOf, sign } from "./support/signer";

const CLI = join(DIST_EMULATOR, "cli.js");
const WAIT_MS = 20_000;

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  const running: Running = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolveExit) => child.on("exit", (code) => resolveExit(code))),
  };
  child.stdout.on("data", (chunk: Buffer) => (running.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (running.stderr += chunk.toString()));
  return running;
}

/** Resolves with the first stdout line; fails (not hangs) if the process exits or stays silent too long. */
async function firstLine(running: Running): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  while (!running.stdout.includes("\n")) {
    if (running.child.exitCode !== null) throw new Error(`exited ${running.child.exitCode}: ${running.stderr}`);
    if (Date.now() > deadline) throw new Error(`no output within ${WAIT_MS} ms: ${running.stderr}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
  return running.stdout.split("\n")[0] as string;
}

async function signedListApps(url: string, accessKey: string, secretKey: string, projectId: string): Promise<number> {
  const path = `/v2/${projectId}/apps`;
  const headers = sign({
    method: "GET",
    path,
    headers: { host: new URL(url).host },
    body: "",
    accessKey,
    secretKey,
    sdkDate: sdkDateOf(Date.now()),
  });
  delete headers.host;
  const response = await request(`${url}${path}`, { headers });
  await response.body.text();
  return response.statusCode;
}

describe("parseCommandLine", () => {
  it.each([
    [[], {}],
    [["--port", "8080", "--host", "::1"], { port: 8080, host: "::1" }],
    [["--project-id", "p", "--access-key", "AK", "--secret-key", "SK", "--token", "T"], { projectId: "p", accessKey: "AK", secretKey: "SK", token: "T" }],
    [["--seed", "seed.yaml", "--data", "state.json"], { seed: "seed.yaml", dataFile: "state.json" }],
    [["--help"], "help"],
  ])("%j", (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it.each([
    [["--port", "abc"], "--port must be a port number from 0 to 65535, got abc"],
    [["--port", "65536"], "--port must be a port number from 0 to 65535, got 65536"],
    [["--port"], "Option '--port <value>' argument missing"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["extra"], "Unexpected argument 'extra'"],
    [["--access-key", "AK"], "--access-key and --secret-key go together"],
    [["--secret-key", "SK"], "--access-key and --secret-key go together"],
    [["--seed", ""], "--seed needs a non-empty value"],
  ])("refuses %j: %s", (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe("dis-emulator command", () => {
  const children: Running[] = [];
  let directory: string;
  beforeAll(() => {
    ensureBuilt();
    directory = mkdtempSync(join(tmpdir(), "dis-emulator-cli-"));
  });
  afterEach(() => {
    for (const running of children.splice(0)) if (running.child.exitCode === null) running.child.kill("SIGKILL");
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const start = (args: string[]) => {
    const running = run(args);
    children.push(running);
    return running;
  };

  it("prints the listening line first, serves signed requests with the demo keys, and closes on SIGTERM", async () => {
    const running = start(["--port", "0"]);
    const line = await firstLine(running);
    expect(line).toMatch(/^DIS emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice("DIS emulator listening on ".length);
    const keys = Object.fromEntries(
      running.stdout
        .split("\n")
        .slice(1)
        .map((text) => /^ {2}(project id|access key|secret key) {3}(\S+)/.exec(text))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1], match[2]]),
    );
    expect(await signedListApps(url, keys["access key"], keys["secret key"], keys["project id"])).toBe(200);
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.stderr).toBe("dis-emulator: SIGTERM, closing\n");
  });

  it("never prints a given secret key or token, and closes on SIGINT", async () => {
    const running = start(["--access-key", "MYAK", "--secret-key", "my-very-secret-key", "--token", "my-iam-token", "--project-id", "p1"]);
    await firstLine(running);
    const url = (running.stdout.split("\n")[0] as string).slice("DIS emulator listening on ".length);
    expect(await signedListApps(url, "MYAK", "my-very-secret-key", "p1")).toBe(200);
    running.child.kill("SIGINT");
    expect(await running.exited).toBe(0);
    expect(running.stdout + running.stderr).not.toContain("my-very-secret-key");
    expect(running.stdout + running.stderr).not.toContain("my-iam-token");
    expect(running.stdout).toContain("  secret key   (as given with --secret-key, not shown)\n");
  });

  it("exits 2 with the problem and the usage on a usage error", async () => {
    const running = start(["--port", "abc"]);
    expect(await running.exited).toBe(2);
    expect(running.stdout).toBe("");
    expect(running.stderr).toMatch(/^dis-emulator: --port must be a port number from 0 to 65535, got abc\n\nusage: dis-emulator /);
  });

  it("exits 1 with the located problem when the seed is wrong", async () => {
    const seed = join(directory, "bad.yaml");
    writeFileSync(seed, "streams:\n  - name: s\n    partitions: 0\n");
    const running = start(["--seed", seed]);
    expect(await running.exited).toBe(1);
    expect(running.stderr).toBe(`dis-emulator: ${seed}:3:17: streams[0].partitions: Too small: expected number to be >=1\n`);
  });

  it("starts the seed's consumers and says so", async () => {
    const seed = join(directory, "consumers.yaml");
    writeFileSync(
      seed,
      "streams: [{ name: orders, partitions: 2, records: { perPartition: 50 } }]\napps: [billing]\nconsumers:\n  - { app: billing, stream: orders, intervalMs: 20 }\n",
    );
    const running = start(["--seed", seed]);
    const url = (await firstLine(running)).slice("DIS emulator listening on ".length);
    expect(running.stdout).toContain(`\n  consumers    1 simulated, committing (${url}/_emulator/consumers)\n`);
    const deadline = Date.now() + WAIT_MS;
    let commits = 0;
    while (commits === 0 && Date.now() < deadline) {
      const response = await request(`${url}/_emulator/consumers`);
      commits = ((await response.body.json()) as { consumers: { commits: number }[] }).consumers[0]?.commits ?? 0;
      if (commits === 0) await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
    expect(commits).toBeGreaterThan(0);
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
  });

  it("keeps state in --data across restarts", async () => {
    const data = join(directory, "state.json");
    const seed = join(directory, "seed.yaml");
    writeFileSync(seed, "apps: [kept]\n");
    const first = start(["--seed", seed, "--data", data]);
    await firstLine(first);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    writeFileSync(seed, "apps: [ignored]\n");
    const second = start(["--seed", seed, "--data", data]);
    const url = (await firstLine(second)).slice("DIS emulator listening on ".length);
    const state = await request(`${url}/_emulator/state`);
    expect(((await state.body.json()) as { apps: { name: string }[] }).apps.map((app) => app.name)).toEqual(["kept"]);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
