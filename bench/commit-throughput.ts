/**
 * CommitCheckpoint throughput of the DIS client against the local emulator on loopback.
 *
 *   npx vite-node bench/commit-throughput.ts [-- --duration-ms 5000 --concurrency 1,32 --connections 32]
 *
 * The emulator runs in a child process (this same file with --serve-emulator), so client and server do not
 * share one event loop. Each run commits absolute values round-robin over the stream's partitions for a fixed
 * time after a short warm-up, and prints commits per second with latency percentiles.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createDisClient } from "../src/dis";

const STREAM = "bench";
const APP = "bench-app";
const PARTITIONS = 64;
const RECORDS_PER_PARTITION = 1000;
const WARM_UP_MS = 1000;

interface EmulatorInfo {
  url: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
}

async function serveEmulator(): Promise<void> {
  const { startEmulator } = await import("../src/emulator");
  const emulator = await startEmulator({ behaviour: { lockout: false } });
  emulator.state.createStream({
    name: STREAM,
    partitionCount: PARTITIONS,
    records: {
      perPartition: Array.from({ length: PARTITIONS }, () => RECORDS_PER_PARTITION),
      startTime: Date.now() - 60_000,
      intervalMs: 1,
      firstSequenceNumber: 0n,
    },
  });
  emulator.state.createApp(APP);
  const info: EmulatorInfo = { url: emulator.url, projectId: emulator.projectId, accessKey: emulator.accessKey, secretKey: emulator.secretKey };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  // The parent closes stdin to stop us.
  process.stdin.resume();
  process.stdin.on("end", () => void emulator.close().then(() => process.exit(0)));
}

async function startEmulatorProcess(): Promise<{ info: EmulatorInfo; stop: () => void }> {
  // Under vite-node, argv[1] is vite-node itself and the script path is not in argv.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, __filename, "--serve-emulator"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 60 s")), 60_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited with code ${code}`)));
  });
  return { info: JSON.parse(firstLine) as EmulatorInfo, stop: () => child.stdin.end() };
}

interface RunResult {
  concurrency: number;
  connections: number;
  commits: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function run(info: EmulatorInfo, concurrency: number, connections: number, durationMs: number): Promise<RunResult> {
  const client = createDisClient({
    projectId: info.projectId,
    endpoint: info.url,
    credentials: { accessKey: info.accessKey, secretKey: info.secretKey },
    connections,
  });
  const latencies: number[] = [];
  let next = 0;
  const commitFor = async (until: number, record: boolean) => {
    while (performance.now() < until) {
      const n = next++;
      const started = performance.now();
      await client.commitCheckpoint({
        app: APP,
        stream: STREAM,
        partition: n % PARTITIONS,
        sequenceNumber: String(Math.floor(n / PARTITIONS) % RECORDS_PER_PARTITION),
      });
      if (record) latencies.push(performance.now() - started);
    }
  };
  try {
    const warmUntil = performance.now() + WARM_UP_MS;
    await Promise.all(Array.from({ length: concurrency }, () => commitFor(warmUntil, false)));
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, () => commitFor(started + durationMs, true)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const percentile = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2));
    return {
      concurrency,
      connections,
      commits: latencies.length,
      seconds: Number(seconds.toFixed(2)),
      perSecond: Math.round(latencies.length / seconds),
      p50Ms: percentile(0.5),
      p99Ms: percentile(0.99),
    };
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      "serve-emulator": { type: "boolean" },
      "duration-ms": { type: "string", default: "5000" },
      concurrency: { type: "string", default: "1,32" },
      connections: { type: "string", default: "32" },
    },
    strict: true,
  });
  if (values["serve-emulator"]) return serveEmulator();

  const durationMs = Number(values["duration-ms"]);
  const connections = Number(values.connections);
  const levels = values.concurrency.split(",").map(Number);
  if (!(durationMs > 0) || !(connections > 0) || levels.some((level) => !(level > 0))) {
    throw new Error("--duration-ms, --connections and every --concurrency level must be positive numbers");
  }
  const emulator = await startEmulatorProcess();
  try {
    process.stdout.write(`CommitCheckpoint against the emulator at ${emulator.info.url} (node ${process.version}, ${durationMs} ms per run)\n`);
    for (const concurrency of levels) {
      const result = await run(emulator.info, concurrency, connections, durationMs);
      process.stdout.write(
        `concurrency ${String(result.concurrency).padStart(3)}  connections ${result.connections}  ` +
          `${String(result.perSecond).padStart(6)} commits/s  (${result.commits} in ${result.seconds} s, ` +
          `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms)\n`,
      );
    }
  } finally {
    emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`commit-throughput: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
