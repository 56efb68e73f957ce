/**
 * `npm run bench [-- --checkpoints N --partitions P --concurrency C --runs R --latency-ms L --env KEY=VALUE --scaling --out DIR]`
 *
 * The reconciler against the raw API floor, side by side, in one run against a fresh emulator (a child
 * process on loopback, every request delayed by L ms): `floor` (a minimal undici loop), `naive` (the same,
 * one commit at a time), then `dis-checkpoints` through the real Pulumi CLI: `empty` (no declarations:
 * Pulumi's fixed cost), `first` (creates all N), `noop`, `preview` and `change1pct` (1% of the checkpoints
 * moved), `refresh`, with the running-consumer waits off, and `first-waits` / `change1pct-waits` with their
 * defaults. Prints a table and writes results.json and results.md; `--scaling` measures every scenario but
 * the floors once at 1,000, 10,000 and 100,000 checkpoints instead. Timings are reported, never asserted.
 * See bench/README.md.
 *
 * Exit codes: 0 done, 1 a run failed, 2 bad arguments.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { renderDeclarations } from "../src/desired";
import { PROJECT_ROOT, requirePulumiCli } from "../src/workspace";
import { makeTempProject, run, type TempProject } from "../test/support/project";
import { commitAll, type FloorTarget } from "./floor";
import { countsDelta, ProviderMemorySampler, startEmulatorProcess, type EmulatorProcess } from "./processes";
import {
  computeRatios,
  growthOf,
  median,
  peakOf,
  renderMain,
  renderResults,
  renderScaling,
  variantName,
  writesOf,
  type BenchSettings,
  type MachineInfo,
  type MainSection,
  type ProviderText,
  type Results,
  type RunResult,
  type ScalingPoint,
  type ScalingSection,
  type ScenarioName,
  type ScenarioResult,
} from "./report";
import { buildWorkload, changeFootprint, declarationsOf, seedFor, withChange, WorkloadError, type Checkpoint, type Workload } from "./workload";

const PROJECT_ID = "0000000000000000000000000000be4c";
const ACCESS_KEY = "BENCHACCESSKEY000001";
// Only ever accepted by the throw-away emulator this bench starts.
const SECRET_KEY = "bench-secret-key-for-the-local-emulator";
const SCALING_SIZES = [1_000, 10_000, 100_000];
/** A bound on one Pulumi run; the largest scaling step takes minutes on two cores. */
const RUN_TIMEOUT_MS = 45 * 60_000;
const FLOOR_WARM_UP = 1_000;
const DECLARATIONS_DIR = "checkpoints/bench";
const EMPTY_DIR = "checkpoints/empty";

class UsageError extends Error {}
class BenchError extends Error {}

