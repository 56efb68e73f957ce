/** `dis-checkpoints validate [paths...]`: the offline lint for pull requests. No network, no credentials. */
import { formatDeclarationError, loadDeclarations, type DeclarationStats } from "../desired";
import { formatOptionsHelp, HELP_OPTION, parseArgs, type OptionSpec } from "./args";
import { EXIT, type Command } from "./command";

const OPTIONS = {} satisfies OptionSpec;

export const DEFAULT_DECLARATIONS_PATH = "checkpoints/";

export const validateCommand: Command = {
  name: "validate",
  summary: "Check declaration files offline: YAML, format, names, sequence numbers, duplicates",
  help: [
    "Usage: dis-checkpoints validate [paths...]",
    "",
    "Checks declaration files without contacting DIS: YAML syntax, the format (version 1), app and stream",
    "names, partition ids, sequence numbers, metadata length, unknown keys and duplicates.",
    `Paths are files or directories (searched for *.yaml and *.yml); default: ${DEFAULT_DECLARATIONS_PATH}`,
    "",
    "Prints one line per problem, `path:line:col: message [code]`, or a summary when all is valid.",
    "Exit status: 0 valid, 1 invalid declarations, 2 usage error.",
    "",
    "Options:",
    formatOptionsHelp({ ...OPTIONS, ...HELP_OPTION }),
  ].join("\n"),
  async run(argv, io) {
    const { positionals } = parseArgs(argv, OPTIONS);
    const paths = positionals.length > 0 ? positionals : [DEFAULT_DECLARATIONS_PATH];
    const loaded = await loadDeclarations(paths, { cwd: io.cwd });
    if (!loaded.ok) {
      io.stderr(loaded.errors.map((error) => `${formatDeclarationError(error)}\n`).join(""));
      return EXIT.failed;
    }
    io.stdout(`${formatSummary(loaded.stats)}\n`);
    return EXIT.ok;
  },
};

export function formatSummary(stats: DeclarationStats): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  return `${count(stats.apps, "app")}, ${count(stats.streams, "stream")}, ${count(stats.checkpoints, "checkpoint")} in ${count(stats.files, "file")}`;
}
