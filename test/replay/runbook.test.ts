/**
 * docs/disaster-recovery.md, sections 1–3, run end to end: two emulators stand for two regions, two stacks
 * (prod, dr) live in one project and reach their region through their own stack config. Every command is the
 * one the runbook gives (with this test's instant and restore point). Steps build on each other, in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../src/emulator";
import { PROJECT_ROOT, requirePulumiCli } from "../../src/workspace";
import { makeTempProject, run, type ProcessResult, type TempProject } from "../support/project";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY, writes } from "../support/world";

const MINUTE = 60_000;
const T0 = Math.floor((Date.now() - 10 * 60 * MINUTE) / MINUTE) * MINUTE;
/** Half a minute after record 1030 of every partition: the first record at or after it is 1031. */
const AT = new Date(T0 + 30 * MINUTE + 30_000 + 8 * 60 * MINUTE).toISOString().replace("Z", "+08:00");
const PROD_PROJECT = "0123456789abcdef0123456789abcdef";
const DR_PROJECT = "fedcba9876543210fedcba9876543210";
/** Both regions hold the same records (a mirrored stream) so that both DR paths apply. */
const ORDERS = { name: "orders", partitions: 2, records: { perPartition: 100, startTime: T0, intervalMs: MINUTE, firstSequenceNumber: "1000" } };

function commits(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      return `${body.app_name}/${body.stream_name}/${body.partition_id}=${body.sequence_number}`;
    })
    .sort();
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
  const dis = async (...args: string[]): Promise<ProcessResult> =>
    run(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), ...args], { cwd: project.dir, env });
  /** A step that must succeed: its exit status 0, or the output to see why not. */
  const ok = async (...args: string[]): Promise<ProcessResult> => {
    const result = await dis(...args);
    expect({ args, code: result.code, stderr: result.code === 0 ? "" : result.stderr }).toEqual({ args, code: 0, stderr: "" });
    return result;
  };
  const read = (file: string) => fs.readFileSync(path.join(project.dir, file), "utf8");

  beforeAll(async () => {
    const identity = { accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY };
    prod = await startEmulator({
      ...identity,
      projectId: PROD_PROJECT,
      seed: {
        streams: [ORDERS],
        apps: ["billing"],
        checkpoints: [
          { app: "billing", stream: "orders", partition: 0, sequenceNumber: "1090" },
          { app: "billing", stream: "orders", partition: 1, sequenceNumber: "1080" },
        ],
      },
    });
    dr = await startEmulator({ ...identity, projectId: DR_PROJECT, seed: { streams: [ORDERS] } });
    project = makeTempProject({
      "Pulumi.yaml": fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"),
      "stacks/Pulumi.prod.yaml": `config:\n  dis-checkpoints:projectId: ${PROD_PROJECT}\n  dis-checkpoints:endpoint: ${prod.url}\n`,
      "stacks/Pulumi.dr.yaml":
        `config:\n  dis-checkpoints:projectId: ${DR_PROJECT}\n  dis-checkpoints:endpoint: ${dr.url}\n` +
        "  dis-checkpoints:checkpointsDir: checkpoints/dr\n  dis-checkpoints:convention: next\n",
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

  it("adopts the app in use: export, then up commits nothing", async () => {
    await ok("export", "--stack", "prod", "--app", "billing", "--out", "checkpoints/prod");
    await ok("validate", "checkpoints/prod");
    take(prod);
    await ok("up", "--stack", "prod");
    expect(writes(take(prod))).toEqual([]);
  });

  let restorePoint = "";
  it("1. rewinds the app to an instant: resolve, validate, plan, up", async () => {
    const resolved = await ok("resolve", "--stack", "prod", "--app", "billing", "--at", AT, "--out", "checkpoints/prod", "--force");
    expect(resolved.stdout).toContain("  partition 0: 1031 (record 1031 written");
    await ok("validate", "checkpoints/prod");
    const plan = await ok("plan", "--stack", "prod");
    expect(plan.stdout).toContain("| 0 | 1090 | 1031 | replay 59 | commit |");
    expect(plan.stdout).toContain("| 1 | 1080 | 1031 | replay 49 | commit |");
    take(prod);
    const up = await ok("up", "--stack", "prod");
    expect(commits(take(prod))).toEqual(["billing/orders/shardId-0000000000=1031", "billing/orders/shardId-0000000001=1031"]);
    restorePoint = /Restore point: (\S+) /.exec(up.stdout)![1]!;
    expect(restorePoint).toMatch(/^\.restore\/prod\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
  });

  it("2. restores after the bad apply: restore --allow-skip, plan, up", async () => {
    await ok("restore", restorePoint, "--allow-skip");
    expect(read("checkpoints/prod/billing.yaml")).toContain("    allowSkip: true\n");
    const plan = await ok("plan", "--stack", "prod");
    expect(plan.stdout).toContain("| 0 | 1031 | 1090 | skip 59 | commit |");
    take(prod);
    await ok("up", "--stack", "prod");
    expect(commits(take(prod))).toEqual(["billing/orders/shardId-0000000000=1090", "billing/orders/shardId-0000000001=1080"]);
  });

  it("3a. brings the consumers up in the DR region from an export of the primary", async () => {
    await ok("export", "--stack", "prod", "--app", "billing", "--out", "checkpoints/dr");
    const plan = await ok("plan", "--stack", "dr");
    expect(plan.stdout).toContain("| 0 | none | 1090 | initial | commit |");
    take(prod);
    await ok("up", "--stack", "dr");
    const requests = take(dr);
    expect(writes(requests).map((entry) => entry.operation).filter((operation) => operation !== "CommitCheckpoint")).toEqual(["CreateApp"]);
    expect(commits(requests)).toEqual(["billing/orders/shardId-0000000000=1090", "billing/orders/shardId-0000000001=1080"]);
    expect(writes(take(prod))).toEqual([]);
  });

  it("3b. brings the consumers up in the DR region from a time", async () => {
    await ok("resolve", "--stack", "dr", "--app", "billing", "--stream", "orders", "--at", AT, "--out", "checkpoints/dr", "--force");
    const plan = await ok("plan", "--stack", "dr");
    expect(plan.stdout).toContain("| 1 | 1080 | 1031 | replay 49 | commit |");
    await ok("up", "--stack", "dr");
    expect(commits(take(dr))).toEqual(["billing/orders/shardId-0000000000=1031", "billing/orders/shardId-0000000001=1031"]);
    expect(writes(take(prod))).toEqual([]);
  });
});
