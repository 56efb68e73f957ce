import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { DIST_EMULATOR, ensureBuilt } from "./support/build";
import { sdkDateOf, sign } from "./support/signer";

/**
 * Measures CommitCheckpoint requests per second over loopback with a real HTTP client, at concurrency 1 and 32,
 * against an emulator in its own process (sharing one process would halve both sides) that already holds
 * 200,000 checkpoints, and against an empty one for comparison. It reports figures and asserts only correctness:
 * timing never fails a test. More requests: DIS_EMULATOR_BENCH_REQUESTS=20000 npx vitest run test/emulator/throughput.test.ts
 */
const REQUESTS = Number(process.env.DIS_EMULATOR_BENCH_REQUESTS ?? 3000);
const PARTITIONS = 1000;
const PROJECT = "be0c0000000000000000000000000000";
const ACCESS_KEY = "BENCHAK";
const SECRET_KEY = "bench-secret-key";

/** The emulator process: a stream of 1000 partitions with generated records, `apps` apps × 1000 checkpoints. */
const SERVER = `
const { startEmulator } = require(${JSON.stringify(join(DIST_EMULATOR, "index.js"))});
(async () => {
  const apps = Number(process.argv[1]);
  const handle = await startEmulator({
    projectId: ${JSON.stringify(PROJECT)}, accessKey: ${JSON.stringify(ACCESS_KEY)}, secretKey: ${JSON.stringify(SECRET_KEY)},
    limits: { requestLogSize: 1000, maxApps: 100000 },
  });
  handle.state.createStream({ name: "bench", partitionCount: ${PARTITIONS}, records: {
    perPartition: new Array(${PARTITIONS}).fill(1000000), startTime: Date.now() - 1000, intervalMs: 0, firstSequenceNumber: 0n } });
  for (let app = 0; app < Math.max(apps, 1); app++) {
    handle.state.createApp("app-" + app);
    for (let partition = 0; partition < ${PARTITIONS} && app < apps; partition++) {
      handle.state.commitCheckpoint({ app: "app-" + app, stream: "bench", partition: { ordinal: partition, id: String(partition) } }, BigInt(partition));
    }
  }
  process.stdout.write(JSON.stringify({ url: handle.url, apps: Math.max(apps, 1), checkpoints: handle.state.checkpointCount() }) + "\\n");
  process.once("SIGTERM", () => handle.close().then(() => process.exit(0)));
})();
`;

interface Server {
  child: ChildProcess;
  url: string;
  apps: number;
  checkpoints: number;
}

const servers: ChildProcess[] = [];
afterAll(() => {
  for (const child of servers) child.kill("SIGTERM");
});

function startServer(apps: number): Promise<Server> {
  const child = spawn(process.execPath, ["-e", SERVER, String(apps)], { stdio: ["ignore", "pipe", "inherit"] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error("the emulator process did not start within 60 s")), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes("\n")) return;
      clearTimeout(timer);
      resolve({ child, ...JSON.parse(output.split("\n")[0] as string) });
    });
    child.on("exit", (code) => reject(new Error(`the emulator process exited with ${code}`)));
  });
}

async function commitMany(server: Server, concurrency: number, total: number): Promise<{ perSecond: number; statuses: Record<number, number> }> {
  const pool = new Pool(server.url, { connections: concurrency });
  const host = new URL(server.url).host;
  const path = `/v2/${PROJECT}/checkpoints`;
  const statuses: Record<number, number> = {};
  let issued = 0;
  const worker = async () => {
    while (issued < total) {
      const index = issued++;
      const body = JSON.stringify({
        app_name: `app-${index % server.apps}`,
        checkpoint_type: "LAST_READ",
        stream_name: "bench",
        partition_id: String(index % PARTITIONS),
        sequence_number: String(index % 1_000_000),
      });
      const headers = sign({
        method: "POST",
        path,
        headers: { host, "Content-Type": "application/json" },
        body,
        accessKey: ACCESS_KEY,
        secretKey: SECRET_KEY,
        sdkDate: sdkDateOf(Date.now()),
      });
      delete headers.host;
      const response = await pool.request({ path, method: "POST", headers, body });
      await response.body.dump();
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  return { perSecond: Math.round((total / elapsed) * 1000), statuses };
}

describe("CommitCheckpoint throughput over loopback", () => {
  it("commits at concurrency 1 and 32, with 200,000 checkpoints held and with none", async () => {
    ensureBuilt();
    const rows: string[] = [];
    for (const apps of [200, 0]) {
      const server = await startServer(apps);
      expect(server.checkpoints).toBe(apps * PARTITIONS);
      // Warm-up: the first few thousand requests run before the JIT has compiled the hot paths.
      await commitMany(server, 8, 2000);
      for (const concurrency of [1, 32]) {
        const { perSecond, statuses } = await commitMany(server, concurrency, REQUESTS);
        expect(statuses).toEqual({ 201: REQUESTS });
        rows.push(`${String(server.checkpoints).padStart(7)} checkpoints held | concurrency ${String(concurrency).padStart(2)} | ${perSecond} commits/s`);
      }
      server.child.kill("SIGTERM");
    }
    console.log(`CommitCheckpoint over loopback, ${REQUESTS} signed requests per row (undici):\n${rows.join("\n")}`);
  });
});
