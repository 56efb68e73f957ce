/**
 * The plain Pulumi workflow on a fresh clone of this repository (issue 14): `npm run pulumi -- …` on the
 * `local` stack as it is committed, against an emulator seeded with demo/seed.yaml. A declaration that skips
 * forward fails the preview at its file:line:col with zero commits; the replay the demo declares is shown
 * live → declared; `pulumi up --yes` applies it and the restorePoint output lists what it replaced; a second
 * `pulumi up --yes` commits nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator";
import { cloneRepository, freshMachineEnvironment, run, type ProcessResult } from "../support/project";
import { commits, STACK_TRACE, writes } from "../support/world";

describe("npm run pulumi on a fresh clone", () => {
  let clone: string;
  let emulator: EmulatorHandle;
  let env: Record<string, string>;
  const pulumi = (...args: string[]): Promise<ProcessResult> =>
    run(process.execPath, [path.join(clone, "dist", "workspace", "pulumi-main.js"), ...args, "--non-interactive"], { cwd: clone, env });
  const billing = () => path.join(clone, "checkpoints", "local", "billing.yaml");

  beforeAll(async () => {
    clone = cloneRepository();
    emulator = await startEmulator({ seed: path.join(clone, "demo", "seed.yaml") });
    env = { ...freshMachineEnvironment(), DIS_CHECKPOINTS_ENDPOINT: emulator.url };
    expect((await pulumi("stack", "select", "--create", "local")).code).toBe(0);
  });
  afterAll(async () => {
    await emulator?.close();
    if (clone) fs.rmSync(clone, { recursive: true, force: true });
  });

  it("a declaration that skips forward without allowSkip fails the preview at its file:line:col, committing nothing", async () => {
    const declared = fs.readFileSync(billing(), "utf8");
    fs.writeFileSync(billing(), declared.replace('sequenceNumber: "150"', 'sequenceNumber: "199"'));
    const preview = await pulumi("preview", "--stack", "local");
    fs.writeFileSync(billing(), declared);
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toMatch(
      /checkpoints\/local\/billing\.yaml:\d+:\d+: app 'billing', stream 'payments', partition 0: moving the live checkpoint 190 forward to 199 would skip 9 records; set allowSkip: true on stream 'payments' to allow it, or declare 190 or less \[skip-not-allowed\]/,
    );
    expect(preview.stdout + preview.stderr).not.toMatch(STACK_TRACE);
    expect(writes(emulator.requests())).toEqual([]);
  });

  it("the demo's replay is shown live → declared, applied by pulumi up --yes once acknowledged, and up again commits nothing", async () => {
    const preview = await pulumi("preview", "--stack", "local");
    // The demo's billing app already stands at 190/185: a first apply that moves it must be acknowledged.
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toMatch(/ {6}0 {10}190 {3}150 {7}REFUSED \(first-apply\)\n/);
    expect(preview.stdout).toContain("the commit would move the live checkpoint 190 to 150 (replay 40 records) [first-apply]");
    const token = /dis-checkpoints:acknowledgeFirstApply to (fa-[0-9a-f]{10})/.exec(preview.stdout)![1]!;

    const before = emulator.requests().at(-1)?.seq ?? 0;
    const up = await pulumi("up", "--yes", "--stack", "local", "--config", `dis-checkpoints:acknowledgeFirstApply=${token}`);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/ {6}0 {10}190 {3}150 {7}replay 40 records\n/);
    expect(commits(emulator.requests(before)).filter((commit) => commit.startsWith("billing/"))).toEqual(["billing/payments/0=150 reconciliation rerun", "billing/payments/1=142"]);
    const restorePoint = JSON.parse((await pulumi("stack", "output", "restorePoint", "--show-secrets", "--json", "--stack", "local")).stdout);
    expect(restorePoint.streams).toContainEqual({ app: "billing", stream: "payments", previous: { "0": "190", "1": "185" } });

    const again = emulator.requests().at(-1)?.seq ?? 0;
    const second = await pulumi("up", "--yes", "--stack", "local");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(writes(emulator.requests(again))).toEqual([]);
  });
});
