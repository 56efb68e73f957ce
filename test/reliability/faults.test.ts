/**
 * The fault matrix through the real `dis-checkpoints up`: each DIS failure the client meets in the field,
 * injected on CommitCheckpoint. A run either converges to exactly the declared checkpoints (the retries
 * absorb the fault) or fails naming every partition that did not settle; either way no partition ever
 * holds a value other than its old or its declared one, which the emulator's request log and state prove,
 * and the next run commits exactly what is left.
 *
 * Commits run one at a time (`concurrency: 1`) so that which request meets a counted fault, and the order
 * of the request log, are fixed; the request timeout is 1 s so that a response delayed past it is tested in
 * seconds. A commit whose outcome is unknown (a 5xx, a reset, a timeout) is retried only after re-reading
 * the partition (ShowConsumerState), which the logs below show between the attempts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec, RequestLogEntry } from "../../src/emulator";
import { appliedPartitions, checkpointsResource, STACK, STACK_TRACE, startWorld, type World } from "../support/world";
import { committedPartition, GATE_READS, requestLog } from "./request-log";

const PARTITIONS = 4;
const SEED = { streams: [{ name: "orders", partitions: PARTITIONS, records: { perPartition: 1000 } }], apps: ["billing"] };

/** Every step declares `base + partition` on each partition, so each step commits all four anew. */
function declaration(base: number): string {
  const lines = Array.from({ length: PARTITIONS }, (_, partition) => `      ${partition}: "${base + partition}"`);
  return `version: 1\napp: billing\nstreams:\n  orders:\n    allowSkip: true\n    partitions:\n${lines.join("\n")}\n`;
}

function declared(base: number): string[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => String(base + partition));
}

function live(world: World): string[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => world.checkpoint("billing", "orders", partition)!);
}

/** `{"0": "110", …}`: values by partition, as the applied record is compared. */
function byPartition(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((value, partition) => [String(partition), value]));
}

/** Each partition holds either its old or its new value, and every commit sent carried its new one. */
function expectOnlyOldOrDeclared(world: World, requests: readonly RequestLogEntry[], old: string[], next: string[]): void {
  live(world).forEach((value, partition) => expect([old[partition], next[partition]]).toContain(value));
  for (const entry of requests.filter((request) => request.operation === "CommitCheckpoint")) {
    expect((entry.body as Record<string, string>).sequence_number).toBe(next[committedPartition(entry)]);
  }
}

/** The read after the settle interval that checks the commits held. */
const VERIFY = "ShowConsumerState 200";
/** The re-read before a commit whose outcome is unknown is tried again. */
const REREAD = "ShowConsumerState 200";

const commit = (next: readonly string[], partition: number, status: string) => `CommitCheckpoint ${partition}=${next[partition]} ${status}`;
const committed = (next: readonly string[], partitions: readonly number[]) => partitions.map((partition) => commit(next, partition, "201"));

interface Case {
  name: string;
  fault: FaultSpec;
  /** The provider's requests of the run, in order, between the gate and the verification. */
  log: (next: string[]) => string[];
  /** Requests still answered after the run ended (answers delayed past the client's timeout). */
  late?: (next: string[]) => string[];
}

