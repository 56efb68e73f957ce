export { appProvider, streamCheckpointsProvider } from "./stub";
export type { AppInputs, AppState, LivePartition, OnDelete, StreamCheckpointsState, StreamDeclaration } from "./model";
export { streamResourceId } from "./model";
export {
  countRecords,
  declarationChanged,
  impactOf,
  planCommits,
  type CommitReason,
  type Impact,
  type Plan,
  type PlannedCommit,
  type Refusal,
  type RefusalCode,
} from "./planner";
export { readCheckpoints, readLivePartitions } from "./live";
export { PartialFailure, runBounded } from "./concurrency";
export {
  CONFIG_NAMESPACE,
  DEFAULT_CONCURRENCY,
  ENDPOINT_ENV,
  readSettings,
  SettingsError,
  type Convention,
  type ProviderSettings,
} from "./settings";
export { parseStreamDeclaration } from "./inputs";
export { clientFromSettings } from "./client";
