/**
 * The reconciler's rules and its Pulumi dynamic provider: the model, the pure planner, the gate every run
 * passes, the wording of plans, and the provider stub the program registers.
 */
export { checkpointsProvider } from "./stub";
export {
  CHECKPOINTS_RESOURCE_NAME,
  checkpointsResourceId,
  STATE_SCHEMA,
  splitStreamKey,
  streamKey,
  type CheckpointsInputs,
  type CheckpointsOutputs,
  type Failure,
  type LivePartition,
  type OnDelete,
  type RestorePointRecord,
  type RunSummary,
  type StoredStream,
  type StreamDeclaration,
  type StreamKey,
  type WhileConsumersRun,
} from "./model";
export { decodePositions, encodePositions, storeStream } from "./codec";
export { parseStoredStreams } from "./inputs";
export { moveOf, validRange, type Move, type Refusal, type RefusalCode, type StreamPlan } from "./planner";
export { readCheckpoints, readLive } from "./live";
export { runGate, type GateClock, type GateReport, type LocatedDeclaration } from "./gate";
export {
  describeConvention,
  describeFailure,
  explainFirstApply,
  explainLegacyState,
  formatColumns,
  formatDuration,
  formatRefusal,
  formatStreamImpact,
  groupDigits,
  plural,
  type ConsumerActivity,
} from "./wording";
export { runBounded } from "./concurrency";
export {
  ACKNOWLEDGE_FIRST_APPLY_ENV,
  CONFIG_NAMESPACE,
  ENDPOINT_ENV,
  readSettings,
  type Convention,
  type ProviderSettings,
} from "./settings";
export { clientFromSettings } from "./client";
export { LEGACY_APP_TYPE, LEGACY_STREAM_TYPE, legacyDeclaration, parseLegacyStream } from "./legacy";
