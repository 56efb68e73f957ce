#!/usr/bin/env node
/**
 * `npm run pulumi -- <args>`: the Pulumi CLI with this project's environment (the CLI built by setup, the
 * in-repo file backend unless PULUMI_BACKEND_URL is set, no update checks, no plugin downloads).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { pulumiEnvironment } from "./environment";
import { SetupError } from "./go-tool";
import { requirePulumiCli } from "./pulumi-cli";

try {
  const cli = requirePulumiCli();
  const result = spawnSync(cli.command, process.argv.slice(2), {
    stdio: "inherit",
    env: pulumiEnvironment({ cliDir: path.dirname(cli.command) }),
  });
  process.exitCode = result.status ?? 1;
} catch (error) {
  process.stderr.write(`${error instanceof SetupError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
