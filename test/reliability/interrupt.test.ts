/**
 * Interrupted runs of a 1,000-checkpoint apply. A stack has one Checkpoints resource, so every commit of a run
 * happens inside one provider update. `dis-checkpoints up` is started in its own process group and that group
 * (CLI, Pulumi engine) is killed with SIGKILL at five points: while the program reads live positions (before
 * the resource is registered), after the first commit, a third of the way, two thirds of the way, and after
 * the last commit but before Pulumi saved the result. Each point is asserted where it landed: what the killed
 * run committed and what the state then holds (a killed update records nothing). Each time no partition holds
 * anything but its old or its newly declared value, the provider, the language host and the program stop by
 * themselves, and the documented recovery (docs/reliability.md) — `pulumi cancel` to remove the dead run's
 * lock, then `dis-checkpoints up` again — commits exactly the partitions the killed run did not reach. A
 * SIGINT (Ctrl-C) stops gracefully.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec, RequestLogEntry } from "../../src/emulator";
import { CHECKPOINTS_TYPE } from "../../src/program";
import { PROJECT_ROOT } from "../../src/workspace";
import { appliedPartitions, checkpointsResource, STACK, startWorld, type ExportedState, type World } from "../support/world";
import { committedPartition } from "./request-log";

const PARTITIONS = 1000;
const SEED = { streams: [{ name: "orders", partitions: PARTITIONS, records: { perPartition: 20 } }], apps: ["billing"] };
const WAIT_LIMIT_MS = 120_000;
/** The provider checks for its engine twice a second; a loaded machine gets ample slack. */
const ORPHAN_LIMIT_MS = 20_000;
/** Requests the emulator was delaying when the provider died are still answered; they take at most this. */
const IN_FLIGHT_MS = 500;
const PENDING_WARNING = "warning: Attempting to deploy or update resources with 1 pending operations from previous deployment.";
const LOCKED = `dis-checkpoints up: stack '${STACK}' is locked by another update; nothing was changed. Wait for it to finish (or, if it died, run \`npm run pulumi -- cancel --stack ${STACK}\`).\n`;

function declaration(value: number): string {
  const lines = Array.from({ length: PARTITIONS }, (_, partition) => `      ${partition}: "${value}"`);
  return `version: 1\napp: billing\nstreams:\n  orders:\n    allowSkip: true\n    partitions:\n${lines.join("\n")}\n`;
}

function live(world: World): Array<string | undefined> {
  return Array.from({ length: PARTITIONS }, (_, partition) => world.checkpoint("billing", "orders", partition));
}

/** The applied record every partition at `value` (none before the first up). */
function allAt(value: string | undefined): Record<string, Record<string, string>> {
  if (value === undefined) return {};
  return { "billing/orders": Object.fromEntries(Array.from({ length: PARTITIONS }, (_, partition) => [String(partition), value])) };
}

function commitRequests(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.operation === "CommitCheckpoint");
}

/** The partitions committed, in the order the emulator answered them. */
function committedPartitions(requests: readonly RequestLogEntry[]): number[] {
  return commitRequests(requests).map(committedPartition);
}

/** Every partition at `old` or `next`, and every commit sent carried `next`. */
function expectOnlyOldOrNew(world: World, requests: readonly RequestLogEntry[], old: string | undefined, next: string): void {
  for (const value of new Set(live(world))) expect([old, next]).toContain(value);
  for (const entry of commitRequests(requests)) expect((entry.body as Record<string, string>).sequence_number).toBe(next);
}

/** `updating pulumi-nodejs:dynamic/…:Checkpoints`: the operations a dead run left open in the state. */
function pendingOperations(state: ExportedState): string[] {
  return ((state.deployment.pending_operations ?? []) as Array<{ type: string; resource: { type: string } }>).map((operation) => `${operation.type} ${operation.resource.type}`);
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
 * Pulumi starts each plugin in a process group of its own, so killing the CLI's group leaves the provider
 * running; it must notice that its engine is gone and stop, or its retries could land after a newer run. The
 * language host and the program it runs must end too (the wrapper set-up writes sees to it, in
 * src/workspace/tools.ts): the host on its own would wait up to five minutes.
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
  /** How many partitions the killed run set to their new value: at least, at most. */
  landed: [number, number];
  /** The operations the dead run left open in the state. */
  pending: string[];
}

/**
 * 100 ms per commit (about 6 s for the 1,000 at 16 in flight), so that on a loaded machine the kill still lands
 * well before the last commit, even though the provider goes on committing for up to half a second after its
 * engine died (until its watchdog looks).
 */
const SLOW_COMMITS: FaultSpec = { operation: "CommitCheckpoint", kind: "latency", latencyMs: 100 };
const UPDATING = [`updating ${CHECKPOINTS_TYPE}`];

