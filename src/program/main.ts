/**
 * Entry point for a plain `pulumi preview` / `pulumi up` (package.json `main`): the same program
 * `dis-checkpoints` runs inline. Through the language host, an error diagnostic alone does not fail the run,
 * so a run whose commits did not all settle also sets the exit status the SDK's own runner uses for
 * "exited after logging a user-actionable message" (@pulumi/pulumi cmd/run).
 */
import * as pulumi from "@pulumi/pulumi";
import { createProgram } from "./program";

const LOGGED_USER_ACTIONABLE_MESSAGE = 32;

export = createProgram({
  failRun: (message) => {
    void pulumi.log.error(message);
    process.exitCode = LOGGED_USER_ACTIONABLE_MESSAGE;
  },
});
