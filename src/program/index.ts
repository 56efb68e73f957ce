export { createProgram, type ProgramContext } from "./program";
export { APP_TYPE, STREAM_CHECKPOINTS_TYPE, streamCheckpointsName } from "./resources";
export { previousDeclarations, runStack, type StackOperation, type StackRunOptions, type StackRunResult } from "./run";
export { describeImpact, formatColumns, formatImpactTable } from "./impact";
