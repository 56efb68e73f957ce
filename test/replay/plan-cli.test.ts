/** `plan --max-chars`: the bound's usage errors (exit 2 before anything is read) and its help. */
import { describe, expect, it } from "vitest";
import { runCli, type CommandIo, type Program } from "../../src/cli/command";
import { planCommand } from "../../src/cli/plan";

const PROGRAM: Program = { name: "dis-checkpoints", version: "0", description: "", commands: [planCommand] };

async function plan(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: "/", env: {} };
  const code = await runCli(PROGRAM, ["plan", ...argv], io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("plan --max-chars", () => {
  it.each([
    [["--max-chars", "0"], 'plan: --max-chars must be a positive whole number, not "0"'],
    [["--max-chars", "-5"], 'plan: --max-chars must be a positive whole number, not "-5"'],
    [["--max-chars", "1e5"], 'plan: --max-chars must be a positive whole number, not "1e5"'],
    [["--max-chars", "99999999999999999999"], 'plan: --max-chars must be a positive whole number, not "99999999999999999999"'],
    [["--max-chars", "1000", "--format", "json"], "plan: --max-chars applies to --format markdown only"],
  ])("%j", async (argv, message) => {
    expect(await plan(["--stack", "s", ...argv])).toEqual({ code: 2, stdout: "", stderr: `dis-checkpoints: ${message} (see dis-checkpoints plan --help)\n` });
  });

  it("help names the default bound", async () => {
    const help = await plan(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--max-chars N +Markdown: at most N characters \(default 65,024, a GitHub comment with room for a marker line\)/);
  });
});
