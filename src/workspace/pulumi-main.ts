#!/usr/bin/env node
/**
 * `npm run pulumi -- <args>`: the Pulumi CLI with this project's environment (the CLI built by setup, the
 * in-repo file backend unless PULUMI_BACKEND_URL is set, no update checks, no plugin downloads, and the demo
 * stack's own passphrase for `--stack local` when the environment gives none).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { pulumiEnvironment } from "./environment";
import { fallbackPassphraseFor, findProjectDir } from "./paths";
import { describeError } from "../errors";
import { requirePulumiCli } from "./pulumi-cli";

/** The stack a Pulumi command line names: `--stack S`, `--stack=S`, `-s S`, or `stack select|init S`. */
function stackArgument(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--stack" || arg === "-s") return argv[index + 1];
    if (arg.startsWith("--stack=")) return arg.slice("--stack=".length);
  }
  if (argv[0] === "stack" && (argv[1] === "select" || argv[1] === "init")) return argv.slice(2).find((arg) => !arg.startsWith("-"));
  return undefined;
}

try {
  const cli = requirePulumiCli();
  const args = process.argv.slice(2);
  const result = spawnSync(cli.command, args, {
    stdio: "inherit",
    // The project it runs in is the one it is run from (npm runs it from the package root).
    env: pulumiEnvironment({ root: findProjectDir(process.cwd()), cliDir: path.dirname(cli.command), ...fallbackPassphraseFor(stackArgument(args)) }),
  });
  process.exitCode = result.status ?? 1;
} catch (error) {
  process.stderr.write(`${describeError(error)}\n`);
  process.exitCode = 1;
}