interface Options {
  checkpoints: number;
  partitions: number;
  concurrency: number;
  runs: number;
  scaling: boolean;
  latencyMs: number;
  env: Record<string, string>;
  out: string;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${flag} must be a positive integer, not '${text}'`);
  return value;
}

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: {
        checkpoints: { type: "string", default: "10000" },
        partitions: { type: "string", default: "100" },
        concurrency: { type: "string", default: "16" },
        runs: { type: "string", default: "3" },
        "latency-ms": { type: "string", default: "0" },
        env: { type: "string", multiple: true, default: [] },
        scaling: { type: "boolean", default: false },
        out: { type: "string", default: path.join(PROJECT_ROOT, "bench") },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const env: Record<string, string> = {};
  for (const entry of values.env) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(entry);
    if (!match) throw new UsageError(`--env takes KEY=VALUE (e.g. PULUMI_SKIP_CHECKPOINTS=true), not '${entry}'`);
    env[match[1]!] = match[2]!;
  }
  return {
    checkpoints: positiveInteger("checkpoints", values.checkpoints),
    partitions: positiveInteger("partitions", values.partitions),
    concurrency: positiveInteger("concurrency", values.concurrency),
    runs: positiveInteger("runs", values.runs),
    latencyMs: values["latency-ms"] === "0" ? 0 : positiveInteger("latency-ms", values["latency-ms"]),
    scaling: values.scaling,
    env,
    out: path.resolve(values.out),
  };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---- the world: emulator + Pulumi project -------------------------------------------------------

interface Bench {
  workload: Workload;
  emulator: EmulatorProcess;
  project: TempProject;
  projectName: string;
  env: Record<string, string>;
  floorTarget: FloorTarget;
  close(): Promise<void>;
}

async function startBench(workload: Workload, options: Options): Promise<Bench> {
  const pulumiYaml = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8");
  const project = makeTempProject({
    "Pulumi.yaml": pulumiYaml,
    "seed.json": JSON.stringify(seedFor(workload)),
    [`${EMPTY_DIR}/.keep`]: "",
  });
  try {
    const emulator = await startEmulatorProcess({ seedFile: path.join(project.dir, "seed.json"), projectId: PROJECT_ID, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, latencyMs: options.latencyMs });
    const env = {
      ...project.env,
      DIS_CHECKPOINTS_ENDPOINT: emulator.url,
      HUAWEICLOUD_SDK_AK: ACCESS_KEY,
      HUAWEICLOUD_SDK_SK: SECRET_KEY,
      ...options.env,
    };
    return {
      workload,
      emulator,
      project,
      // The file backend keeps a stack's state under the project's name.
      projectName: String((parseYaml(pulumiYaml) as { name: unknown }).name),
      env,
      floorTarget: { url: emulator.url, projectId: PROJECT_ID, credentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY } },
      async close() {
        await emulator.stop();
        project.cleanup();
      },
    };
  } catch (error) {
    project.cleanup();
    throw error;
  }
}

/**
 * A stack of the bench. The deliberate waits for running consumers (activity window, settle interval) are
 * off unless `waits`, so the timings are the reconciler's own; `change1pct-waits` measures them with their
 * defaults.
 */
function writeStack(bench: Bench, stack: string, checkpointsDir: string, concurrency: number, waits = false): void {
  const config = [`  dis-checkpoints:projectId: ${PROJECT_ID}`, `  dis-checkpoints:checkpointsDir: ${checkpointsDir}`, `  dis-checkpoints:concurrency: "${concurrency}"`];
  if (!waits) config.push("  dis-checkpoints:activityWindow: 0", "  dis-checkpoints:settleInterval: 0");
  fs.mkdirSync(path.join(bench.project.dir, "stacks"), { recursive: true });
  fs.writeFileSync(path.join(bench.project.dir, "stacks", `Pulumi.${stack}.yaml`), `config:\n${config.join("\n")}\n`);
}

function writeDeclarations(bench: Bench, checkpoints: readonly Checkpoint[]): void {
  const directory = path.join(bench.project.dir, DECLARATIONS_DIR);
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(directory, { recursive: true });
  for (const app of declarationsOf(checkpoints)) fs.writeFileSync(path.join(directory, `${app.name}.yaml`), renderDeclarations(app));
}

function stateFile(bench: Bench, stack: string): string {
  return path.join(bench.project.dir, ".pulumi", "state", ".pulumi", "stacks", bench.projectName, `${stack}.json`);
}

// ---- measured runs ----------------------------------------------------------------------------

async function measureFloor(bench: Bench, concurrency: number): Promise<RunResult> {
  const before = await bench.emulator.operationCounts();
  const wallMs = await commitAll(bench.floorTarget, bench.workload.all, concurrency);
  return { wallMs, requests: countsDelta(before, await bench.emulator.operationCounts()), providerPeakRssBytes: null };
}

async function measureStack(bench: Bench, operation: "up" | "preview" | "refresh", stack: string): Promise<RunResult> {
  const before = await bench.emulator.operationCounts();
  const sampler = new ProviderMemorySampler();
  sampler.start();
  const started = performance.now();
  const running = run(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), operation, "--stack", stack], {
    cwd: bench.project.dir,
    env: bench.env,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  // Stopped however the run ends, so a failed spawn leaves no timer behind.
  let memory: ReturnType<ProviderMemorySampler["stop"]> | undefined;
  const result = await running.finally(() => (memory = sampler.stop()));
  const wallMs = performance.now() - started;
  if (result.code !== 0) {
    const tail = result.stdout.split("\n").slice(-30).join("\n");
    throw new BenchError(`dis-checkpoints ${operation} --stack ${stack} failed (exit ${result.code}):\n${result.stderr}\n${tail}`);
  }
  const summary = /^\S+ of stack '.*' done: .*$/m.exec(result.stdout)?.[0];
  return {
    wallMs,
    requests: countsDelta(before, await bench.emulator.operationCounts()),
    providerPeakRssBytes: memory?.peakRssBytes ?? null,
    stateBytes: fs.statSync(stateFile(bench, stack)).size,
    ...(summary ? { summary } : {}),
  };
}

async function repeat(name: ScenarioName, what: string, runs: number, once: (index: number) => Promise<RunResult>): Promise<ScenarioResult> {
  const results: RunResult[] = [];
  for (let index = 0; index < runs; index++) {
    const result = await once(index);
    results.push(result);
    log(`  ${name.padEnd(10)} run ${index + 1}/${runs}: ${(result.wallMs / 1000).toFixed(2)} s, ${writesOf(result.requests)} writes${result.summary ? ` (${result.summary})` : ""}`);
  }
  return { name, what, runs: results, medianMs: median(results.map((result) => result.wallMs)) };
}

/** The serialized provider text as the state keeps it: its size and how many copies each resource holds. */
function providerTextOf(stateFilePath: string): ProviderText {
  const state = JSON.parse(fs.readFileSync(stateFilePath, "utf8")) as {
    checkpoint: { latest?: { resources?: Array<{ inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } };
  };
  let bytesPerCopy = 0;
  let copies = 0;
  let resources = 0;
  for (const resource of state.checkpoint.latest?.resources ?? []) {
    const texts = [resource.inputs?.__provider, resource.outputs?.__provider].filter((text): text is string => typeof text === "string");
    if (texts.length === 0) continue;
    resources++;
    copies = Math.max(copies, texts.length);
    for (const text of texts) bytesPerCopy = Math.max(bytesPerCopy, Buffer.byteLength(text));
  }
  return { bytesPerCopy, copiesPerResource: copies, resources };
}

async function machineInfo(loadAverageBefore: number[]): Promise<MachineInfo> {
  const version = await run(requirePulumiCli().command, ["version"], { timeoutMs: 60_000 });
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryBytes: os.totalmem(),
    node: process.version,
    pulumi: version.stdout.trim(),
    date: new Date().toISOString(),
    loadAverageBefore,
    loadAverageAfter: loadAverage(),
  };
}

const loadAverage = () => os.loadavg().map((value) => Number(value.toFixed(2)));

// ---- the two modes ------------------------------------------------------------------------------

async function runMain(options: Options): Promise<MainSection> {
  const loadBefore = loadAverage();
  const workload = buildWorkload(options);
  const { runs, concurrency } = options;
  log(`bench: ${workload.checkpoints} checkpoints (${workload.pairs} pairs × ${workload.partitions} partitions), concurrency ${concurrency}, ${runs} run(s)`);
  const bench = await startBench(workload, options);
  try {
    // Unmeasured: the first thousand commits of a fresh process pair (JIT, connections) run several times
    // slower than the rest, which would make a single-run floor meaningless.
    await commitAll(bench.floorTarget, workload.all.slice(0, FLOOR_WARM_UP), concurrency);
    const scenarios: ScenarioResult[] = [];
    scenarios.push(await repeat("floor", `raw API, ${concurrency} in flight`, runs, () => measureFloor(bench, concurrency)));
    scenarios.push(await repeat("naive", "raw API, one at a time", runs, () => measureFloor(bench, 1)));
    // The reconciler starts from a DIS where nothing was committed.
    await bench.emulator.resetState();

    writeStack(bench, "empty", EMPTY_DIR, concurrency);
    scenarios.push(await repeat("empty", "up, no declarations", runs, () => measureStack(bench, "up", "empty")));

    writeDeclarations(bench, workload.all);
    // A first apply with the running-consumer checks' default waits, for what they add to it; before the
    // measured first runs, whose last stack the later scenarios continue from.
    const firstWaits = await repeat("first-waits", "first with the default activity window and settle interval", 1, async () => {
      await bench.emulator.resetState();
      writeStack(bench, "first-waits", DECLARATIONS_DIR, concurrency, true);
      return measureStack(bench, "up", "first-waits");
    });
    const stack = (index: number) => `first-${index + 1}`;
    const first = await repeat("first", `up creating all ${workload.checkpoints}`, runs, async (index) => {
      // A fresh stack and a fresh DIS each time.
      await bench.emulator.resetState();
      writeStack(bench, stack(index), DECLARATIONS_DIR, concurrency);
      return measureStack(bench, "up", stack(index));
    });
    scenarios.push(first, firstWaits);
    const last = stack(runs - 1);
    scenarios.push(await repeat("noop", "up, nothing changed", runs, () => measureStack(bench, "up", last)));

    const previews: RunResult[] = [];
    const change = await repeat("change1pct", "up, 1% of the checkpoints moved", runs, async (index) => {
      writeDeclarations(bench, withChange(workload, index + 1));
      previews.push(await measureStack(bench, "preview", last));
      return measureStack(bench, "up", last);
    });
    scenarios.push(change);
    scenarios.push({ name: "preview", what: "preview of that change", runs: previews, medianMs: median(previews.map((result) => result.wallMs)) });
    scenarios.push(await repeat("refresh", "refresh", runs, () => measureStack(bench, "refresh", last)));
    // The same change with the running-consumer checks' default waits: what they add to a committing run.
    writeStack(bench, last, DECLARATIONS_DIR, concurrency, true);
    scenarios.push(
      await repeat("change1pct-waits", "change1pct with the default activity window and settle interval", runs, async (index) => {
        writeDeclarations(bench, withChange(workload, runs + index + 1));
        return measureStack(bench, "up", last);
      }),
    );

    const settings: BenchSettings = {
      checkpoints: workload.checkpoints,
      partitions: workload.partitions,
      pairs: workload.pairs,
      apps: workload.apps.length,
      concurrency,
      runs,
      latencyMs: options.latencyMs,
      env: options.env,
      ...changeFootprint(workload),
    };
    const providerText = providerTextOf(stateFile(bench, last));
    return { machine: await machineInfo(loadBefore), settings, scenarios, providerText, ratios: computeRatios(scenarios, settings, providerText) };
  } finally {
    await bench.close();
  }
}

async function runScaling(options: Options): Promise<ScalingSection> {
  const loadBefore = loadAverage();
  const points: ScalingPoint[] = [];
  for (const checkpoints of SCALING_SIZES) {
    const workload = buildWorkload({ checkpoints, partitions: options.partitions });
    log(`bench --scaling: ${checkpoints} checkpoints (${workload.pairs} pairs × ${workload.partitions} partitions)`);
    const bench = await startBench(workload, options);
    try {
      writeStack(bench, "empty", EMPTY_DIR, options.concurrency);
      const empty = await repeat("empty", "", 1, () => measureStack(bench, "up", "empty"));
      writeStack(bench, "scale", DECLARATIONS_DIR, options.concurrency);
      writeDeclarations(bench, workload.all);
      const first = await repeat("first", "", 1, () => measureStack(bench, "up", "scale"));
      const noop = await repeat("noop", "", 1, () => measureStack(bench, "up", "scale"));
      writeDeclarations(bench, withChange(workload, 1));
      const preview = await repeat("preview", "", 1, () => measureStack(bench, "preview", "scale"));
      const change = await repeat("change1pct", "", 1, () => measureStack(bench, "up", "scale"));
      const refresh = await repeat("refresh", "", 1, () => measureStack(bench, "refresh", "scale"));
      const firstRun = first.runs[0]!;
      points.push({
        checkpoints,
        pairs: workload.pairs,
        emptyMs: empty.medianMs,
        firstMs: first.medianMs,
        noopMs: noop.medianMs,
        change1pctMs: change.medianMs,
        previewMs: preview.medianMs,
        refreshMs: refresh.medianMs,
        firstCommits: firstRun.requests.CommitCheckpoint ?? 0,
        noopWrites: writesOf(noop.runs[0]!.requests),
        stateBytes: firstRun.stateBytes ?? 0,
        providerPeakRssBytes: peakOf([...first.runs, ...noop.runs, ...change.runs, ...refresh.runs]),
      });
    } finally {
      await bench.close();
    }
  }
  return {
    machine: await machineInfo(loadBefore),
    settings: { partitions: options.partitions, concurrency: options.concurrency, runs: 1, latencyMs: options.latencyMs, env: options.env },
    points,
    growth: growthOf(points),
  };
}

function readResults(file: string): Results {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Results;
  } catch {
    return {}; // first run, or an unreadable file: start afresh
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
    buildWorkload(options);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof WorkloadError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
  // The bench keeps its own file backend, whatever the shell points at (makeTempProject does the same).
  delete process.env.PULUMI_BACKEND_URL;
  const jsonFile = path.join(options.out, "results.json");
  const results = readResults(jsonFile);
  const variant = variantName(options);
  if (options.scaling) {
    const section = await runScaling(options);
    results.scaling = { ...results.scaling, [variant]: section };
    log(`\n${renderScaling(variant, section)}`);
  } else {
    const section = await runMain(options);
    if (variant === "default") results.main = section;
    else results.variants = { ...results.variants, [variant]: section };
    log(`\n${renderMain(section)}`);
  }
  fs.mkdirSync(options.out, { recursive: true });
  fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(options.out, "results.md"), renderResults(results));
  log(`\nwrote ${path.relative(process.cwd(), jsonFile) || jsonFile} and results.md`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof BenchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
