import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SeedError, type ConsumerView, type EmulatorHandle, type SeedDocument } from "../../src/emulator";
import { DIST_EMULATOR, ensureBuilt } from "./support/build";
import { call, manualTime, startTestEmulator } from "./support/harness";

/** Consumers tick on real timers; every wait below is bounded by this. */
const WAIT_MS = 5_000;
const INTERVAL_MS = 20;
const CHILD_EXIT_MS = 20_000;

/** Polls `condition` every few ms; fails (never hangs) after WAIT_MS. */
async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await sleep(5);
  }
}

function consumer(emulator: EmulatorHandle, id = "consumer-1"): ConsumerView {
  const found = emulator.consumers().find((view) => view.id === id);
  if (!found) throw new Error(`no consumer ${id}`);
  return found;
}

/** Resolves once the consumer has run a whole tick that started after this call. A tick runs in one go. */
async function nextTick(emulator: EmulatorHandle, id = "consumer-1"): Promise<ConsumerView> {
  const ticks = consumer(emulator, id).ticks;
  await waitFor(`a tick of ${id}`, () => consumer(emulator, id).ticks > ticks);
  return consumer(emulator, id);
}

const partition = (ordinal: number) => ({ ordinal, id: String(ordinal) });
const stored = (emulator: EmulatorHandle, ordinal: number, app = "billing") =>
  emulator.state.storedCheckpoint({ app, stream: "orders", partition: partition(ordinal) })?.sequenceNumber.toString();

/** Every value partition 0's checkpoint takes, in order, with the consumer's tick count at that moment. */
function recordCommits(emulator: EmulatorHandle): { value: string | undefined; ticks: number }[] {
  const history: { value: string | undefined; ticks: number }[] = [];
  emulator.state.onChange(() => history.push({ value: stored(emulator, 0), ticks: emulator.consumers()[0]?.ticks ?? -1 }));
  return history;
}

const SEED: SeedDocument = {
  streams: [{ name: "orders", partitions: 2, records: { perPartition: [100, 30] } }],
  apps: ["billing"],
  checkpoints: [{ app: "billing", stream: "orders", partition: 0, sequenceNumber: "40" }],
};

const commitBody = (sequenceNumber: string) => ({
  app_name: "billing",
  checkpoint_type: "LAST_READ",
  stream_name: "orders",
  partition_id: "0",
  sequence_number: sequenceNumber,
});

