/** The replay commands in process: usage errors (exit 2) and failures reported in one line (exit 1), through the dispatcher. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli, type CommandIo, type Program } from "../../src/cli/command";
import { exportCommand } from "../../src/cli/export";
import { planCommand } from "../../src/cli/plan";
import { resolveCommand } from "../../src/cli/resolve";
import { restoreCommand } from "../../src/cli/restore";
import { startEmulator, type EmulatorHandle } from "../../src/emulator";

const PROGRAM: Program = { name: "dis-checkpoints", version: "0", description: "", commands: [exportCommand, resolveCommand, planCommand, restoreCommand] };

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: "/", env };
  const code = await runCli(PROGRAM, argv, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("usage errors exit 2 before anything is read", () => {
  const hint = (command: string) => ` (see dis-checkpoints ${command} --help)\n`;
  it.each([
    [["export", "--app", "a"], "export: give --stack NAME, or --endpoint URL (or --region R) with --project-id ID"],
    [["export", "--all", "--app", "a", "--stack", "s"], "export: give --app or --all, not both"],
    [["export", "--stack", "s"], "export: name the apps to export with --app (repeatable), or --all"],
    [["export", "--app", "a", "--endpoint", "http://127.0.0.1:1"], "export: --project-id is required with --endpoint or --region"],
    [["export", "--app", "a", "--stack", "s", "--endpoint", "http://127.0.0.1:1"], "export: give either --stack, or --endpoint/--region with --project-id, not both"],
    [["export", "--app", "a", "--stack", "s", "extra"], 'export: unexpected argument "extra"'],
    [["resolve", "--app", "a", "--stack", "s"], "resolve: --at is required"],
    [["resolve", "--at", "6h", "--stack", "s"], "resolve: name the apps with --app (repeatable)"],
    [["plan", "--stack", "s", "--format", "xml"], 'plan: --format must be markdown or json, not "xml"'],
    [["plan", "--endpoint", "http://127.0.0.1:1", "--project-id", "p"], "plan: --checkpoints DIR is required without --stack"],
    [["restore"], "restore: give the restore point's directory, or --stack NAME to restore the stack's last one (its restorePoint output)"],
    [["restore", "--checkpoints", "c"], "restore: give the restore point's directory, or --stack NAME to restore the stack's last one (its restorePoint output)"],
    [["restore", "a", "b"], 'restore: unexpected argument "b"'],
    [["restore", "a", "--out", "o", "--stack", "s"], "restore: --out writes separate files; it takes no --checkpoints, and --stack only without DIR"],
    [["restore", "--stack", "s", "--out", "o", "--checkpoints", "c"], "restore: --out writes separate files; it takes no --checkpoints, and --stack only without DIR"],
    [["plan", "--stack", "s", "--acknowledge-first-apply"], "plan: --acknowledge-first-apply needs a value (TOKEN)"],
  ])("%j", async (argv, message) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: "", stderr: `dis-checkpoints: ${message}${hint(argv[0]!)}` });
  });
});

describe("failures exit 1 with one line", () => {
  let emulator: EmulatorHandle;
  let direct: string[];
  beforeAll(async () => {
    emulator = await startEmulator({ seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 5 } }], apps: ["billing"] } });
    direct = ["--endpoint", emulator.url, "--project-id", emulator.projectId];
  });
  afterAll(async () => emulator?.close());
  afterEach(() => {
    vi.unstubAllEnvs();
    emulator.clearFaults();
  });
  // The DIS client reads credentials from the process environment, as the spawned command does.
  const credentials = (accessKey: string, secretKey: string) => {
    vi.stubEnv("HUAWEICLOUD_SDK_AK", accessKey);
    vi.stubEnv("HUAWEICLOUD_SDK_SK", secretKey);
  };

  it("an unknown app", async () => {
    credentials(emulator.accessKey, emulator.secretKey);
    expect(await cli(["export", "--app", "nobody", ...direct])).toEqual({
      code: 1,
      stdout: "",
      stderr: `dis-checkpoints export: app 'nobody' does not exist in project ${emulator.projectId}: check the name (dis-checkpoints export --all exports every app)\n`,
    });
  });

  it("a DIS error while partitions are read in parallel is reported as itself", async () => {
    credentials(emulator.accessKey, emulator.secretKey);
    emulator.addFault({ operation: "GetCursor", kind: "status", status: 400, code: "DIS.4302", message: "The partition does not exist." });
    const result = await cli(["resolve", "--at", "1m", "--app", "billing", "--stream", "orders", ...direct]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    // Not an internal error: the parallel read's first failure is the DIS error itself.
    expect(result.stderr).toMatch(/^dis-checkpoints resolve: GetCursor failed: partition [01] does not exist in stream 'orders' \(DIS\.4302, HTTP 400, request id [0-9a-f]{32}\)\n$/);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("missing credentials", async () => {
    credentials("", "");
    vi.stubEnv("HUAWEICLOUD_SDK_AUTH_TOKEN", "");
    vi.stubEnv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "");
    expect(await cli(["export", "--app", "billing", ...direct])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "dis-checkpoints export: no DIS credentials found: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (plus HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary credentials), or HUAWEICLOUD_SDK_AUTH_TOKEN for an IAM token, or configure accessKey and secretKey explicitly\n",
    });
  });
});
