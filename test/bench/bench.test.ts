/**
 * `npm run bench` at a tiny size (40 checkpoints: 4 pairs × 10 partitions, one run each), spawned as the
 * script runs it. Asserts the shape of results.json and every request of every scenario, never
 * a timing. Also bench/load-declarations.ts at 2 apps: it must load through the fast reader and print
 * every figure. Needs dist/ (npm test builds it).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS, type Results } from "../../bench/report";
import { PROJECT_ROOT } from "../../src/workspace";
import { run, type ProcessResult } from "../support/project";

const VITE_NODE = path.join(PROJECT_ROOT, "node_modules", ".bin", "vite-node");

/**
 * Every request of every scenario at N = 40: 4 pairs of one app and one stream, 10 partitions each, the seeded
 * app adopted (no CreateApp), the running-consumer waits off except in the *-waits scenarios. The program lists
 * the apps once and, for each stream with a declared change, describes it once and reads its checkpoints once
 * (twice, a window apart, with the waits); the provider commits each changed partition once and reads each
 * committed pair once more to verify. ceil(40 / 100) = 1 checkpoint moves in change1pct.
 */
const EXPECTED_REQUESTS: Record<string, Record<string, number>> = {
  floor: { CommitCheckpoint: 40 },
  naive: { CommitCheckpoint: 40 },
  // No declarations: Pulumi's fixed cost, without one API call.
  empty: {},
  first: { ListApps: 1, DescribeStream: 4, ShowConsumerState: 4 + 4, CommitCheckpoint: 40 },
  "first-waits": { ListApps: 1, DescribeStream: 4, ShowConsumerState: 4 + 4 + 4, CommitCheckpoint: 40 },
  noop: { ListApps: 1 },
  change1pct: { ListApps: 1, DescribeStream: 1, ShowConsumerState: 1 + 1, CommitCheckpoint: 1 },
  preview: { ListApps: 1, DescribeStream: 1, ShowConsumerState: 1 },
  // The applied pairs' checkpoints, recorded as observed.
  refresh: { ListApps: 1, ShowConsumerState: 4 },
  "change1pct-waits": { ListApps: 1, DescribeStream: 1, ShowConsumerState: 1 + 1 + 1, CommitCheckpoint: 1 },
};

function bench(args: string[]): Promise<ProcessResult> {
  return run(VITE_NODE, [path.join(PROJECT_ROOT, "bench", "index.ts"), "--", ...args], { cwd: PROJECT_ROOT, env: { ...process.env } as Record<string, string>, timeoutMs: 900_000 });
}

