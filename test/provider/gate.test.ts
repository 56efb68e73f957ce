/**
 * The gate against a real emulator over HTTP: what it reads (the request log), what it refuses (exact data),
 * how long it waits, and the record it hands the provider.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../src/emulator";
import { clientFromSettings, readSettings, runGate, type GateClock, type LocatedDeclaration, type ProviderSettings, type StreamDeclaration } from "../../src/provider";
import type { DisClient } from "../../src/dis";

function declaration(app: string, stream: string, partitions: Record<string, string>, options: Partial<StreamDeclaration> = {}): LocatedDeclaration {
  const located: LocatedDeclaration = {
    declaration: { app, stream, partitions, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse", partitionRevisions: {}, ...options },
    streamSource: `${app}.yaml:4:3`,
    partitionSources: new Map(Object.keys(partitions).map((key, index) => [Number(key), `${app}.yaml:${6 + index}:7`])),
  };
  return located;
}

/** A clock whose waits are recorded and, by default, really waited (consumers run on real timers). */
function recordingClock(): GateClock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now(),
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
}

const operations = (requests: readonly RequestLogEntry[]) => requests.map((entry) => `${entry.operation} ${entry.status}`);

describe("runGate", () => {
  let emulator: EmulatorHandle;
  let client: DisClient;
  let settings: ProviderSettings;
  beforeEach(async () => {
    emulator = await startEmulator({
      seed: {
        streams: [
          { name: "orders", partitions: 2, records: { perPartition: 1000 } },
          { name: "payments", partitions: 1, records: { perPartition: 1000 } },
        ],
        apps: ["billing", "audit"],
        checkpoints: [
          { app: "billing", stream: "orders", partition: 0, sequenceNumber: "190" },
          { app: "billing", stream: "orders", partition: 1, sequenceNumber: "185" },
        ],
      },
    });
    const config: Record<string, string> = {
      "dis-checkpoints:endpoint": emulator.url,
      "dis-checkpoints:projectId": emulator.projectId,
      "dis-checkpoints:accessKey": emulator.accessKey,
      "dis-checkpoints:secretKey": emulator.secretKey,
      "dis-checkpoints:activityWindow": "300ms",
    };
    settings = readSettings((key) => config[key], {});
    client = clientFromSettings(settings);
  });
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  const applied = (...located: LocatedDeclaration[]) => new Map(located.map(({ declaration: d }) => [`${d.app}/${d.stream}`, d]));

  it("with nothing changed reads only the apps, waits for nothing and records nothing", async () => {
    const billing = declaration("billing", "orders", { "0": "150" });
    const clock = recordingClock();
    const report = await runGate({ declarations: [billing], applied: applied(billing), settings, client, clock });
    expect(operations(emulator.requests())).toEqual(["ListApps 200"]);
    expect(clock.waits).toEqual([]);
    expect(report.plans).toEqual([]);
    expect(report.unchangedStreams).toBe(1);
    expect(report.record).toEqual({ streams: {}, createApps: [] });
  });

  it("reads each changed stream's description once for all apps, and each app's checkpoints twice, a window apart", async () => {
    const previous = [declaration("billing", "orders", { "0": "150", "1": "142" }), declaration("audit", "orders", { "0": "1" })];
    const changed = [declaration("billing", "orders", { "0": "140", "1": "142" }), declaration("audit", "orders", { "0": "2" })];
    const clock = recordingClock();
    const report = await runGate({ declarations: changed, applied: applied(...previous), settings, client, clock });
    expect(report.refusals).toEqual([]);
    // audit never committed on orders: its two reads answer DIS.4375, "no checkpoint".
    expect(operations(emulator.requests()).sort()).toEqual(["DescribeStream 200", "ListApps 200", "ShowConsumerState 200", "ShowConsumerState 200", "ShowConsumerState 400", "ShowConsumerState 400"].sort());
    expect(clock.waits).toHaveLength(1);
    expect(clock.waits[0]).toBeGreaterThan(200);
    expect(clock.waits[0]).toBeLessThanOrEqual(300);
    expect(report.activity.get("billing/orders")).toEqual({ kind: "idle", windowMs: 300 });
    expect(report.record).toEqual({ streams: { "billing/orders": { replace: "0=190" }, "audit/orders": { replace: "0=-" } }, createApps: [] });
  });

  it("refuses a first apply that moves live checkpoints, with a token that acknowledges exactly those moves", async () => {
    const billing = declaration("billing", "orders", { "0": "150", "1": "185" });
    const refused = await runGate({ declarations: [billing], applied: new Map(), settings, client, clock: recordingClock() });
    expect(refused.refusals).toEqual([
      { location: "billing.yaml:6:7", refusal: { app: "billing", stream: "orders", ordinal: 0, declared: "150", code: "first-apply", live: "190", move: { kind: "replay", records: 40n } } },
    ]);
    expect(refused.firstApplyToken).toMatch(/^fa-[0-9a-f]{10}$/);
    expect(refused.record.streams).toEqual({ "billing/orders": { adopt: "1" } });

    const acknowledged = await runGate({ declarations: [billing], applied: new Map(), settings: { ...settings, acknowledgeFirstApply: refused.firstApplyToken! }, client, clock: recordingClock() });
    expect(acknowledged.refusals).toEqual([]);
    expect(acknowledged.firstApplyAcknowledged).toBe(true);
    expect(acknowledged.record.streams).toEqual({ "billing/orders": { replace: "0=190", adopt: "1" } });

    // Consumers that moved since the token was printed need a new acknowledgement.
    emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 0, id: "0" } }, 195n);
    const moved = await runGate({ declarations: [billing], applied: new Map(), settings: { ...settings, acknowledgeFirstApply: refused.firstApplyToken! }, client, clock: recordingClock() });
    expect(moved.refusals.map(({ refusal }) => refusal.code)).toEqual(["first-apply"]);
    expect(moved.firstApplyToken).not.toBe(refused.firstApplyToken);
  });

  it("refuses a stream whose consumers keep committing, naming the partition, both values and the window", async () => {
    emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: 20, recordsPerSecond: 100 });
    const previous = declaration("billing", "orders", { "0": "190", "1": "185" });
    const replay = declaration("billing", "orders", { "0": "150", "1": "185" });
    const report = await runGate({ declarations: [replay], applied: applied(previous), settings, client, clock: recordingClock() });
    expect(report.refusals).toHaveLength(1);
    const { refusal, location } = report.refusals[0]!;
    expect(location).toBe("billing.yaml:6:7");
    expect(refusal).toMatchObject({ app: "billing", stream: "orders", ordinal: 0, declared: "150", code: "consumers-active", windowMs: 300 });
    const moved = refusal as Extract<typeof refusal, { code: "consumers-active" }>;
    expect(BigInt(moved.after!)).toBeGreaterThan(BigInt(moved.before!));
    expect(report.activity.get("billing/orders")).toMatchObject({ kind: "active", windowMs: 300 });
  });

  it("does not see an idle consumer that keeps committing the same value as running (the verification catches it)", async () => {
    emulator.addConsumer({ app: "billing", stream: "orders", intervalMs: 20, recordsPerSecond: 0 });
    const report = await runGate({ declarations: [declaration("billing", "orders", { "0": "150", "1": "185" })], applied: applied(declaration("billing", "orders", { "0": "190", "1": "185" })), settings, client, clock: recordingClock() });
    expect(report.refusals).toEqual([]);
    expect(report.activity.get("billing/orders")).toEqual({ kind: "idle", windowMs: 300 });
  });

  it("lets whileConsumersRun: allow commit while consumers move, replacing what they hold after the window", async () => {
    emulator.addConsumer({ app: "billing", stream: "orders", partitions: [0], intervalMs: 20, recordsPerSecond: 100, mode: "reread" });
    const allow = { whileConsumersRun: "allow" } as const;
    const report = await runGate({ declarations: [declaration("billing", "orders", { "0": "150", "1": "185" }, allow)], applied: applied(declaration("billing", "orders", { "0": "190", "1": "185" }, allow)), settings, client, clock: recordingClock() });
    expect(report.refusals).toEqual([]);
    const activity = report.activity.get("billing/orders");
    expect(activity?.kind).toBe("active");
    const replaced = report.record.streams["billing/orders"]!.replace!;
    expect(BigInt(replaced.replace("0=", ""))).toBeGreaterThan(190n);
  });

  it("skips the wait when something is refused anyway, and lists apps to create", async () => {
    const clock = recordingClock();
    const report = await runGate({
      declarations: [declaration("billing", "orders", { "0": "5000" }), declaration("newcomer", "payments", { "0": "10" })],
      applied: applied(declaration("billing", "orders", { "0": "190" })),
      settings,
      client,
      clock,
    });
    expect(report.refusals.map(({ refusal }) => refusal.code)).toEqual(["out-of-range"]);
    expect(clock.waits).toEqual([]);
    expect(report.missingApps).toEqual(["newcomer"]);
    expect(report.record.createApps).toEqual(["newcomer"]);
  });

  it("commits every declared partition of an app deleted since its last apply, which has no checkpoint left to rewind", async () => {
    const previous = declaration("audit", "payments", { "0": "10" });
    const report = await runGate({ declarations: [previous], applied: applied(previous), settings: { ...settings, activityWindowMs: 0 }, client, clock: recordingClock() });
    expect(report.plans).toEqual([]);
    emulator.state.deleteApp("audit");
    const after = await runGate({ declarations: [previous], applied: applied(previous), settings: { ...settings, activityWindowMs: 0 }, client, clock: recordingClock() });
    expect(after.missingApps).toEqual(["audit"]);
    expect(after.plans[0]!.commits).toEqual([{ ordinal: 0, sequenceNumber: "10", reason: "app-missing", live: null, move: { kind: "initial" } }]);
    expect(after.record).toEqual({ streams: { "audit/payments": { replace: "0=-" } }, createApps: ["audit"] });
  });
});
