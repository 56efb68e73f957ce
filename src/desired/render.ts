/**
 * A model → declaration YAML, for commands that write files for review (`export`, `resolve`). Output is
 * canonical: streams by name, partitions by ordinal under their bare ordinal, sequence numbers quoted,
 * stream options only where they differ from the defaults.
 */
import { Document, Scalar } from "yaml";
import type { RenderableApp, RenderableStream } from "./model";
import { compareNames } from "./parse";
import { FORMAT_VERSION, STREAM_OPTION_DEFAULTS } from "./schema";

export interface RenderOptions {
  /**
   * The JSON Schema's path relative to the written file, for editor completion. The default fits
   * `checkpoints/<stack>/<file>.yaml` with `checkpoints.schema.json` at the repository root.
   */
  schemaPath?: string;
}

export const DEFAULT_SCHEMA_PATH = "../../checkpoints.schema.json";

/** One app's declaration as a complete YAML file (one document). */
export function renderDeclarations(app: RenderableApp, options: RenderOptions = {}): string {
  const streams = new Map(
    [...app.streams].sort((a, b) => compareNames(a.name, b.name)).map((stream) => [stream.name, renderStream(stream)]),
  );
  const document = new Document({ version: FORMAT_VERSION, app: app.name, streams });
  if (document.contents) {
    document.contents.commentBefore = ` yaml-language-server: $schema=${options.schemaPath ?? DEFAULT_SCHEMA_PATH}`;
  }
  // No folding and no block scalars: every metadata string stays on one line, with \n escapes, so an
  // editor that trims trailing spaces cannot change it.
  return document.toString({ lineWidth: 0, blockQuote: false });
}

function renderStream(stream: RenderableStream): Record<string, unknown> {
  const partitions = new Map(
    [...stream.partitions]
      .sort((a, b) => a.ordinal - b.ordinal)
      .map((partition) => {
        const sequenceNumber = quoted(partition.sequenceNumber);
        const value = partition.metadata === undefined ? sequenceNumber : { sequenceNumber, metadata: partition.metadata };
        return [partition.ordinal, value];
      }),
  );
  const rendered: Record<string, unknown> = { partitions };
  for (const option of ["allowSkip", "onDelete", "revision", "whileConsumersRun"] as const) {
    const value = stream[option];
    if (value !== undefined && value !== STREAM_OPTION_DEFAULTS[option]) rendered[option] = value;
  }
  return rendered;
}

function quoted(text: string): Scalar<string> {
  const scalar = new Scalar(text);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}
