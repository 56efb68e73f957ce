/**
 * docs/disaster-recovery.md run end to end: two emulators stand for two regions, two stacks (prod, dr) live in
 * one project and reach their region through their own stack config. Every command is the one the runbook
 * gives (with this test's instant, restore point and first-apply token); the consumers the runbook stops and
 * starts are the emulator's simulated consumers. Steps build on each other, in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../src/emulator";
import { PROJECT_ROOT, requirePulumiCli } from "../../src/workspace";
import { makeTempProject, run, type ProcessResult, type TempProject } from "../support/project";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY, writes } from "../support/world";

const MINUTE = 60_000;
/** Records 1000 … 1999 of every partition, one a minute from T0, the last about 3 h 20 min ago. */
const T0 = Math.floor((Date.now() - 20 * 60 * MINUTE) / MINUTE) * MINUTE;
/** Half a minute after record 1030 of every partition: the first record at or after it is 1031. */
const AT = new Date(T0 + 30 * MINUTE + 30_000 + 8 * 60 * MINUTE).toISOString().replace("Z", "+08:00");
/** What `resolve --at AT` declares with each checkpoint, and DIS stores with the commit. */
const RESOLVED = ` resolve --at ${new Date(T0 + 30 * MINUTE + 30_000).toISOString()}: first record at or after it 1031 written ${new Date(T0 + 31 * MINUTE).toISOString()}, convention next`;
const PROD_PROJECT = "0123456789abcdef0123456789abcdef";
const DR_PROJECT = "fedcba9876543210fedcba9876543210";
/** Both regions hold the same records (a mirrored stream) so that both DR paths apply. */
const ORDERS = { name: "orders", partitions: 2, records: { perPartition: 1000, startTime: T0, intervalMs: MINUTE, firstSequenceNumber: "1000" } };
/** The checks' waits, short for the test (the defaults are 10 s each); the consumers commit every 100 ms. */
const WAITS = "  dis-checkpoints:activityWindow: 1s\n  dis-checkpoints:settleInterval: 1s\n";
/** A consumer that reads: two records a second per partition. */
const READING = { app: "billing", stream: "orders", intervalMs: 100, recordsPerSecond: 2, mode: "overwrite" } as const;
/** A consumer instance that is caught up: it commits the same position every interval, so it looks idle. */
const CAUGHT_UP = { ...READING, recordsPerSecond: 0 };
const ACTIVE =
  "consumers are running and would overwrite the commit; stop its consumers and run again, or set whileConsumersRun: allow on the stream for consumers that re-read their checkpoint";
const MARGIN = /\d+h \d+m \(until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)/g;

function commits(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      return `${body.app_name}/${body.stream_name}/${body.partition_id}=${body.sequence_number}${body.metadata ? ` ${body.metadata}` : ""}`;
    })
    .sort();
}

/** The Markdown table rows of a plan, margins replaced by `<margin>`. */
function tableRows(markdown: string): string[] {
  return markdown
    .replace(MARGIN, "<margin>")
    .split("\n")
    .filter((line) => /^\| \d/.test(line));
}

