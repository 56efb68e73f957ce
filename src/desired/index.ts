/**
 * Declarations: the reviewed YAML files that say where each consumer app should stand. Load them
 * (`loadDeclarations`, or the pure `parseDeclarations`), get a normalised `DesiredState` or every error
 * with its file:line:col, and write them (`renderDeclarations`).
 */
export { loadDeclarations } from "./load";
export { parseDeclarations, partitionOrdinal, type ParseResult } from "./parse";
export { closestMatch } from "./suggest";
export { renderDeclarations, DEFAULT_SCHEMA_PATH } from "./render";
export {
  DECLARATION_ERROR_CODES,
  formatDeclarationError,
  MAX_FILE_BYTES,
  MAX_NESTING_DEPTH,
  type DeclarationError,
} from "./errors";
export { declarationJsonSchemaText, type OnDelete, type WhileConsumersRun } from "./schema";
export type { DeclarationStats, DesiredApp, DesiredState, RenderableApp, RenderableStream } from "./model";
