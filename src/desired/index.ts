/**
 * Declarations: the reviewed YAML files that say where each consumer app should stand. Load them
 * (`loadDeclarations`, or the pure `parseDeclarations`), get a normalised `DesiredState` or every error
 * with its file:line:col, and write them (`renderDeclarations`).
 */
export { loadDeclarations, type LoadOptions, type LoadResult } from "./load";
export { parseDeclarations, partitionOrdinal, type DeclarationFile, type ParseResult } from "./parse";
export { closestMatch } from "./suggest";
export { renderDeclarations, DEFAULT_SCHEMA_PATH, type RenderOptions } from "./render";
export {
  DECLARATION_ERROR_CODES,
  formatDeclarationError,
  MAX_FILE_BYTES,
  MAX_NESTING_DEPTH,
  type DeclarationError,
  type DeclarationErrorCode,
  type SourceLocation,
} from "./errors";
export {
  declarationJsonSchema,
  declarationJsonSchemaText,
  declarationSchema,
  FORMAT_VERSION,
  STREAM_OPTION_DEFAULTS,
  type OnDelete,
  type WhileConsumersRun,
} from "./schema";
export type {
  DeclarationStats,
  DesiredApp,
  DesiredPartition,
  DesiredState,
  DesiredStream,
  PartitionCheckpoint,
  RenderableApp,
  RenderableStream,
  StreamOptions,
} from "./model";
