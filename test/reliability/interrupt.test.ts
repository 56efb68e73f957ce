/**
 * Interrupted runs of a 1,000-checkpoint apply. `dis-checkpoints up` is started in its own process group and
 * the whole group (CLI, Pulumi engine, provider) is killed with SIGKILL at five points: while the program
 * reads live positions, after the first commit, a third of the way, two thirds of the way, and after the
 * last commit but before Pulumi saved the result. Each time no partition may hold anything but its old or
 * its newly declared value, and the documented recovery (docs/reliability.md) — `pulumi cancel` to remove the
 * dead run's lock, then `dis-checkpoints up` again — converges. A SIGINT (Ctrl-C) stops gracefully.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec, RequestLogEntry } from "../../src/emulator";
import { PROJECT_ROOT } from "../../src/workspace";
import { STACK, startWorld, streamResources, type World } from "../support/world";

const PARTITIONS = 1000;
const SEED = { streams: [{ name: "orders", partitions: PARTITIONS, records: { perPartition: 20 } }], apps: ["billing"] };
const WAIT_LIMIT_MS = 120_000;
/** The provider checks for its engine twice a second; a loaded machine gets ample slack. */
const ORPHAN_LIMIT_MS = 20_000;

function declaration(value: number): string {
  const lines = Array.from({ length: PARTITIONS }, (_, partition) => `      ${partition}: "${value}"`);
  return `version: 1\napp: billing\nstreams:\n  orders:\n    allowSkip: true\n    partitions:\n${lines.join("\n")}\n`;
}

function live(world: World): Array<string | undefined> {
  return Array.from({ length: PARTITIONS }, (_, partition) =>
    world.emulator.state.showCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: partition, id: String(partition) } })?.sequenceNumber.toString(),
  );
}

function commits(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.operation === "CommitCheckpoint");
}

/** Every partition at `old` or `next`, and every commit sent carried `next`. */
function expectOnlyOldOrNew(world: World, requests: readonly RequestLogEntry[], old: string | undefined, next: string): void {
  const values = new Set(live(world));
  for (const value of values) expect([old, next]).toContain(value);
  expect(new Set(commits(requests).map((entry) => (entry.body as Record<string, string>).sequence_number))).toEqual(new Set(commits(requests).length > 0 ? [next] : []));
}

interface Running {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `dis-checkpoints up` as the leader of its own process group, so that the group can be signalled as a terminal would. */
function startUp(world: World): Running {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), "up", "--stack", STACK], {
    cwd: world.project.dir,
    env: world.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid!, exited };
}

/** Waits (bounded) until the emulator has answered requests satisfying `ready`. */
async function waitFor(world: World, ready: KillPoint["ready"], since: number, next: string): Promise<void> {
  const start = Date.now();
  while (!ready(world.emulator.requests(since), live(world), next)) {
    if (Date.now() - start > WAIT_LIMIT_MS) throw new Error("the run did not reach the kill point in time");
    await sleep(5);
  }
}

/** Processes other than this one working in the project directory: the CLI, the engine, the provider. */
function projectProcesses(world: World): number[] {
  const project = fs.realpathSync(world.project.dir);
  const pids: number[] = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (Number(pid) !== process.pid && fs.readlinkSync(`/proc/${pid}/cwd`) === project) pids.push(Number(pid));
    } catch {
      // Gone already.
    }
  }
  return pids;
}

/**
 * Pulumi starts each provider in a process group of its own, so killing the CLI's group leaves the provider
 * running; it must notice that its engine is gone and stop, or its retries could land after a newer run.
 * Waits (bounded) for every process of the project to end on its own, then kills any left (so that a
 * failure does not spill into the next test) and returns how many were left.
 */
async function leftAfterEngineDied(world: World): Promise<number> {
  const start = Date.now();
  while (projectProcesses(world).length > 0 && Date.now() - start < ORPHAN_LIMIT_MS) await sleep(100);
  const left = projectProcesses(world);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  return left.length;
}

function lastSeq(world: World): number {
  return world.emulator.requests().at(-1)?.seq ?? 0;
}

function lockFiles(world: World): string[] {
  const locks = path.join(world.project.dir, ".pulumi", "state", ".pulumi", "locks");
  if (!fs.existsSync(locks)) return [];
  return fs.readdirSync(locks, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".json"));
}

interface KillPoint {
  name: string;
  /** Decides from the requests answered since the run started, and the partitions' live values. */
  ready: (requests: readonly RequestLogEntry[], values: ReadonlyArray<string | undefined>, next: string) => boolean;
  /** Injected before the run. */
  fault?: FaultSpec;
}

/**
 * 50 ms per commit (about 3 s for the 1,000 at 16 in flight), so that on a loaded machine the kill still lands
 * near its point rather than after the last commit; where it lands exactly varies, and the test prints it.
 */
const SLOW_COMMITS: FaultSpec = { operation: "CommitCheckpoint", kind: "latency", latencyMs: 50 };

