/** `dis-checkpoints migrate --stack S`: the one-time move of a stack's state to one Pulumi resource per stack. */
import * as fs from "node:fs";
import * as path from "node:path";
import { RESTORE_DIR } from "../replay";
import { formatOptionsHelp, HELP_OPTION, parseArgs, UsageError, type OptionSpec } from "./args";
import { EXIT, type Command } from "./command";
import { reportFailure, runPulumi } from "./connection";
import { findProjectDir } from "../workspace";

const OPTIONS = {
  stack: { type: "string", short: "s", valueName: "NAME", description: "The stack to migrate; required" },
} satisfies OptionSpec;

export const migrateCommand: Command = {
  name: "migrate",
  summary: "Move a stack's state to one Pulumi resource per stack, once after upgrading; commits nothing",
  help: [
    "Usage: dis-checkpoints migrate --stack NAME",
    "",
    "Stacks applied by dis-checkpoints 0.1 keep one Pulumi resource per app and one per (app, stream); this version",
    "keeps one Checkpoints resource per stack, and refuses to run on the old state until it is migrated. migrate",
    "exports the state, turns what each old resource records as declared into the new resource's applied record",
    "(and their replaced positions into the restore point), and imports it. Nothing is read from or written to DIS.",
    "The state as it was is kept under .restore/<stack>/ (undo: pulumi stack import --stack NAME --file <that file>).",
    "Afterwards `dis-checkpoints preview --stack NAME` commits nothing for declarations that did not change.",
    "",
    "Exit status: 0 migrated or nothing to migrate, 1 failed (the state is unchanged), 2 usage error.",
    "",
    "Options:",
    formatOptionsHelp({ ...OPTIONS, ...HELP_OPTION }),
  ].join("\n"),
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const stack = options.stack;
    if (stack === undefined) throw new UsageError("--stack is required");
    try {
      const exportedText = await runPulumi(["stack", "export", "--stack", stack], stack, io);
      // Loaded on use: the program module brings the Pulumi SDK with it.
      const { checkpointsProviderText, migrateDeployment } = await import("../program");
      const result = migrateDeployment(JSON.parse(exportedText), await checkpointsProviderText());
      if (result.kind === "nothing-to-migrate") {
        io.stdout(`Stack '${stack}' holds no resources of the earlier state format: nothing to migrate.\n`);
        return EXIT.ok;
      }
      if (result.kind === "refused") {
        io.stderr(`dis-checkpoints migrate: stack '${stack}' was not migrated: ${result.reason}\n`);
        return EXIT.failed;
      }
      const dir = path.join(findProjectDir(io.cwd), RESTORE_DIR, stack);
      fs.mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/:/g, "-");
      const backup = path.join(dir, `state-before-migrate-${stamp}.json`);
      const migrated = path.join(dir, `state-migrated-${stamp}.json`);
      fs.writeFileSync(backup, exportedText);
      fs.writeFileSync(migrated, `${JSON.stringify(result.deployment, null, 2)}\n`);
      await runPulumi(["stack", "import", "--stack", stack, "--file", migrated], stack, io);
      fs.rmSync(migrated);
      io.stdout(
        `Migrated stack '${stack}': ${result.streams} streams (${result.checkpoints} checkpoints) of ${result.apps} apps are now one Checkpoints resource. ` +
          `Nothing was committed. The state as it was: ${path.relative(io.cwd, backup)}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      return reportFailure("migrate", error, io);
    }
  },
};
