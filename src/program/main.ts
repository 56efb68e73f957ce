/**
 * Entry point for a plain `pulumi up` (Pulumi.yaml `main`): the same program `dis-checkpoints up` runs
 * inline, without the previous declarations, so only the provider's check guards the commits.
 */
import { createProgram } from "./program";

export = createProgram();