describe("the disaster-recovery runbook, end to end in two regions", () => {
  let prod: EmulatorHandle;
  let dr: EmulatorHandle;
  let project: TempProject;
  let env: Record<string, string>;
  const seen = new Map<EmulatorHandle, number>();
  const take = (emulator: EmulatorHandle) => {
    const fresh = emulator.requests(seen.get(emulator) ?? 0);
    seen.set(emulator, fresh.at(-1)?.seq ?? seen.get(emulator) ?? 0);
    return fresh;
  };
  const dis = (...args: string[]): Promise<ProcessResult> => run(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), ...args], { cwd: project.dir, env });
  /** A step that ends with `code`: its exit status, or the output to see why not. */
  const step = async (code: number, ...args: string[]): Promise<ProcessResult> => {
    const result = await dis(...args);
    const failure = (text: string) => (result.code === code ? "" : text);
    expect({ args, code: result.code, stdout: failure(result.stdout), stderr: failure(result.stderr) }).toEqual({ args, code, stdout: "", stderr: "" });
    return result;
  };
  const ok = (...args: string[]) => step(0, ...args);
  const read = (file: string) => fs.readFileSync(path.join(project.dir, file), "utf8");
  const checkpoints = (emulator: EmulatorHandle) =>
    [0, 1].map((ordinal) => emulator.state.showCheckpoint({ app: "billing", stream: "orders", partition: { ordinal, id: String(ordinal) } })!.sequenceNumber.toString());

  beforeAll(async () => {
    /** A region: the orders stream, and app billing with a checkpoint on each partition. */
    const region = (projectId: string, positions: readonly string[]) =>
      startEmulator({
        accessKey: TEST_ACCESS_KEY,
        secretKey: TEST_SECRET_KEY,
        projectId,
        seed: {
          streams: [ORDERS],
          apps: ["billing"],
          checkpoints: positions.map((sequenceNumber, partition) => ({ app: "billing", stream: "orders", partition, sequenceNumber })),
        },
      });
    prod = await region(PROD_PROJECT, ["1090", "1080"]);
    // The DR region's app exists, with the positions a DR rehearsal left; the dr stack has never been applied.
    dr = await region(DR_PROJECT, ["1500", "1450"]);
    project = makeTempProject({
      "Pulumi.yaml": fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"),
      "stacks/Pulumi.prod.yaml": `config:\n  dis-checkpoints:projectId: ${PROD_PROJECT}\n  dis-checkpoints:endpoint: ${prod.url}\n${WAITS}`,
      "stacks/Pulumi.dr.yaml":
        `config:\n  dis-checkpoints:projectId: ${DR_PROJECT}\n  dis-checkpoints:endpoint: ${dr.url}\n` +
        `  dis-checkpoints:checkpointsDir: checkpoints/dr\n  dis-checkpoints:convention: next\n${WAITS}`,
    });
    // Each stack reaches its own region through its config: no endpoint override here.
    env = { ...project.env, HUAWEICLOUD_SDK_AK: TEST_ACCESS_KEY, HUAWEICLOUD_SDK_SK: TEST_SECRET_KEY };
    delete env.DIS_CHECKPOINTS_ENDPOINT;
    for (const stack of ["prod", "dr"]) {
      // The runbook's `npm run pulumi -- stack init <stack>`.
      const init = await run(requirePulumiCli().command, ["stack", "init", stack, "--non-interactive"], { cwd: project.dir, env });
      expect(init.code).toBe(0);
    }
  });
  afterAll(async () => {
    await prod?.close();
    await dr?.close();
    project?.cleanup();
  });

  it("adopts the app in use and backs it up: export, validate, up commits nothing; export --all", async () => {
    await ok("export", "--stack", "prod", "--app", "billing", "--out", "checkpoints/prod");
    await ok("validate", "checkpoints/prod");
    take(prod);
    const up = await ok("up", "--stack", "prod");
    expect(up.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(writes(take(prod))).toEqual([]);
    const backup = await ok("export", "--stack", "prod", "--all", "--out", "backup/2026-11-20");
    expect(backup.stdout).toBe("billing / orders: 2 checkpoints\nWrote backup/2026-11-20/billing.yaml\n");
    expect(read("backup/2026-11-20/billing.yaml")).toBe(read("checkpoints/prod/billing.yaml"));
  });

  let reading = "";
  it("1. with the consumers running, resolve and validate; plan and preview see them and refuse (consumers-active)", async () => {
    reading = prod.addConsumer(READING).id;
    const resolved = await ok("resolve", "--stack", "prod", "--app", "billing", "--at", AT, "--out", "checkpoints/prod", "--force");
    expect(resolved.stdout).toContain("  partition 0: 1031 (record 1031 written");
    await ok("validate", "checkpoints/prod");
    const plan = await step(3, "plan", "--stack", "prod");
    const active = /^Consumers \*\*active\*\*: 2 checkpoints of the app moved in 1s \(partition 0: (\d+) → (\d+); partition 1: (\d+) → (\d+)\)\.$/m.exec(plan.stdout);
    expect(active).not.toBeNull();
    const [from0, to0, from1, to1] = active!.slice(1).map(BigInt) as [bigint, bigint, bigint, bigint];
    expect([to0 > from0, to1 > from1]).toEqual([true, true]);
    expect(plan.stdout).toContain(`partition 0: the checkpoint moved from ${from0} to ${to0} within 1s: ${ACTIVE} \\[consumers-active\\]\n`);
    expect(tableRows(plan.stdout)).toEqual([
      `| 0 | ${from0} | 1031 | replay | ${from0 - 1031n} | **REFUSED** | <margin> |`,
      `| 1 | ${from1} | 1031 | replay | ${from1 - 1031n} | **REFUSED** | <margin> |`,
    ]);
    const preview = await step(1, "preview", "--stack", "prod");
    expect(preview.stdout).toMatch(/billing \/ orders: 0 to commit, 2 refused, 0 partitions unchanged; consumers ACTIVE \(2 partitions moved in 1s\)\n/);
    expect(preview.stdout).toContain(`: ${ACTIVE} [consumers-active]`);
    expect(preview.stdout).toContain("Nothing was committed: fix what is listed above and run again.");
    expect(commits(take(prod))).toEqual([]);
  });

  let stopped: string[] = [];
  let caughtUp = "";
  it("1. consumers stopped (one caught-up instance missed): plan and preview see them idle; up commits, and its check after the settle interval fails the run", async () => {
    prod.removeConsumer(reading);
    stopped = checkpoints(prod);
    // A caught-up instance commits the position it holds, unchanged: it looks exactly like a stopped one.
    caughtUp = prod.addConsumer(CAUGHT_UP).id;
    const plan = await ok("plan", "--stack", "prod");
    expect(plan.stdout).toContain("\n\nConsumers idle: no checkpoint of the app moved in 1s.\n\n");
    expect(tableRows(plan.stdout)).toEqual(stopped.map((live, ordinal) => `| ${ordinal} | ${live} | 1031 | replay | ${BigInt(live) - 1031n} | commit | <margin> |`));
    const preview = await ok("preview", "--stack", "prod");
    expect(preview.stdout).toContain("billing / orders: 2 to commit, 0 refused, 0 partitions unchanged; consumers idle (no checkpoint moved in 1s)\n");
    take(prod);
    const up = await step(1, "up", "--stack", "prod");
    expect(commits(take(prod))).toEqual([`billing/orders/shardId-0000000000=1031${RESOLVED}`, `billing/orders/shardId-0000000001=1031${RESOLVED}`]);
    expect(up.stdout).toContain("The run made 2 of 2 planned commits, and 0 held.");
    for (const [ordinal, live] of stopped.entries()) {
      expect(up.stdout).toContain(
        `app 'billing', stream 'orders': consumers overwrote the commit on partition ${ordinal}: committed 1031, now ${live}; the replay did not happen. ` +
          "It is not recorded as applied: stop the consumers and run up again",
      );
    }
    expect(up.stdout).not.toContain("Restore point:");
    expect(checkpoints(prod)).toEqual(stopped);
  });

  let restorePoint = "";
  it("1. every consumer stopped: the next up commits exactly what did not hold, and prints the restore point", async () => {
    prod.removeConsumer(caughtUp);
    const up = await ok("up", "--stack", "prod");
    expect(commits(take(prod))).toEqual([`billing/orders/shardId-0000000000=1031${RESOLVED}`, `billing/orders/shardId-0000000001=1031${RESOLVED}`]);
    expect(up.stdout).toContain("up of stack 'prod' done: 2 checkpoints committed (2 held)\n");
    const printed = /^Restore point: (\S+) \(undo with: dis-checkpoints restore (\S+) --stack prod\)$/m.exec(up.stdout);
    expect(printed).not.toBeNull();
    restorePoint = printed![1]!;
    expect(printed![2]).toBe(restorePoint);
    expect(restorePoint).toMatch(/^\.restore\/prod\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    expect(JSON.parse(read(`${restorePoint}/restore-point.json`)).streams).toEqual([{ app: "billing", stream: "orders", previous: { "0": stopped[0], "1": stopped[1] } }]);
  });

  it("1. verify: plan finds every partition already live; started again, the consumers resume from there", async () => {
    const plan = await ok("plan", "--stack", "prod");
    expect(plan.stdout).toContain("**2 declared partitions on 1 stream: 0 to commit, 0 refused, 2 unchanged;");
    expect(plan.stdout).toContain("\n- billing / orders: 2 partitions unchanged (already live)\n");
    expect(checkpoints(prod)).toEqual(["1031", "1031"]);
    reading = prod.addConsumer(READING).id;
    expect(prod.consumers().find((consumer) => consumer.id === reading)?.positions).toEqual({ "0": "1031", "1": "1031" });
    await vi.waitFor(() => expect(checkpoints(prod).map((live) => BigInt(live) > 1031n)).toEqual([true, true]), { timeout: 5_000 });
  });

  let restoreMetadata = "";
  it("2. restores after the bad apply: consumers stopped, restore (from the directory, or from the stack) --allow-skip, plan, up", async () => {
    prod.removeConsumer(reading);
    const resumed = checkpoints(prod);
    const before = read("checkpoints/prod/billing.yaml");
    const restored = await ok("restore", restorePoint, "--allow-skip");
    const createdAt = JSON.parse(read(`${restorePoint}/restore-point.json`)).createdAt as string;
    expect(restored.stdout).toBe(`Restored ${createdAt} of stack prod in checkpoints/prod/billing.yaml\n`);
    const rewritten = read("checkpoints/prod/billing.yaml");
    expect(rewritten).toContain("    allowSkip: true\n");
    expect(rewritten).toContain(`        sequenceNumber: "${stopped[0]}"\n        metadata: "restore point of stack prod at ${createdAt}"\n`);
    // A runner without this checkout's .restore/ gets the same change from the stack's output.
    fs.writeFileSync(path.join(project.dir, "checkpoints/prod/billing.yaml"), before);
    fs.rmSync(path.join(project.dir, ".restore"), { recursive: true });
    expect((await ok("restore", "--stack", "prod", "--allow-skip")).stdout).toBe(restored.stdout);
    expect(read("checkpoints/prod/billing.yaml")).toBe(rewritten);

    const plan = await ok("plan", "--stack", "prod");
    expect(plan.stdout).toContain("\n\nConsumers idle: no checkpoint of the app moved in 1s.\n\n");
    expect(tableRows(plan.stdout)).toEqual(
      resumed.map((live, ordinal) => `| ${ordinal} | ${live} | ${stopped[ordinal]} | skip | ${BigInt(stopped[ordinal]!) - BigInt(live)} | commit | <margin> |`),
    );
    take(prod);
    await ok("up", "--stack", "prod");
    restoreMetadata = ` restore point of stack prod at ${createdAt}`;
    expect(commits(take(prod))).toEqual([`billing/orders/shardId-0000000000=${stopped[0]}${restoreMetadata}`, `billing/orders/shardId-0000000001=${stopped[1]}${restoreMetadata}`]);
  });

  let token = "";
  it("3a. the DR region from an export: its first apply moves live checkpoints, refused until acknowledged with the printed token", async () => {
    await ok("export", "--stack", "prod", "--app", "billing", "--out", "checkpoints/dr");
    const plan = await step(3, "plan", "--stack", "dr");
    const note = /^> \*\*First apply\.\*\* The state of stack `dr` holds no earlier declaration .*`dis-checkpoints up --stack dr --acknowledge-first-apply (fa-[0-9a-f]{10})`/m.exec(plan.stdout);
    expect(note).not.toBeNull();
    token = note![1]!;
    expect(tableRows(plan.stdout)).toEqual([
      `| 0 | 1500 | ${stopped[0]} | replay | ${1500n - BigInt(stopped[0]!)} | **REFUSED** | <margin> |`,
      `| 1 | 1450 | ${stopped[1]} | replay | ${1450n - BigInt(stopped[1]!)} | **REFUSED** | <margin> |`,
    ]);
    expect(plan.stdout).toContain(
      `partition 0: the state holds no earlier declaration of this stream, and the commit would move the live checkpoint 1500 to ${stopped[0]} (replay ${1500n - BigInt(stopped[0]!)} records) \\[first-apply\\]\n`,
    );
    const preview = await step(1, "preview", "--stack", "dr");
    expect(preview.stdout).toContain(`acknowledge exactly them: \`dis-checkpoints up --stack dr --acknowledge-first-apply ${token}\``);
    const acknowledged = await ok("plan", "--stack", "dr", "--acknowledge-first-apply", token);
    expect(acknowledged.stdout).toContain(`\n\nFirst apply acknowledged (\`${token}\`): the moves refused as \`first-apply\` without it are planned as commits.\n\n`);
    expect(acknowledged.stdout).toContain("\n\nConsumers idle: no checkpoint of the app moved in 1s.\n\n");
    take(prod);
    take(dr);
    const up = await ok("up", "--stack", "dr", "--acknowledge-first-apply", token);
    expect(up.stdout).toContain(`First apply acknowledged (${token}): the moves of the streams marked "first apply" are committed.`);
    const requests = take(dr);
    expect(writes(requests).map((entry) => entry.operation)).toEqual(["CommitCheckpoint", "CommitCheckpoint"]);
    // The export carries the metadata stored in the primary: the restore's.
    expect(commits(requests)).toEqual([`billing/orders/shardId-0000000000=${stopped[0]}${restoreMetadata}`, `billing/orders/shardId-0000000001=${stopped[1]}${restoreMetadata}`]);
    expect(writes(take(prod))).toEqual([]);
  });

  it("3b. the DR region from a time: resolve, plan, up (the stack has been applied: no acknowledgement)", async () => {
    await ok("resolve", "--stack", "dr", "--app", "billing", "--stream", "orders", "--at", AT, "--out", "checkpoints/dr", "--force");
    const plan = await ok("plan", "--stack", "dr");
    expect(tableRows(plan.stdout)).toEqual(stopped.map((live, ordinal) => `| ${ordinal} | ${live} | 1031 | replay | ${BigInt(live) - 1031n} | commit | <margin> |`));
    await ok("up", "--stack", "dr");
    expect(commits(take(dr))).toEqual([`billing/orders/shardId-0000000000=1031${RESOLVED}`, `billing/orders/shardId-0000000001=1031${RESOLVED}`]);
    expect(writes(take(prod))).toEqual([]);
  });
});
