/**
 * The fault matrix through the real `pulumi up`: each DIS failure the client meets in the field, injected on
 * CommitCheckpoint. A run either converges to exactly the declared checkpoints (the retries absorb the fault)
 * or fails with a clear message; either way no partition ever holds a value other than its old or its
 * declared one, which the emulator's request log and state prove, and the next run converges.
 *
 * Commits run one at a time (`concurrency: 1`) so that which request meets a counted fault is fixed, and the
 * request timeout is 1 s so that a response delayed past it is tested in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec, RequestLogEntry } from "../../src/emulator";
import { STACK, startWorld, streamResources, type World } from "../support/world";

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
  return Array.from({ length: PARTITIONS }, (_, partition) =>
    world.emulator.state.showCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: partition, id: String(partition) } })!.sequenceNumber.toString(),
  );
}

/** `partition=sequence status` for each CommitCheckpoint the emulator received, in arrival order. */
function commitLog(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      return `${Number(body.partition_id!.replace("shardId-", ""))}=${body.sequence_number} ${entry.status}`;
    });
}

/** Each partition in `values` holds either its old or its new value, and every commit sent carried a new one. */
function expectOnlyOldOrDeclared(world: World, requests: readonly RequestLogEntry[], old: string[], next: string[]): void {
  live(world).forEach((value, partition) => expect([old[partition], next[partition]]).toContain(value));
  for (const line of commitLog(requests)) {
    const [partition, value] = line.split(" ")[0]!.split("=");
    expect(value).toBe(next[Number(partition)]);
  }
}

interface Case {
  name: string;
  fault: FaultSpec;
  /** The commit log of the run, in order. */
  log: (next: string[]) => string[];
}

const ok = (next: string[]) => next.map((value, partition) => `${partition}=${value} 201`);

/** Faults the retries absorb: the run converges in one go. */
const CONVERGING: Case[] = [
  {
    name: "429 with Retry-After: 1 (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 429, retryAfter: 1, count: 2 },
    log: (next) => [`0=${next[0]} 429`, `0=${next[0]} 429`, ...ok(next)],
  },
  {
    name: "APIGW.0308 throttling (three times)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 429, code: "APIGW.0308", count: 3 },
    log: (next) => [`0=${next[0]} 429`, `0=${next[0]} 429`, `0=${next[0]} 429`, ...ok(next)],
  },
  {
    name: "DIS.4303 flow control (three times)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 400, code: "DIS.4303", count: 3 },
    log: (next) => [`0=${next[0]} 400`, `0=${next[0]} 400`, `0=${next[0]} 400`, ...ok(next)],
  },
  {
    name: "500 DIS.5000 (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 500, count: 2 },
    log: (next) => [`0=${next[0]} 500`, `0=${next[0]} 500`, ...ok(next)],
  },
  {
    name: "503 from a load balancer (twice)",
    fault: { operation: "CommitCheckpoint", kind: "status", status: 503, count: 2 },
    log: (next) => [`0=${next[0]} 503`, `0=${next[0]} 503`, ...ok(next)],
  },
  {
    name: "connection reset before the commit (twice)",
    fault: { operation: "CommitCheckpoint", kind: "reset", count: 2 },
    log: (next) => [`0=${next[0]} RESET`, `0=${next[0]} RESET`, ...ok(next)],
  },
  {
    name: "connection reset after the commit was applied (its answer lost)",
    fault: { operation: "CommitCheckpoint", kind: "reset", when: "after", count: 1 },
    log: (next) => [`0=${next[0]} RESET`, ...ok(next)],
  },
  {
    name: "a response delayed 2.5 s, past the 1 s request timeout (twice)",
    fault: { operation: "CommitCheckpoint", kind: "latency", latencyMs: 2_500, count: 2 },
    log: (next) => [`0=${next[0]} 201`, `0=${next[0]} 201`, ...ok(next)],
  },
];

/** Like {@link commitLog}, with RESET for a connection the emulator destroyed. */
function outcomes(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => commitLog([entry])[0]!.replace(/ \S+$/, ` ${entry.status === undefined || entry.status === 0 ? "RESET" : entry.status}`));
}

describe("fault matrix: pulumi up converges or fails cleanly, never leaving a third value", () => {
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

  it.each(CONVERGING)("$name: converges in one run", async ({ fault, log }) => {
    base += 10;
    const next = declared(base);
    world.writeDeclaration("billing.yaml", declaration(base));
    world.emulator.addFault(fault);
    const result = await world.dis("up", "--stack", STACK);
    const requests = world.takeRequests();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("done: 2 unchanged, 1 updated");
    // Sorted: the log records a request when its answer is sent, so a delayed one lands after its retry.
    expect(outcomes(requests).sort()).toEqual(log(next).sort());
    expectOnlyOldOrDeclared(world, requests, current, next);
    expect(live(world)).toEqual(next);
    expect(world.emulator.faults()).toEqual([]);
    current = next;
  });

  it("a burst of 20 consecutive 500s: the run fails naming the commit and how far it got, and the next run converges", async () => {
    base += 10;
    const next = declared(base);
    world.writeDeclaration("billing.yaml", declaration(base));
    world.emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 500, count: 20 });
    const failed = await world.dis("up", "--stack", STACK);
    const failedRequests = world.takeRequests();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /error: CommitCheckpoint failed: System error\. \(DIS\.5000, HTTP 500, request id [0-9a-f]{32}, after 6 attempts\) \(0 of 4 commits were made before the failure; run again to finish\)/,
    );
    expect(failed.stderr).toContain("dis-checkpoints up: pulumi up failed for stack 'test'");
    // Six attempts for the first partition, then the provider stops: nothing else is tried.
    expect(outcomes(failedRequests)).toEqual(Array(6).fill(`0=${next[0]} 500`));
    expectOnlyOldOrDeclared(world, failedRequests, current, next);
    expect(live(world)).toEqual(current);

    // The outage ends; the rest of the burst never comes.
    world.emulator.clearFaults();
    const rerun = await world.dis("up", "--stack", STACK);
    const requests = world.takeRequests();
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    expect(outcomes(requests)).toEqual(ok(next));
    expectOnlyOldOrDeclared(world, requests, current, next);
    expect(live(world)).toEqual(next);
    expect(streamResources(await world.exportState()).get("billing/orders")?.outputs).toMatchObject({
      partitions: Object.fromEntries(next.map((value, partition) => [String(partition), value])),
      observed: Object.fromEntries(next.map((value, partition) => [String(partition), value])),
    });
  });
});