describe("simulated consumers", () => {
  let emulator: EmulatorHandle;
  afterEach(() => emulator.close());

  describe("on a clock the test moves", () => {
    let time: ReturnType<typeof manualTime>;
    const start = async (seed: SeedDocument = SEED) => {
      time = manualTime();
      emulator = await startTestEmulator({ timeSource: time.source, seed });
    };

    it("start from the stored checkpoint (else the first retained record) and commit one interval later", async () => {
      await start();
      const added = emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: INTERVAL_MS });
      expect(added).toEqual({
        id: "consumer-1",
        app: "billing",
        stream: "orders",
        partitions: [0, 1],
        intervalMs: INTERVAL_MS,
        recordsPerSecond: 10,
        mode: "overwrite",
        ticks: 0,
        commits: 0,
        failures: 0,
        positions: { "0": "40", "1": "0" },
        lastCommitted: {},
      });
      expect(stored(emulator, 1)).toBeUndefined();
      const ticked = await nextTick(emulator);
      expect(ticked).toMatchObject({ positions: { "0": "40", "1": "0" }, lastCommitted: { "0": "40", "1": "0" }, failures: 0 });
      expect(ticked.commits).toBe(ticked.ticks * 2);
      expect([stored(emulator, 0), stored(emulator, 1)]).toEqual(["40", "0"]);
      expect(emulator.state.storedCheckpoint({ app: "billing", stream: "orders", partition: partition(1) })?.metadata).toBe("");
    });

    it("advance at recordsPerSecond of emulator-clock time, carry fractions over, and stop at the end of the stream", async () => {
      await start();
      emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: INTERVAL_MS, recordsPerSecond: 10 });
      time.advance(1500);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "55", "1": "15" });
      time.advance(50);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "55", "1": "15" });
      time.advance(50);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "56", "1": "16" });
      // The admin clock moves consumers too: an hour is 36,000 records, capped at each partition's end.
      emulator.setClock({ offsetMs: 3_600_000 });
      const atEnd = await nextTick(emulator);
      expect(atEnd.positions).toEqual({ "0": "100", "1": "30" });
      expect(atEnd.lastCommitted).toEqual({ "0": "100", "1": "30" });
      expect([stored(emulator, 0), stored(emulator, 1)]).toEqual(["100", "30"]);
      // Records not yet written are not owed: new ones are consumed at the rate from now on.
      emulator.state.putRecords("orders", Array.from({ length: 5 }, () => ({ data: "AA==", partition: partition(1) })));
      expect((await nextTick(emulator)).positions).toEqual({ "0": "100", "1": "30" });
      time.advance(200);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "100", "1": "32" });
      expect(emulator.requests()).toEqual([]);
    });

    it("overwrite mode puts its position back over a replay committed through the API, at its very next commit", async () => {
      await start();
      emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS });
      await nextTick(emulator);
      const history = recordCommits(emulator);
      expect((await call(emulator, "POST", "checkpoints", { body: commitBody("20") })).status).toBe(201);
      await nextTick(emulator);
      const replay = history.findIndex((entry) => entry.value === "20");
      expect(replay).toBeGreaterThanOrEqual(0);
      const replayTicks = history[replay]?.ticks as number;
      expect(history.slice(replay + 1)[0]).toEqual({ value: "40", ticks: replayTicks + 1 });
      expect(history.slice(replay + 1).filter((entry) => entry.value !== "40")).toEqual([]);
      const shown = await call(emulator, "GET", "checkpoints", {
        query: { stream_name: "orders", partition_id: "0", app_name: "billing", checkpoint_type: "LAST_READ" },
      });
      expect(shown.json).toEqual({ sequence_number: "40", metadata: "" });
      // Only the test's own two requests are logged: the consumer's commits never go through HTTP.
      expect(emulator.requests().map((entry) => [entry.operation, entry.status])).toEqual([
        ["CommitCheckpoint", 201],
        ["ShowCheckpoint", 200],
      ]);
      expect(emulator.metrics().operations).toEqual({
        CommitCheckpoint: { count: 1, statuses: { "201": 1 } },
        ShowCheckpoint: { count: 1, statuses: { "200": 1 } },
      });
    });

    it("reread mode continues from a value committed by someone else", async () => {
      await start();
      emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS, mode: "reread" });
      expect((await nextTick(emulator)).lastCommitted).toEqual({ "0": "40" });
      expect((await call(emulator, "POST", "checkpoints", { body: commitBody("20") })).status).toBe(201);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "20" });
      expect(stored(emulator, 0)).toBe("20");
      time.advance(1000);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "30" });
      expect(stored(emulator, 0)).toBe("30");
      // A deleted checkpoint is not a new position: the consumer carries on from its own.
      emulator.state.deleteCheckpoint({ app: "billing", stream: "orders", partition: partition(0) });
      time.advance(1000);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "40" });
    });

    it("an overwrite consumer ignores the stored checkpoint after its start", async () => {
      await start();
      emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS, mode: "overwrite" });
      emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: partition(0) }, 90n);
      time.advance(1000);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "50" });
      expect(stored(emulator, 0)).toBe("50");
    });

    it("a position behind retention moves up to the earliest retained record", async () => {
      await start({ ...SEED, checkpoints: [{ app: "billing", stream: "orders", partition: 0, sequenceNumber: "0" }] });
      emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS, recordsPerSecond: 0 });
      // The seeded records are one second apart, the last one second before T0: at T0 + 24 h - 39.5 s, 24 hours
      // of retention keep the last 39 of the 100 (sequence numbers 61 to 99).
      time.advance(24 * 3_600_000 - 39_500);
      expect((await nextTick(emulator)).positions).toEqual({ "0": "61" });
      expect(stored(emulator, 0)).toBe("61");
    });

    it("count failed commits and keep ticking when the app or the stream goes away", async () => {
      await start();
      emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: INTERVAL_MS });
      await nextTick(emulator);
      emulator.state.deleteApp("billing");
      const commits = consumer(emulator).commits;
      const afterAppDeleted = await nextTick(emulator);
      expect(afterAppDeleted.commits).toBe(commits);
      expect(afterAppDeleted.failures).toBeGreaterThanOrEqual(2);
      expect(afterAppDeleted.failures % 2).toBe(0);
      expect(afterAppDeleted.lastError).toBe("DIS.4332 app not found. [billing]");
      emulator.state.deleteStream("orders");
      const afterStreamDeleted = await nextTick(emulator);
      expect(afterStreamDeleted.lastError).toBe("DIS.4301 The stream does not exist. [orders]");
      expect(afterStreamDeleted.failures).toBeGreaterThan(afterAppDeleted.failures);
      // Recreated, the app and stream take the consumer's commits again (its positions fit the new, empty stream).
      emulator.state.createStream({ name: "orders", partitionCount: 2 });
      emulator.state.createApp("billing");
      emulator.state.putRecords("orders", Array.from({ length: 60 }, (_, index) => ({ data: "AA==", partition: partition(index % 2) })));
      await waitFor("commits to resume", () => consumer(emulator).commits > commits);
      expect([stored(emulator, 0), stored(emulator, 1)]).toEqual(["30", "0"]);
    });
  });

  it("move on real time, and an idle consumer (rate 0) keeps committing the same value", async () => {
    emulator = await startTestEmulator({ timeSource: undefined, seed: { ...SEED, streams: [{ name: "orders", partitions: 2, records: { perPartition: 10_000 } }] } });
    const moving = emulator.addConsumer({ app: "billing", stream: "orders", partitions: [1], intervalMs: INTERVAL_MS, recordsPerSecond: 1000 });
    const idle = emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS, recordsPerSecond: 0 });
    const values: (string | undefined)[] = [];
    emulator.state.onChange(() => values.push(stored(emulator, 0)));
    await waitFor("the moving consumer to pass 50 records", () => Number(stored(emulator, 1) ?? 0) >= 50);
    await waitFor("the idle consumer to commit five times", () => consumer(emulator, idle.id).commits >= 5);
    expect(new Set(values)).toEqual(new Set(["40"]));
    expect(consumer(emulator, idle.id).lastCommitted).toEqual({ "0": "40" });
    expect(consumer(emulator, moving.id).failures).toBe(0);
  });

  it("stop on removal, on stopConsumers, on reset and on close", async () => {
    emulator = await startTestEmulator({ seed: SEED });
    let changes = 0;
    emulator.state.onChange(() => (changes += 1));
    const quietFor = async (what: string, settle: () => void) => {
      settle();
      changes = 0;
      await sleep(INTERVAL_MS * 5);
      expect(changes, what).toBe(0);
    };
    const add = () => emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: INTERVAL_MS });

    const removed = add();
    await nextTick(emulator, removed.id);
    expect(emulator.removeConsumer(removed.id)).toBe(true);
    expect(emulator.removeConsumer(removed.id)).toBe(false);
    await quietFor("after removeConsumer", () => undefined);

    add();
    add();
    await quietFor("after stopConsumers", () => emulator.stopConsumers());
    expect(emulator.consumers()).toEqual([]);

    add();
    await quietFor("after reset", () => emulator.reset());
    expect(emulator.consumers()).toEqual([]);

    add();
    await quietFor("after close", () => void emulator.close());
    expect(emulator.consumers()).toEqual([]);
  });

  describe("validation", () => {
    beforeEach(async () => {
      emulator = await startTestEmulator({ seed: SEED });
    });

    it.each([
      [{ app: "nobody", stream: "nope" }, 'app: no app named "nobody"; create it first; stream: no stream named "nope"; create it first'],
      [
        { app: "billing", stream: "orders", partitions: [0, 2, 5] },
        'partitions.1: stream "orders" has partitions 0 to 1, not 2; partitions.2: stream "orders" has partitions 0 to 1, not 5',
      ],
      [{ app: "billing", stream: "orders", partitions: [1, 1] }, "partitions: each partition may be listed once"],
      [{ app: "billing", stream: "orders", partitions: [] }, "partitions: Too small: expected array to have >=1 items"],
      [{ app: "billing", stream: "orders", partitions: [-1] }, "partitions.0: Too small: expected number to be >=0"],
      [{ app: "billing", stream: "orders", intervalMs: 5 }, "intervalMs: Too small: expected number to be >=10"],
      [{ app: "billing", stream: "orders", intervalMs: 4_000_000 }, "intervalMs: Too big: expected number to be <=3600000"],
      [{ app: "billing", stream: "orders", intervalMs: 20.5 }, "intervalMs: Invalid input: expected int, received number"],
      [{ app: "billing", stream: "orders", recordsPerSecond: -1 }, "recordsPerSecond: Too small: expected number to be >=0"],
      [{ app: "billing", stream: "orders", recordsPerSecond: Infinity }, "recordsPerSecond: Invalid input: expected number, received Infinity"],
      [{ app: "billing", stream: "orders", recordsPerSecond: "10" }, "recordsPerSecond: Invalid input: expected number, received string"],
      [{ app: "billing", stream: "orders", mode: "replay" }, 'mode: Invalid option: expected one of "overwrite"|"reread"'],
      [{ app: "billing", stream: "orders", rate: 3 }, 'Unrecognized key: "rate"'],
      [{ stream: "orders" }, "app: Invalid input: expected string, received undefined"],
    ])("%j", (spec, problems) => {
      let thrown: unknown;
      try {
        emulator.addConsumer(spec);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ name: "ConsumerSpecError", message: `invalid consumer: ${problems}` });
      expect(emulator.consumers()).toEqual([]);
    });
  });

  describe("admin routes", () => {
    const admin = (method: string, path: string, body?: unknown) =>
      call(emulator, method, `/_emulator${path}`, { auth: "none", ...(body === undefined ? {} : { body }) });

    it("POST, GET and DELETE /_emulator/consumers[/<id>]", async () => {
      emulator = await startTestEmulator({ seed: SEED });
      const created = await admin("POST", "/consumers", { app: "billing", stream: "orders", partitions: [1], intervalMs: 50, mode: "reread" });
      expect(created.status).toBe(201);
      expect(created.json).toEqual({
        id: "consumer-1",
        app: "billing",
        stream: "orders",
        partitions: [1],
        intervalMs: 50,
        recordsPerSecond: 10,
        mode: "reread",
        ticks: 0,
        commits: 0,
        failures: 0,
        positions: { "1": "0" },
        lastCommitted: {},
      });
      expect((await admin("POST", "/consumers", { app: "billing", stream: "orders" })).json.id).toBe("consumer-2");
      expect((await admin("GET", "/consumers")).json.consumers.map((view: ConsumerView) => [view.id, view.partitions])).toEqual([
        ["consumer-1", [1]],
        ["consumer-2", [0, 1]],
      ]);
      expect((await admin("DELETE", "/consumers/consumer-1")).status).toBe(204);
      expect(await admin("DELETE", "/consumers/consumer-1")).toMatchObject({ status: 404, json: { error: "no consumer with id consumer-1" } });
      expect((await admin("GET", "/consumers")).json.consumers.map((view: ConsumerView) => view.id)).toEqual(["consumer-2"]);
      expect((await admin("DELETE", "/consumers")).status).toBe(204);
      expect((await admin("GET", "/consumers")).json).toEqual({ consumers: [] });
      expect(emulator.requests()).toEqual([]);
    });

    it("answers 400 naming each problem", async () => {
      emulator = await startTestEmulator({ seed: SEED });
      expect(await admin("POST", "/consumers", { app: "billing", stream: "orders", intervalMs: 1 })).toMatchObject({
        status: 400,
        json: { error: "invalid consumer: intervalMs: Too small: expected number to be >=10" },
      });
      expect(await admin("POST", "/consumers", "{")).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^the body must be JSON: /) } });
      expect(emulator.consumers()).toEqual([]);
    });
  });

  describe("seed", () => {
    let directory: string;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), "dis-emulator-consumers-"));
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it("starts the seed's consumers, and reset({ state: true }) restarts them while a plain reset stops them", async () => {
      emulator = await startTestEmulator({ seed: { ...SEED, consumers: [{ app: "billing", stream: "orders", partitions: [0], intervalMs: INTERVAL_MS }] } });
      expect(emulator.consumers().map((view) => [view.id, view.partitions, view.recordsPerSecond, view.mode])).toEqual([
        ["consumer-1", [0], 10, "overwrite"],
      ]);
      await nextTick(emulator);
      emulator.reset();
      expect(emulator.consumers()).toEqual([]);
      emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: partition(0) }, 77n);
      emulator.reset({ state: true });
      expect(emulator.consumers().map((view) => [view.id, view.positions])).toEqual([["consumer-2", { "0": "40" }]]);
    });

    /** The error a start with this seed fails with; an emulator that starts anyway is closed again. */
    const startFailure = (seed: string): Promise<Error | undefined> =>
      startTestEmulator({ seed }).then(
        async (started) => void (await started.close()),
        (error: unknown) => error as Error,
      );

    it("start with the data file's state, and a reset to a seed that lacks their app refuses with 400", async () => {
      const dataFile = join(directory, "state.json");
      emulator = await startTestEmulator({ seed: SEED, dataFile });
      emulator.state.createApp("legacy");
      await emulator.close();
      const seed = { ...SEED, consumers: [{ app: "legacy", stream: "orders", intervalMs: INTERVAL_MS }] };
      emulator = await startTestEmulator({ seed, dataFile });
      expect(emulator.consumers().map((view) => view.app)).toEqual(["legacy"]);
      const reset = await call(emulator, "POST", "/_emulator/reset", { auth: "none", body: { state: true } });
      expect(reset).toMatchObject({
        status: 400,
        json: { error: 'seed: consumers[0].app: no app named "legacy"; create it first' },
      });
      expect(emulator.consumers()).toEqual([]);
    });

    it("locates problems in a seed file's consumers", async () => {
      const file = join(directory, "seed.yaml");
      writeFileSync(
        file,
        [
          "streams: [{ name: orders, partitions: 2 }]",
          "apps: [billing]",
          "consumers:",
          "  - app: billing",
          "    stream: nope",
          "  - app: billing",
          "    stream: orders",
          "    partitions: [0, 7]",
          "",
        ].join("\n"),
      );
      const failed = await startFailure(file);
      expect(failed).toBeInstanceOf(SeedError);
      expect((failed as SeedError).message).toBe(`${file}:5:13: consumers[0].stream: no stream named "nope"; create it first`);

      writeFileSync(file, "streams: [{ name: orders, partitions: 2 }]\napps: [billing]\nconsumers:\n  - { app: billing, stream: orders, intervalMs: 1 }\n");
      expect((await startFailure(file))?.message).toBe(`${file}:4:49: consumers[0].intervalMs: Too small: expected number to be >=10`);

      writeFileSync(file, "streams: [{ name: orders, partitions: 2 }]\napps: [billing]\nconsumers:\n  - app: billing\n    stream: orders\n    partitions: [0, 7]\n");
      expect((await startFailure(file))?.message).toBe(
        `${file}:6:21: consumers[0].partitions[1]: stream "orders" has partitions 0 to 1, not 7`,
      );
      emulator = await startTestEmulator();
    });
  });

  it("a process that starts consumers and closes the emulator exits by itself", () => {
    ensureBuilt();
    const script = `
      const { startEmulator } = require(${JSON.stringify(join(DIST_EMULATOR, "index.js"))});
      (async () => {
        const emulator = await startEmulator({ seed: ${JSON.stringify({ ...SEED, consumers: [{ app: "billing", stream: "orders", intervalMs: INTERVAL_MS }] })} });
        emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: ${INTERVAL_MS}, mode: "reread" });
        await new Promise((resolve) => setTimeout(resolve, ${INTERVAL_MS * 3}));
        const commits = emulator.consumers().map((view) => view.commits);
        await emulator.close();
        process.stdout.write(JSON.stringify(commits.map((count) => count > 0)));
      })();
    `;
    const started = Date.now();
    // Generous for a loaded machine. Anything close() leaves holding the event loop (a timer, the server, a
    // socket) keeps the child alive until it is killed at the limit.
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: CHILD_EXIT_MS });
    expect({ status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stdout: "[true,true]",
      stderr: "",
    });
    expect(Date.now() - started).toBeLessThan(CHILD_EXIT_MS);
  });
});
