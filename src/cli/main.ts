#!/usr/bin/env node
/**
 * The `dis-checkpoints` command. To add a subcommand, write `src/cli/<name>.ts` exporting a `Command`
 * and list it in COMMANDS.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runCli, EXIT, type Command, type CommandIo } from "./command";
import { exportCommand } from "./export";
import { migrateCommand } from "./migrate";
import { planCommand } from "./plan";
import { resolveCommand } from "./resolve";
import { restoreCommand } from "./restore";
import { stackCommands } from "./stack";
import { validateCommand } from "./validate";

const COMMANDS: readonly Command[] = [validateCommand, ...stackCommands, planCommand, exportCommand, resolveCommand, restoreCommand, migrateCommand];

function packageVersion(): string {
  // Two levels up from src/cli and from dist/cli alike.
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

async function main(): Promise<number> {
  const io: CommandIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
  const program = {
    name: "dis-checkpoints",
    version: packageVersion(),
    description: "GitOps for Huawei Cloud DIS consumer checkpoints: reviewed YAML, applied with pulumi up.",
    commands: COMMANDS,
  };
  return runCli(program, process.argv.slice(2), io);
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`dis-checkpoints: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
