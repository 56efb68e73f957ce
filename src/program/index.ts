export { createProgram, type ProgramContext } from "./program";
export {
  APP_TYPE,
  previousDeclarations,
  RESTORE_POINT_OUTPUT,
  stackOutput,
  STREAM_CHECKPOINTS_TYPE,
  streamCheckpointsName,
  toDeclarations,
  type ExportedStack,
  type LocatedDeclaration,
} from "./declarations";
export { runStack, type StackOperation, type StackRunOptions, type StackRunResult } from "./run";
export { describeImpact, formatColumns, formatImpactTable } from "./impact";
