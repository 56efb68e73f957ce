/**
 * The pure core of the loader: declaration files' text → a normalised DesiredState, or every error at once.
 */
import { formatLocation, sortErrors, type DeclarationError, type SourceLocation } from "./errors";
import type { DeclarationStats, DesiredApp, DesiredPartition, DesiredState, DesiredStream } from "./model";
import { SHARD_ID_PREFIX, type DeclarationDocument } from "./schema";
import { validateDocument } from "./validate";
import { nodeAt, readYamlSource, type SourceDocument, type SourceNode, type SourceProblem } from "./yaml-source";

export interface DeclarationFile {
  /** Shown in errors and source locations as given. */
  path: string;
  text: string;
}

export type ParseResult =
  | { ok: true; state: DesiredState; stats: DeclarationStats }
  | { ok: false; errors: DeclarationError[] };

/** Parses, validates and normalises declaration files, in the order given (the order "first declared" follows). */
export function parseDeclarations(files: readonly DeclarationFile[]): ParseResult {
  const errors: DeclarationError[] = [];
  const apps = new Map<string, AppBeingMerged>();
  let documentCount = 0;
  for (const file of files) {
    const source = readYamlSource(file.text);
    const locate = (offset: number): SourceLocation => {
      const { line, col } = source.lineCounter.linePos(offset);
      return { file: file.path, line, column: col };
    };
    const report = (problem: SourceProblem) => errors.push(toError(problem, locate));
    source.problems.forEach(report);
    documentCount += source.documents.length;
    for (const document of source.documents) {
      const declaration = validateDocument(document, report);
      if (declaration) mergeDocument(apps, declaration, document, locate, errors);
    }
  }
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors, files.map((file) => file.path)) };
  const state = {
    apps: [...apps.values()]
      .map(({ app, streams }) => ({ ...app, streams: [...streams.values()].sort(byName) }))
      .sort(byName),
  };
  const streams = state.apps.flatMap((app) => app.streams);
  const stats = {
    files: files.length,
    documents: documentCount,
    apps: state.apps.length,
    streams: streams.length,
    checkpoints: streams.reduce((total, stream) => total + stream.partitions.length, 0),
  };
  return { ok: true, state, stats };
}

function toError(problem: SourceProblem, locate: (offset: number) => SourceLocation): DeclarationError {
  const error: DeclarationError = { code: problem.code, message: problem.message, ...locate(problem.offset) };
  if (problem.path) error.path = [...problem.path];
  return error;
}

/** Byte order of names (they are ASCII), independent of locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const byName = (a: { name: string }, b: { name: string }) => compareNames(a.name, b.name);

interface AppBeingMerged {
  app: Omit<DesiredApp, "streams">;
  streams: Map<string, DesiredStream>;
}

function mergeDocument(
  apps: Map<string, AppBeingMerged>,
  declaration: DeclarationDocument,
  document: SourceDocument,
  locate: (offset: number) => SourceLocation,
  errors: DeclarationError[],
): void {
  const merged = apps.get(declaration.app) ?? {
    app: { name: declaration.app, source: locate(nodeAt(document.source, ["app"]).node.value) },
    streams: new Map<string, DesiredStream>(),
  };
  apps.set(declaration.app, merged);
  const streamNodes = nodeAt(document.source, ["streams"]).node.entries ?? new Map<string, SourceNode>();
  for (const [streamName, streamNode] of streamNodes) {
    const stream = declaration.streams[streamName];
    if (!stream) continue;
    const streamPath = ["streams", streamName];
    const source = locate(streamNode.key ?? streamNode.value);
    const earlier = merged.streams.get(streamName);
    if (earlier) {
      errors.push({
        code: "duplicate-stream",
        ...source,
        path: streamPath,
        message: `stream ${streamName} of app ${declaration.app} is already declared at ${describeEarlier(earlier.source, source)}: declare each app and stream once`,
      });
      continue;
    }
    const partitions: DesiredPartition[] = [];
    const byOrdinal = new Map<number, { key: string; source: SourceLocation }>();
    // The source entries keep document order, so "declared twice" names the later one.
    const partitionNodes = streamNode.entries?.get("partitions")?.entries ?? new Map<string, SourceNode>();
    for (const [key, partitionNode] of partitionNodes) {
      const value = stream.partitions[key];
      if (value === undefined) continue;
      const ordinal = partitionOrdinal(key);
      const partitionSource = locate(partitionNode.key ?? partitionNode.value);
      const first = byOrdinal.get(ordinal);
      if (first) {
        errors.push({
          code: "duplicate-partition",
          ...partitionSource,
          path: [...streamPath, "partitions", key],
          message: `partition ${ordinal} of stream ${streamName} is declared twice: as ${JSON.stringify(key)} here and as ${JSON.stringify(first.key)} at ${describeEarlier(first.source, partitionSource)}; keep one`,
        });
        continue;
      }
      byOrdinal.set(ordinal, { key, source: partitionSource });
      const entry = typeof value === "object" ? value : { sequenceNumber: value };
      const partition: DesiredPartition = {
        ordinal,
        sequenceNumber: String(entry.sequenceNumber),
        source: partitionSource,
      };
      if ("metadata" in entry && entry.metadata !== undefined) partition.metadata = entry.metadata;
      partitions.push(partition);
    }
    partitions.sort((a, b) => a.ordinal - b.ordinal);
    merged.streams.set(streamName, {
      name: streamName,
      source,
      allowSkip: stream.allowSkip,
      onDelete: stream.onDelete,
      revision: stream.revision,
      whileConsumersRun: stream.whileConsumersRun,
      partitions,
    });
  }
}

/** Where the first of two declarations is, as seen from the second: the file is named only if it differs. */
function describeEarlier(earlier: SourceLocation, here: SourceLocation): string {
  return earlier.file === here.file ? `line ${earlier.line}, column ${earlier.column}` : formatLocation(earlier);
}

/** `3` and `shardId-0000000003` both name ordinal 3 (the schema has checked the form). */
export function partitionOrdinal(partitionId: string): number {
  return Number(partitionId.startsWith(SHARD_ID_PREFIX) ? partitionId.slice(SHARD_ID_PREFIX.length) : partitionId);
}
