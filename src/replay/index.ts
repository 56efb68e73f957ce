/**
 * Disaster-recovery replays: export live positions, resolve positions at an instant, plan live → declared
 * with replay/skip counts and retention margins, and restore points of what `up` replaced. Pure cores with
 * thin I/O shells; the CLI commands (src/cli/{export,resolve,plan,restore}.ts) only parse and print.
 */
export { ReplayError } from "./errors";
export { parseInstant, type InstantResult } from "./time";
export { writeDeclarationFiles, type WriteOptions } from "./files";
export { appStreams, exportApp, exportedStream, renderableApp, type ExportedApp, type ExportedStream } from "./export";
export {
  CONVENTION_RULE,
  decide,
  findPartition,
  formatResolution,
  MAX_PAGES,
  resolveApps,
  resolvedDeclarations,
  resolutionErrors,
  resolveMetadata,
  type Finding,
  type Outcome,
  type PartitionResolution,
  type ResolveRequest,
  type StreamResolution,
} from "./resolve";
export {
  firstApplyOf,
  nextToRead,
  planRows,
  planStreams,
  retentionMargin,
  type ConsumerActivity,
  type Direction,
  type FirstApply,
  type PlanReport,
  type PlanRow,
  type RetentionMargin,
  type RowStatus,
  type StreamPlan,
} from "./plan";
export {
  DEFAULT_MAX_CHARS,
  describeMargin,
  hasRefusals,
  LISTED_UNCHANGED_STREAMS_MAX,
  markdownText,
  PLAN_JSON_VERSION,
  renderJson,
  renderMarkdown,
  summarize,
  type MarkdownOptions,
  type PlanSummary,
} from "./plan-render";
export {
  parseRestoredStreams,
  readRestorePoint,
  restoreDeclarations,
  restorePointFromOutput,
  restoreMetadata,
  restorePointDir,
  rewriteDeclarations,
  unrestorable,
  writeRestorePoint,
  RESTORE_DIR,
  RESTORE_POINT_FILE,
  type DeclarationText,
  type RestoredStream,
  type RestorePoint,
  type RewriteResult,
} from "./restore-point";
