/** The Pulumi program both doors run, its stack outputs, the Automation API runner, and the migration of old states. */
export {
  appliedFromOutputs,
  CHECKPOINTS_RESOURCE_NAME,
  CHECKPOINTS_TYPE,
  OUTPUTS,
  restorePointOutput,
  toDeclarations,
} from "./declarations";
export { runStack, type StackOperation, type StackRunResult } from "./run";
export { migrateDeployment } from "./migrate";
export { checkpointsProviderText } from "./resources";