/** Faults the client absorbs: the run converges in one go. */
const CONVERGING: Case[] = [
  {
    // Throttling says the commit was not applied: retried at once after the server's delay, no re-read.
    name: "429 with Retry-After: 1 (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 429, retryAfter: 1, count: 2 },
    log: (next) => [commit(next, 0, "429"), commit(next, 0, "429"), ...committed(next, [0, 1, 2, 3])],
  },
  {
    name: "APIGW.0308 throttling (three times)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 429, code: "APIGW.0308", count: 3 },
    log: (next) => [commit(next, 0, "429"), commit(next, 0, "429"), commit(next, 0, "429"), ...committed(next, [0, 1, 2, 3])],
  },
  {
    name: "DIS.4303 flow control (three times)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4303", count: 3 },
    log: (next) => [commit(next, 0, "400"), commit(next, 0, "400"), commit(next, 0, "400"), ...committed(next, [0, 1, 2, 3])],
  },
  {
    // A server error may come after the commit was applied: the partition is read before each retry.
    name: "500 DIS.5000 (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 500, count: 2 },
    log: (next) => [commit(next, 0, "500"), REREAD, commit(next, 0, "500"), REREAD, ...committed(next, [0, 1, 2, 3])],
  },
  {
    name: "503 from a load balancer (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 503, count: 2 },
    log: (next) => [commit(next, 0, "503"), REREAD, commit(next, 0, "503"), REREAD, ...committed(next, [0, 1, 2, 3])],
  },
  {
    name: "connection reset before the commit was handled (twice)",
    fault: { operation: "CommitCheckpoint", kind: "reset", count: 2 },
    log: (next) => [commit(next, 0, "RESET"), REREAD, commit(next, 0, "RESET"), REREAD, ...committed(next, [0, 1, 2, 3])],
  },
  {
    // The re-read finds the declared value: the commit counts as made and is not sent again.
    name: "connection reset after the commit was applied (its answer lost)",
    fault: { operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 },
    log: (next) => [commit(next, 0, "RESET"), REREAD, ...committed(next, [1, 2, 3])],
  },
  {
    // Each attempt times out after 1 s and the re-read still finds the old value (the emulator handles a
    // delayed commit only when its delay ends); the third attempt gets through. The two timed-out ones land
    // 4 s after they were sent, after the run, with the same value.
    name: "a response delayed 4 s, past the 1 s request timeout (twice)",
    fault: { operation: "CommitCheckpoint", kind: "latency", latencyMs: 4_000, count: 2 },
    log: (next) => [REREAD, REREAD, ...committed(next, [0, 1, 2, 3])],
    late: (next) => committed(next, [0, 0]),
  },
];

/** Waits (bounded) until the emulator has answered `count` requests since the last take. */
async function settledRequests(world: World, since: number, count: number): Promise<RequestLogEntry[]> {
  const start = Date.now();
  while (world.emulator.requests(since).length < count) {
    if (Date.now() - start > 30_000) throw new Error(`the emulator answered ${world.emulator.requests(since).length} of ${count} requests`);
    await sleep(50);
  }
  return world.emulator.requests(since);
}