const KILL_POINTS: KillPoint[] = [
  { name: "while live positions are read, before any commit", ready: (requests) => requests.some((entry) => entry.operation === "ShowConsumerState" || entry.operation === "DescribeStream") },
  { name: "after the first commit", ready: (requests) => commits(requests).length >= 1, fault: SLOW_COMMITS },
  { name: "after 333 commits", ready: (requests) => commits(requests).length >= 333, fault: SLOW_COMMITS },
  { name: "after 667 commits", ready: (requests) => commits(requests).length >= 667, fault: SLOW_COMMITS },
  {
    name: "after all 1,000 commits were applied, before Pulumi saved the result",
    // The first commit is applied but never answered, so the run is still waiting on it (for the client's
    // 30 s timeout) when every partition already holds its new value: the kill always lands in that window.
    fault: { operation: "CommitCheckpoint", kind: "no-response", when: "after", count: 1 },
    ready: (_, values, next) => values.every((value) => value === next),
  },
];

describe("interrupted up of 1,000 checkpoints", () => {
  let world: World;
  let value = 1;
  let current: string | undefined;

  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: { "billing.yaml": declaration(value) } });
  });
  afterAll(async () => world?.close());

  it.each(KILL_POINTS.map((point, index) => ({ ...point, index })))("SIGKILL $name: only old or new values; cancel + up converges", async ({ ready, fault, index }) => {
    const next = String(value);
    const since = lastSeq(world);
    if (fault) world.emulator.addFault(fault);
    const running = startUp(world);
    await waitFor(world, ready, since, next);
    process.kill(-running.pid, "SIGKILL");
    expect((await running.exited).signal).toBe("SIGKILL");
    expect(await leftAfterEngineDied(world)).toBe(0);
    // Requests already in flight may still land; give them a moment, then take the log.
    await sleep(300);
    world.emulator.clearFaults();
    const killed = world.emulator.requests(since);
    expectOnlyOldOrNew(world, killed, current, next);

    // The dead run's lock stays behind: a new run refuses, changing nothing, and names the way out.
    expect(lockFiles(world)).toHaveLength(1);
    if (index === 0) {
      const before = lastSeq(world);
      const locked = await world.dis("up", "--stack", STACK);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toBe(
        `dis-checkpoints up: stack '${STACK}' is locked by another update; nothing was changed. Wait for it to finish (or, if it died, run \`npm run pulumi -- cancel --stack ${STACK}\`).\n`,
      );
      expect(lastSeq(world)).toBe(before);
    }

    const cancel = await world.pulumi("cancel", "--stack", STACK, "--yes");
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`The currently running update for '${STACK}' has been canceled!`);
    expect(lockFiles(world)).toEqual([]);

    const recovered = await world.dis("up", "--stack", STACK);
    expect(recovered.stderr).toBe("");
    expect(recovered.code).toBe(0);
    if (index > 0) expect(recovered.stdout).toContain("warning: Attempting to deploy or update resources with 1 pending operations from previous deployment.");
    const recovery = world.emulator.requests(killed.at(-1)?.seq ?? since);
    expectOnlyOldOrNew(world, recovery, current, next);
    expect(new Set(live(world))).toEqual(new Set([next]));
    console.log(`kill point ${index}: ${commits(killed).length} commits before the kill, ${commits(recovery).length} in the recovery run`);
    const state = streamResources(await world.exportState()).get("billing/orders");
    expect(new Set(Object.values(state?.outputs.partitions ?? {}))).toEqual(new Set([next]));

    current = next;
    value += 1;
    world.writeDeclaration("billing.yaml", declaration(value));
  });

  it("SIGINT to the process group (Ctrl-C): Pulumi stops gracefully, no lock or pending operation is left, and up finishes", async () => {
    const next = String(value);
    const since = lastSeq(world);
    world.emulator.addFault(SLOW_COMMITS);
    const running = startUp(world);
    await waitFor(world, (requests) => commits(requests).length >= 300, since, next);
    process.kill(-running.pid, "SIGINT");
    const result = await running.exited;
    world.emulator.clearFaults();
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("^C received; cancelling.");
    expect(result.stderr).toContain("Interrupted: Pulumi is stopping; operations in flight finish and the state is saved. Please wait.\n");
    expect(result.stderr).toContain(
      `dis-checkpoints up: interrupted: Pulumi stopped after the operations in flight and saved what was done. Run \`dis-checkpoints up --stack ${STACK}\` again to finish.\n`,
    );
    const requests = world.emulator.requests(since);
    expectOnlyOldOrNew(world, requests, current, next);
    expect(lockFiles(world)).toEqual([]);
    const state = await world.exportState();
    expect((state.deployment as { pending_operations?: unknown[] }).pending_operations ?? []).toEqual([]);

    const again = await world.dis("up", "--stack", STACK);
    expect(again.code).toBe(0);
    expect(new Set(live(world))).toEqual(new Set([next]));
  });
});
