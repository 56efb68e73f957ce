/**
 * The program's entry point (package.json `main`): what a plain `pulumi preview`/`up` runs through the
 * nodejs language host, and what `dis-checkpoints` runs the same way through the Automation API.
 */
import { createProgram } from "./program";

export = createProgram();