describe("fault matrix: dis-checkpoints up converges or fails naming what did not settle, never leaving a third value", () => {
  let world: World;
  let base = 100;
  let current: string[] = [];

  beforeAll(async () => {
    world = await startWorld({
      seed: SEED,
      declarations: { "billing.yaml": declaration(base) },
      config: ["dis-checkpoints:concurrency: 1", "dis-checkpoints:requestTimeoutMs: 1000"],
    });
    const first = await world.dis("up", "--stack", STACK);
    expect(first.code).toBe(0);
    current = declared(base);
    expect(live(world)).toEqual(current);
    world.takeRequests();
  });
  afterAll(async () => world?.close());

  it.each(CONVERGING)("$name: converges in one run", async ({ fault, log, late }) => {
    base += 10;
    const next = declared(base);
    world.writeDeclaration("billing.yaml", declaration(base));
    const since = world.emulator.requests().at(-1)?.seq ?? 0;
    world.emulator.addFault(fault);
    const result = await world.dis("up", "--stack", STACK);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`up of stack '${STACK}' done: 4 checkpoints committed (4 held)\n`);
    const expected = [...GATE_READS, ...log(next), VERIFY, ...(late?.(next) ?? [])];
    const requests = await settledRequests(world, since, expected.length);
    world.takeRequests();
    expect(requestLog(requests)).toEqual(expected);
    expectOnlyOldOrDeclared(world, requests, current, next);
    expect(live(world)).toEqual(next);
    expect(world.emulator.faults()).toEqual([]);
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "billing/orders": byPartition(next) });
    const outputs = checkpointsResource(state)!.outputs;
    expect(outputs.failures).toEqual([]);
    expect(outputs.lastRun).toEqual({ planned: 4, commits: 4, appsCreated: 0, deletes: 0, verified: 4 });
    current = next;
  });

  it("a burst of 500s after the first commit: the run records partition 0, fails naming partition 1, and the re-run commits exactly 1, 2 and 3", async () => {
    base += 10;
    const next = declared(base);
    world.writeDeclaration("billing.yaml", declaration(base));
    // Partition 0's commit gets through; every later commit meets a 500 until the outage ends.
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 500, skip: 1, count: 20 });
    const failed = await world.dis("up", "--stack", STACK);
    const failedRequests = world.takeRequests();
    world.emulator.clearFaults();

    // Three attempts on partition 1, each after re-reading it; then no further commit starts.
    expect(requestLog(failedRequests)).toEqual([
      ...GATE_READS,
      ...committed(next, [0]),
      commit(next, 1, "500"),
      REREAD,
      commit(next, 1, "500"),
      REREAD,
      commit(next, 1, "500"),
      VERIFY,
    ]);
    const lastAttempt = failedRequests.filter((entry) => entry.operation === "CommitCheckpoint").at(-1)!;
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      "error: The run made 1 of 4 planned commits, and 1 held. The partitions below are not recorded as applied, so the next up commits them " +
        "(and only them) again:\n" +
        `      app 'billing', stream 'orders': the commit of ${next[1]} to partition 1 failed: CommitCheckpoint failed: System error. ` +
        `(DIS.5000, HTTP 500, request id ${lastAttempt.requestId}). It is not recorded as applied; run up again to commit it\n` +
        "      app 'billing', stream 'orders': the commits to 2 partitions 2, 3 were not attempted after the failure above. They are not recorded as applied; run up again to commit them\n",
    );
    // The CLI's own line; the Pulumi errors it repeats after it are asserted in stdout above.
    expect(failed.stderr).toBe(`dis-checkpoints up: pulumi up failed for stack '${STACK}' (see the messages above)\n`);
    expect(failed.stdout + failed.stderr).not.toMatch(STACK_TRACE);
    expectOnlyOldOrDeclared(world, failedRequests, current, next);
    expect(live(world)).toEqual([next[0]!, current[1]!, current[2]!, current[3]!]);

    // The state holds exactly what held: partition 0 at its new value, the others at their old one.
    const state = await world.exportState();
    expect(appliedPartitions(state)).toEqual({ "billing/orders": byPartition([next[0]!, current[1]!, current[2]!, current[3]!]) });
    const outputs = checkpointsResource(state)!.outputs;
    expect(outputs.lastRun).toEqual({ planned: 4, commits: 1, appsCreated: 0, deletes: 0, verified: 1 });
    expect(outputs.failures).toEqual([
      {
        code: "commit-failed",
        app: "billing",
        stream: "orders",
        partition: 1,
        committed: next[1],
        replaced: current[1],
        error: `CommitCheckpoint failed: System error. (DIS.5000, HTTP 500, request id ${lastAttempt.requestId})`,
      },
      { code: "not-attempted", app: "billing", stream: "orders", partitions: "2 3" },
    ]);

    // The outage is over: the re-run commits partitions 1, 2 and 3 once each, and partition 0 not again.
    const rerun = await world.dis("up", "--stack", STACK);
    const requests = world.takeRequests();
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`up of stack '${STACK}' done: 3 checkpoints committed (3 held)\n`);
    expect(requestLog(requests)).toEqual([...GATE_READS, ...committed(next, [1, 2, 3]), VERIFY]);
    expectOnlyOldOrDeclared(world, requests, current, next);
    expect(live(world)).toEqual(next);
    const settled = await world.exportState();
    expect(appliedPartitions(settled)).toEqual({ "billing/orders": byPartition(next) });
    expect(checkpointsResource(settled)!.outputs.failures).toEqual([]);
  });
});
