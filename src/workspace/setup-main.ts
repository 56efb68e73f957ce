#!/usr/bin/env node
/**
 * `npm run setup`: makes the Pulumi CLI available (see ensurePulumiCli), then the tools beside it (see
 * ensureTools). Idempotent; prints what it does.
 */
import { SetupError } from "./go-tool";
import { ensurePulumiCli } from "./pulumi-cli";
import { ensureTools } from "./tools";

ensurePulumiCli()
  .then(() => ensureTools())
  .catch((error: unknown) => {
    const message = error instanceof SetupError ? error.message : String(error);
    process.stderr.write(`setup: ${message}\n`);
    process.exitCode = 1;
  });
