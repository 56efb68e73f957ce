/** The CLI's shared argument parser and dispatcher (src/cli/args.ts, src/cli/command.ts), in process. */
import { describe, expect, it } from "vitest";
import { formatOptionsHelp, parseArgs, UsageError, type OptionSpec } from "../../src/cli/args";
import { runCli, type Command, type CommandIo, type Program } from "../../src/cli/command";

const SPEC = {
  at: { type: "string", valueName: "TIME", description: "The instant" },
  stream: { type: "strings", short: "s", valueName: "NAME", description: "A stream" },
  json: { type: "boolean", description: "Print JSON" },
} satisfies OptionSpec;

describe("parseArgs", () => {
  it.each([
    [[], {}, []],
    [["a", "b"], {}, ["a", "b"]],
    [["--at", "10:00", "x"], { at: "10:00" }, ["x"]],
    [["--at=10:00=local"], { at: "10:00=local" }, []],
    [["-s", "orders", "--stream=clicks"], { stream: ["orders", "clicks"] }, []],
    [["--json", "-", "--", "--at", "-s"], { json: true }, ["-", "--at", "-s"]],
  ])("%j", (argv, options, positionals) => {
    expect(parseArgs(argv, SPEC)).toEqual({ options, positionals });
  });

  it.each([
    [["--colour"], "unknown option --colour"],
    [["--colour=red"], "unknown option --colour"],
    [["-x"], "unknown option -x"],
    [["--at"], "--at needs a value (TIME)"],
    [["--json=yes"], "--json takes no value"],
    [["--at", "1", "--at", "2"], "--at is given twice"],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseArgs(argv, SPEC)).toThrow(new UsageError(message));
  });

  it("formats the options block from the same spec", () => {
    expect(formatOptionsHelp(SPEC)).toBe(
      [
        "  --at TIME          The instant",
        "  -s, --stream NAME  A stream (repeatable)",
        "  --json             Print JSON",
      ].join("\n"),
    );
  });
});

describe("runCli", () => {
  function harness(run: Command["run"]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: "/", env: {} };
    const command: Command = { name: "resolve", summary: "Find positions", help: "Usage: tool resolve", run };
    const program: Program = { name: "tool", version: "1.2.3", description: "A tool.", commands: [command] };
    return { io, program, out, err };
  }

  it("prints the command list for --help, -h and help, with status 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const { io, program, out, err } = harness(async () => 0);
      expect(await runCli(program, argv, io)).toBe(0);
      expect(out.join("")).toBe(
        "Usage: tool <command> [options]\n\nA tool.\n\nCommands:\n" +
          "  resolve  Find positions\n  help     Show help for a command: help <command>\n\n" +
          "Options:\n  -h, --help  Show help (also after a command)\n  --version   Print the version\n",
      );
      expect(err).toEqual([]);
    }
  });

  it("prints a command's help for `help <command>` and `<command> --help`, without running it", async () => {
    for (const argv of [["help", "resolve"], ["resolve", "x", "--help"], ["resolve", "-h"]]) {
      const { io, program, out } = harness(async () => {
        throw new Error("must not run");
      });
      expect(await runCli(program, argv, io)).toBe(0);
      expect(out.join("")).toBe("Usage: tool resolve\n");
    }
  });

  it("passes --help after -- to the command as an argument", async () => {
    const seen: (readonly string[])[] = [];
    const { io, program } = harness(async (argv) => {
      seen.push(argv);
      return 0;
    });
    expect(await runCli(program, ["resolve", "--", "--help"], io)).toBe(0);
    expect(seen).toEqual([["--", "--help"]]);
  });

  it("prints the version", async () => {
    const { io, program, out } = harness(async () => 0);
    expect(await runCli(program, ["--version"], io)).toBe(0);
    expect(out).toEqual(["tool 1.2.3\n"]);
  });

  it.each([
    [[], "tool: missing command (see tool --help)\n"],
    [["resolv"], 'tool: unknown command "resolv"; did you mean resolve? (see tool --help)\n'],
    [["deploy"], 'tool: unknown command "deploy" (see tool --help)\n'],
    [["help", "deploy"], 'tool: no help for unknown command "deploy" (see tool --help)\n'],
  ])("%j is a usage error: status 2 and one line", async (argv, line) => {
    const { io, program, out, err } = harness(async () => 0);
    expect(await runCli(program, argv, io)).toBe(2);
    expect(err).toEqual([line]);
    expect(out).toEqual([]);
  });

  it("turns a command's UsageError into status 2 and a one-line hint", async () => {
    const { io, program, err } = harness(async () => {
      throw new UsageError("--at needs a value (TIME)");
    });
    expect(await runCli(program, ["resolve", "--at"], io)).toBe(2);
    expect(err).toEqual(["tool: resolve: --at needs a value (TIME) (see tool resolve --help)\n"]);
  });

  it("turns an unexpected failure into status 70 and one line, without a stack trace", async () => {
    const { io, program, err } = harness(async () => {
      throw new TypeError("Cannot read properties of undefined\n    at somewhere (file.js:1:1)");
    });
    expect(await runCli(program, ["resolve"], io)).toBe(70);
    expect(err).toEqual(["tool resolve: internal error: Cannot read properties of undefined\n"]);
  });

  it("returns the command's own status", async () => {
    const { io, program } = harness(async () => 1);
    expect(await runCli(program, ["resolve"], io)).toBe(1);
  });
});