describe("npm run bench", () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-bench-"));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("refuses a size that is not whole pairs, with exit 2, and writes nothing", async () => {
    const result = await bench(["--checkpoints", "45", "--partitions", "10", "--out", out]);
    expect(result.stderr).toBe("bench: --checkpoints must be a positive multiple of --partitions (10), not 45\n");
    expect(result.code).toBe(2);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("refuses an unknown --env form with exit 2", async () => {
    const result = await bench(["--env", "skip", "--out", out]);
    expect(result.stderr).toBe("bench: --env takes KEY=VALUE (e.g. PULUMI_SKIP_CHECKPOINTS=true), not 'skip'\n");
    expect(result.code).toBe(2);
  });

  it("runs every scenario at N = 40 with exact request counts and writes results.json and results.md", async () => {
    const result = await bench(["--checkpoints", "40", "--partitions", "10", "--runs", "1", "--out", out]);
    expect(result.stderr.replace("dis-emulator: SIGTERM, closing\n", "")).toBe("");
    expect(result.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["results.json", "results.md"]);

    const results = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as Results;
    const main = results.main!;
    expect(results.scaling).toBeUndefined();
    expect(results.variants).toBeUndefined();
    expect(main.settings).toEqual({ checkpoints: 40, partitions: 10, pairs: 4, apps: 1, concurrency: 16, runs: 1, latencyMs: 0, env: {}, changedPairs: 1, changedStreams: 1 });
    expect(main.scenarios.map((scenario) => scenario.name).sort()).toEqual([...SCENARIOS].sort());
    const scenario = (name: string) => {
      const found = main.scenarios.find((entry) => entry.name === name)!;
      expect(found.runs).toHaveLength(1);
      return found.runs[0]!;
    };

    // Every request of every scenario, reads included.
    expect(Object.keys(EXPECTED_REQUESTS).sort()).toEqual([...SCENARIOS].sort());
    for (const name of SCENARIOS) expect(scenario(name).requests, name).toEqual(EXPECTED_REQUESTS[name]);
    // The stack and its one Checkpoints resource.
    expect(scenario("empty").summary).toBe("up of stack 'empty' done: 2 created");

    const first = scenario("first");
    expect(first.summary).toBe("up of stack 'first-1' done: 40 checkpoints committed (40 held)");
    expect(first.providerPeakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(first.stateBytes).toBeGreaterThan(0);

    // The program reads its last outputs through an invoke, which leaves nothing in the state to read or discard.
    expect(scenario("noop").summary).toBe("up of stack 'first-1' done: 2 unchanged");
    expect(scenario("change1pct").summary).toBe("up of stack 'first-1' done: 1 checkpoint committed (1 held)");
    expect(scenario("preview").summary).toBe("preview of stack 'first-1' done: 1 unchanged, 1 updated");
    expect(scenario("refresh").summary).toBe("refresh of stack 'first-1' done: 2 unchanged");

    expect(main.providerText).toMatchObject({ copiesPerResource: 2, resources: 1 });
    expect(main.providerText.bytesPerCopy).toBeLessThanOrEqual(1024);
    expect(main.ratios.map((ratio) => ratio.name)).toEqual([
      "(first − empty) / floor",
      "noop write requests",
      "noop / empty",
      "change1pct / empty",
      "preview / empty",
      "refresh / empty",
      "DescribeStream per changed stream (change1pct)",
      "ShowConsumerState per changed pair (change1pct)",
      "state per declared checkpoint",
      "serialized provider text per resource",
      "first-waits − first (the default activity window and settle interval, 10 s each)",
      "change1pct-waits − change1pct (the default activity window and settle interval, 10 s each)",
    ]);
    expect(main.ratios.find((ratio) => ratio.name === "DescribeStream per changed stream (change1pct)")).toMatchObject({ value: 1, met: true });
    expect(main.ratios.find((ratio) => ratio.name === "ShowConsumerState per changed pair (change1pct)")).toMatchObject({ value: 2, met: true });
    expect(main.ratios.find((ratio) => ratio.name === "noop write requests")).toMatchObject({ value: 0, met: true });
    expect(main.machine.cores).toBe(os.cpus().length);
    expect(main.machine.pulumi).toMatch(/^v3\.\d+\.\d+$/);

    const markdown = fs.readFileSync(path.join(out, "results.md"), "utf8");
    expect(markdown).toContain("## Reconciler against the raw API floor");
    for (const name of SCENARIOS) expect(markdown).toMatch(new RegExp(`^\\| ${name} \\|`, "m"));
  });
});

describe("bench/load-declarations.ts", () => {
  const script = path.join(PROJECT_ROOT, "bench", "load-declarations.ts");
  const env = { ...process.env } as Record<string, string>;

  it("loads the generated declarations through the fast reader and prints every figure", async () => {
    const result = await run(VITE_NODE, [script, "--apps", "2"], { cwd: PROJECT_ROOT, env, timeoutMs: 300_000 });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^loadDeclarations: 2000 checkpoints in 2 files \(0\.1 MiB\): wall median \d+ ms .*; CPU median \d+ ms/);
    expect(lines[1]).toMatch(/^dis-checkpoints validate, a new process \(node start to exit\): wall median \d+ ms/);
    expect(lines[2]).toMatch(/^reading the YAML, fast block-mapping reader: wall median \d+ ms/);
    expect(lines[3]).toMatch(/^reading the YAML, general yaml parser \(used when a file leaves the subset\): wall median \d+ ms/);
    expect(lines[4]).toMatch(/^load average [\d.]+ [\d.]+ [\d.]+ on \d+ CPUs$/);
  });

  it("refuses a bad size with exit 2", async () => {
    const result = await run(VITE_NODE, [script, "--apps", "0"], { cwd: PROJECT_ROOT, env, timeoutMs: 60_000 });
    expect(result.stderr).toBe("usage: load-declarations.ts [--apps N], N from 1 to 1000 (got --apps 0)\n");
    expect(result.code).toBe(2);
  });
});