const KILL_POINTS: KillPoint[] = [
  {
    name: "while the program reads live positions, before the resource is registered (first up)",
    ready: (requests) => requests.some((entry) => entry.operation === "ShowConsumerState"),
    landed: [0, 0],
    pending: [],
  },
  { name: "after the first commit", ready: (requests) => commitRequests(requests).length >= 1, fault: SLOW_COMMITS, landed: [1, PARTITIONS - 1], pending: UPDATING },
  { name: "after 333 commits", ready: (requests) => commitRequests(requests).length >= 333, fault: SLOW_COMMITS, landed: [333, PARTITIONS - 1], pending: UPDATING },
  { name: "after 667 commits", ready: (requests) => commitRequests(requests).length >= 667, fault: SLOW_COMMITS, landed: [667, PARTITIONS - 1], pending: UPDATING },
  {
    name: "after all 1,000 commits were applied, before Pulumi saved the result",
    // The first commit is applied but never answered, so the run is still waiting on it (for the client's
    // 30 s timeout) when every partition already holds its new value: the kill always lands in that window.
    fault: { operation: "CommitCheckpoint", kind: "no-response", when: "after", count: 1 },
    ready: (_, values, next) => values.every((value) => value === next),
    landed: [PARTITIONS, PARTITIONS],
    pending: UPDATING,
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

  it.each(KILL_POINTS)("SIGKILL $name: only old or new values; cancel + up commits exactly the rest", async ({ ready, fault, landed, pending }) => {
    const next = String(value);
    const since = lastSeq(world);
    if (fault) world.emulator.addFault(fault);
    const running = startUp(world);
    await waitFor(world, ready, since, next);
    process.kill(-running.pid, "SIGKILL");
    expect((await running.exited).signal).toBe("SIGKILL");
    expect(await leftAfterEngineDied(world)).toBe(0);
    await sleep(IN_FLIGHT_MS);
    world.emulator.clearFaults();
    const killed = world.emulator.requests(since);
    expectOnlyOldOrNew(world, killed, current, next);

    // Where the kill landed: how far the commits got, and that the killed update recorded nothing.
    const reached = live(world).filter((held) => held === next).length;
    expect(reached).toBeGreaterThanOrEqual(landed[0]);
    expect(reached).toBeLessThanOrEqual(landed[1]);
    expect(new Set(committedPartitions(killed)).size).toBe(reached);
    const afterKill = await world.exportState();
    expect(pendingOperations(afterKill)).toEqual(pending);
    expect(appliedPartitions(afterKill)).toEqual(allAt(current));

    // The dead run's lock stays behind: a new run refuses, changing nothing, and names the way out.
    expect(lockFiles(world)).toHaveLength(1);
    const beforeLocked = lastSeq(world);
    const locked = await world.dis("up", "--stack", STACK);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toBe(LOCKED);
    expect(lastSeq(world)).toBe(beforeLocked);

    const cancel = await world.pulumi("cancel", "--stack", STACK, "--yes");
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`The currently running update for '${STACK}' has been canceled!`);
    expect(lockFiles(world)).toEqual([]);

    const recovered = await world.dis("up", "--stack", STACK);
    expect(recovered.stderr).toBe("");
    expect(recovered.code).toBe(0);
    expect(recovered.stdout.includes(PENDING_WARNING)).toBe(pending.length > 0);
    const recovery = world.emulator.requests(killed.at(-1)?.seq ?? since);
    expectOnlyOldOrNew(world, recovery, current, next);
    expect(new Set(live(world))).toEqual(new Set([next]));
    // Every partition committed exactly once, by the killed run or by the recovery.
    expect([...committedPartitions(killed), ...committedPartitions(recovery)].sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, partition) => partition));
    const state = await world.exportState();
    expect(pendingOperations(state)).toEqual([]);
    expect(appliedPartitions(state)).toEqual(allAt(next));
    const outputs = checkpointsResource(state)!.outputs;
    const recommitted = PARTITIONS - reached;
    expect(outputs.lastRun).toEqual({ planned: recommitted, commits: recommitted, appsCreated: 0, deletes: 0, verified: recommitted });
    expect(outputs.failures).toEqual([]);

    current = next;
    value += 1;
    world.writeDeclaration("billing.yaml", declaration(value));
  });

  it("SIGINT to the process group (Ctrl-C): Pulumi lets the one update in flight finish and saves it; no lock or pending operation is left, and the next up commits nothing", async () => {
    const next = String(value);
    const since = lastSeq(world);
    world.emulator.addFault(SLOW_COMMITS);
    const running = startUp(world);
    await waitFor(world, (requests) => commitRequests(requests).length >= 300, since, next);
    process.kill(-running.pid, "SIGINT");
    const result = await running.exited;
    world.emulator.clearFaults();
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("^C received; cancelling.");
    expect(result.stdout).toContain("error: update canceled\n");
    expect(result.stderr).toBe(
      "\nInterrupted: Pulumi is stopping; operations in flight finish and the state is saved. Please wait.\n" +
        `dis-checkpoints up: interrupted: Pulumi stopped after the operations in flight and saved what was done. Run \`dis-checkpoints up --stack ${STACK}\` again to finish.\n`,
    );
    // The operation in flight was the whole run: every partition committed once, and recorded.
    const requests = world.emulator.requests(since);
    expectOnlyOldOrNew(world, requests, current, next);
    expect(committedPartitions(requests).sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, partition) => partition));
    expect(lockFiles(world)).toEqual([]);
    const state = await world.exportState();
    expect(pendingOperations(state)).toEqual([]);
    expect(appliedPartitions(state)).toEqual(allAt(next));

    const again = await world.dis("up", "--stack", STACK);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(commitRequests(world.emulator.requests(requests.at(-1)!.seq))).toEqual([]);
    expect(new Set(live(world))).toEqual(new Set([next]));
  });
});
