#!/usr/bin/env node
/** `npm run setup`: makes the Pulumi CLI available (see ensurePulumiCli). Idempotent; prints what it does. */
import { ensurePulumiCli, SetupError } from "./pulumi-cli";

ensurePulumiCli().catch((error: unknown) => {
  const message = error instanceof SetupError ? error.message : String(error);
  process.stderr.write(`setup: ${message}\n`);
  process.exitCode = 1;
});
