export { createProgram, type ProgramOptions } from "./program";
export {
  appliedFromOutputs,
  CHECKPOINTS_RESOURCE_NAME,
  CHECKPOINTS_TYPE,
  OUTPUTS,
  restorePointOutput,
  stackOutputs,
  toDeclarations,
  type AppliedRecord,
  type ExportedStack,
} from "./declarations";
export { ranCommits, runStack, PROJECT_NAME, type StackOperation, type StackRunOptions, type StackRunResult } from "./run";
export { migrateDeployment, type MigrationResult, type UntypedDeployment } from "./migrate";
export { checkpointsProviderText } from "./resources";
