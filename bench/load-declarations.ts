/**
 * How long loading 100,000 declared checkpoints takes: generates declaration files in a temporary
 * directory (100 apps × 10 streams × 100 partitions, one file per app, a fifth of the partitions in the
 * long form with metadata, both partition id forms), then times
 * - loadDeclarations over the directory, in this (warm) process;
 * - `dis-checkpoints validate` on it as a new process, from node's start to its exit (needs `npm run build`);
 * - reading the YAML alone, through the fast block-mapping reader and through the general yaml parser.
 *
 * Run: npm run build && npx vite-node bench/load-declarations.ts [--apps N]   (default 100 apps: 100,000 checkpoints)
 */
import { execFileSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadDeclarations } from "../src/desired";
import { readBlockMappings } from "../src/desired/block-mappings";
import { countLines, readWithYamlParser, readYamlSource } from "../src/desired/yaml-source";

const BUILT_CLI = path.resolve(__dirname, "../dist/cli/main.js");

const DEFAULT_APPS = 100;
const STREAMS_PER_APP = 10;
const PARTITIONS_PER_STREAM = 100;
const RUNS = 5;

/** `--apps N` (tests run a small size); anything else is a usage error. */
function appsFromArgs(args: readonly string[]): number {
  if (args.length === 0) return DEFAULT_APPS;
  const [flag, value, ...rest] = args;
  const apps = Number(value);
  if (flag !== "--apps" || rest.length > 0 || !Number.isSafeInteger(apps) || apps < 1 || apps > 1000) {
    throw new UsageError(`usage: load-declarations.ts [--apps N], N from 1 to 1000 (got ${args.join(" ")})`);
  }
  return apps;
}

class UsageError extends Error {}

function declarationFile(app: number): string {
  const lines = ["# yaml-language-server: $schema=../../checkpoints.schema.json", "version: 1", `app: consumer-${app}`, "streams:"];
  for (let stream = 0; stream < STREAMS_PER_APP; stream++) {
    lines.push(`  stream-${stream}:`, "    partitions:");
    for (let partition = 0; partition < PARTITIONS_PER_STREAM; partition++) {
      const key = partition % 2 === 0 ? String(partition) : `shardId-${String(partition).padStart(10, "0")}`;
      const sequenceNumber = String(BigInt(app * 1_000_003 + stream * 7919 + partition) * 1_000_000_007n);
      if (partition % 5 === 0) {
        lines.push(`      ${key}:`, `        sequenceNumber: "${sequenceNumber}"`, `        metadata: "replay after INC-${app}-${stream}"`);
      } else {
        lines.push(`      ${key}: "${sequenceNumber}"`);
      }
    }
    if (stream % 3 === 0) lines.push("    allowSkip: true", `    revision: ${stream}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Median, fastest and slowest of RUNS timed runs (after one untimed run that warms the JIT up), as wall
 * time and as the process's CPU time: on a busy machine the wall time mostly measures the neighbours.
 */
async function time(work: () => Promise<void>): Promise<{ wall: string; cpu: string }> {
  await work();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await work();
    const cpuUsed = process.cpuUsage(cpuBefore);
    wall.push(performance.now() - started);
    cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
  }
  const ms = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(0)} ms`;
  const summary = (timings: number[]) => {
    timings.sort((a, b) => a - b);
    return `median ${ms(timings[Math.floor(RUNS / 2)])} (fastest ${ms(timings[0])}, slowest ${ms(timings[RUNS - 1])})`;
  };
  return { wall: `wall ${summary(wall)}; ${RUNS} runs`, cpu: `CPU ${summary(cpu)}` };
}

async function main(): Promise<void> {
  const apps = appsFromArgs(process.argv.slice(2));
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "declarations-bench-"));
  try {
    let bytes = 0;
    for (let app = 0; app < apps; app++) {
      const text = declarationFile(app);
      bytes += Buffer.byteLength(text);
      await fs.writeFile(path.join(directory, `consumer-${String(app).padStart(3, "0")}.yaml`), text);
    }
    const checkpoints = apps * STREAMS_PER_APP * PARTITIONS_PER_STREAM;
    const texts = await Promise.all((await fs.readdir(directory)).map((name) => fs.readFile(path.join(directory, name), "utf8")));
    // Files written like these are what the fast reader is for: declining one would time the slow path.
    if (texts.some((text) => readBlockMappings(text, countLines(text)) === undefined)) {
      throw new Error("the fast block-mapping reader declined a generated file");
    }
    const loader = await time(async () => {
      const result = await loadDeclarations([directory], { cwd: directory });
      if (!result.ok) throw new Error(`the generated declarations did not load: ${result.errors[0]?.message}`);
      if (result.stats.checkpoints !== checkpoints) throw new Error(`loaded ${result.stats.checkpoints} checkpoints, expected ${checkpoints}`);
    });
    const validate = existsSync(BUILT_CLI)
      ? await time(async () => {
          const output = execFileSync(process.execPath, [BUILT_CLI, "validate", "."], { cwd: directory, encoding: "utf8", timeout: 60_000 });
          if (!output.includes(`${checkpoints} checkpoints`)) throw new Error(`validate said: ${output}`);
        })
      : undefined;
    const fastReader = await time(async () => {
      for (const text of texts) readYamlSource(text);
    });
    const generalParser = await time(async () => {
      for (const text of texts) readWithYamlParser(text, countLines(text));
    });
    const inProcess = ({ wall, cpu }: { wall: string; cpu: string }) => `${wall}; ${cpu}`;
    process.stdout.write(
      `loadDeclarations: ${checkpoints} checkpoints in ${apps} files (${(bytes / 1024 / 1024).toFixed(1)} MiB): ${inProcess(loader)}\n` +
        `dis-checkpoints validate, a new process (node start to exit): ${validate?.wall ?? "skipped: run npm run build first"}\n` +
        `reading the YAML, fast block-mapping reader: ${inProcess(fastReader)}\n` +
        `reading the YAML, general yaml parser (used when a file leaves the subset): ${inProcess(generalParser)}\n` +
        `load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs\n`,
    );
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof UsageError ? error.message : `bench failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
