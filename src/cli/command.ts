/**
 * What a subcommand is, and the dispatcher that runs one: help, version, usage errors (exit 2 with a
 * one-line hint) and unexpected failures (one line, exit 70) are handled here once for every command.
 */
import { closestMatch } from "../desired";
import { UsageError } from "./args";

export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full help text, ending without a newline. */
  help: string;
  /** Returns the exit status. Throws UsageError for command-line mistakes. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

export interface Program {
  name: string;
  version: string;
  description: string;
  commands: readonly Command[];
}

const HELP_FLAGS = new Set(["-h", "--help"]);

export async function runCli(program: Program, argv: readonly string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  const usage = (message: string, helpCommand: string) => {
    io.stderr(`${program.name}: ${message} (see ${helpCommand})\n`);
    return EXIT.usage;
  };
  if (first === undefined) return usage("missing command", `${program.name} --help`);
  if (HELP_FLAGS.has(first)) return printHelp(program, rest[0], io);
  if (first === "--version") {
    io.stdout(`${program.name} ${program.version}\n`);
    return EXIT.ok;
  }
  if (first === "help") return printHelp(program, rest[0], io);
  const command = program.commands.find((candidate) => candidate.name === first);
  if (!command) {
    const suggestion = closestMatch(first, program.commands.map((candidate) => candidate.name));
    const hint = suggestion ? `; did you mean ${suggestion}?` : "";
    return usage(`unknown command ${JSON.stringify(first)}${hint}`, `${program.name} --help`);
  }
  const untilDoubleDash = rest.indexOf("--") === -1 ? rest : rest.slice(0, rest.indexOf("--"));
  if (untilDoubleDash.some((arg) => HELP_FLAGS.has(arg))) {
    io.stdout(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return usage(`${command.name}: ${error.message}`, `${program.name} ${command.name} --help`);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${program.name} ${command.name}: internal error: ${message.split("\n")[0]}\n`);
    return EXIT.internal;
  }
}

function printHelp(program: Program, topic: string | undefined, io: CommandIo): number {
  if (topic !== undefined) {
    const command = program.commands.find((candidate) => candidate.name === topic);
    if (!command) {
      io.stderr(`${program.name}: no help for unknown command ${JSON.stringify(topic)} (see ${program.name} --help)\n`);
      return EXIT.usage;
    }
    io.stdout(`${command.help}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...program.commands.map((command) => command.name.length), "help".length);
  const commands = [...program.commands.map((command) => [command.name, command.summary]), ["help", "Show help for a command: help <command>"]]
    .map(([name, summary]) => `  ${(name ?? "").padEnd(width)}  ${summary}`)
    .join("\n");
  io.stdout(
    `Usage: ${program.name} <command> [options]\n\n${program.description}\n\nCommands:\n${commands}\n\n` +
      `Options:\n  -h, --help  Show help (also after a command)\n  --version   Print the version\n`,
  );
  return EXIT.ok;
}
