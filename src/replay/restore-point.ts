/**
 * Restore points: what a `dis-checkpoints up` replaced. The program exports the live positions its commits
 * replaced as the stack output `restorePoint` (the last committing run's, kept in the stack's state); after a
 * `dis-checkpoints up` they are also written to `.restore/<stack>/<time>/` as `restore-point.json`
 * (everything, including partitions that had no checkpoint before) and one declaration file per app (the
 * positions that can be committed back). `restore` turns either back into declarations: rewriting the
 * affected partitions of the stack's own files in place (one reviewed diff) or writing separate files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, parseAllDocuments, Scalar, type Document, type YAMLMap } from "yaml";
import { partitionOrdinal, type RenderableApp } from "../desired";
import { ReplayError } from "./errors";
import { writeDeclarationFiles } from "./files";

export interface RestoredStream {
  app: string;
  stream: string;
  /** Partition ordinal → the live checkpoint the commit replaced (null: there was none). */
  previous: Record<string, string | null>;
}

export interface RestorePoint {
  version: 1;
  stack: string;
  /** When the `up` finished (RFC 3339). */
  createdAt: string;
  streams: RestoredStream[];
}

export const RESTORE_DIR = ".restore";
export const RESTORE_POINT_FILE = "restore-point.json";

/** The stack output's streams, checked: anything else is not a restore point. */
export function parseRestoredStreams(value: unknown, where: string): RestoredStream[] {
  const streams = (value as { streams?: unknown } | undefined)?.streams;
  const valid =
    Array.isArray(streams) &&
    streams.every(
      (entry) =>
        typeof entry?.app === "string" &&
        typeof entry?.stream === "string" &&
        entry.previous !== null &&
        typeof entry.previous === "object" &&
        Object.entries(entry.previous).every(([key, seq]) => /^\d+$/.test(key) && (seq === null || (typeof seq === "string" && /^\d+$/.test(seq)))),
    );
  if (!valid) throw new ReplayError(`${where} is not a restore point: expected { streams: [{ app, stream, previous: { <partition>: <sequence number> | null } }] }`);
  return (streams as RestoredStream[]).filter((stream) => Object.keys(stream.previous).length > 0);
}

/** The committable part of a restore point, as declarations (partitions that had no checkpoint are left out). */
export function restoreDeclarations(point: RestorePoint): RenderableApp[] {
  const apps = new Map<string, RenderableApp>();
  for (const { app, stream, previous } of point.streams) {
    const entry = apps.get(app) ?? { name: app, streams: [] };
    apps.set(app, entry);
    const partitions = Object.entries(previous)
      .filter((pair): pair is [string, string] => pair[1] !== null)
      .map(([key, sequenceNumber]) => ({ ordinal: Number(key), sequenceNumber, metadata: restoreMetadata(point) }));
    entry.streams.push({ name: stream, partitions });
  }
  return [...apps.values()];
}

export function restoreMetadata(point: RestorePoint): string {
  return `restore point of stack ${point.stack} at ${point.createdAt}`;
}

/** Partitions that had no checkpoint before the commit: no commit can bring that back. */
export function unrestorable(point: RestorePoint): string[] {
  return point.streams.flatMap(({ app, stream, previous }) =>
    Object.entries(previous)
      .filter(([, value]) => value === null)
      .map(([key]) => `${app} / ${stream} / partition ${key}`),
  );
}

/** `.restore/<stack>/2026-11-20T10-00-00.000Z`: sortable, and valid on every file system. */
export function restorePointDir(projectDir: string, stack: string, createdAt: string): string {
  return path.join(projectDir, RESTORE_DIR, stack, createdAt.replace(/:/g, "-"));
}

/** Writes a restore point; returns its directory, or undefined when the run replaced nothing. */
export function writeRestorePoint(projectDir: string, stack: string, output: unknown, createdAt: string): string | undefined {
  const streams = parseRestoredStreams(output, "the stack output restorePoint");
  if (streams.length === 0) return undefined;
  const point: RestorePoint = { version: 1, stack, createdAt, streams };
  const dir = restorePointDir(projectDir, stack, createdAt);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, RESTORE_POINT_FILE), `${JSON.stringify(point, null, 2)}\n`);
  writeDeclarationFiles(dir, restoreDeclarations(point), { projectDir });
  return dir;
}

/**
 * The stack output `restorePoint` (`pulumi stack output restorePoint`) as a restore point of `stack`. It is
 * `{ streams: [] }` until an `up` has committed, and holds no time in states of version 0.1 (migrate first).
 */
export function restorePointFromOutput(stack: string, output: unknown): RestorePoint {
  const where = `the stack output restorePoint of stack '${stack}'`;
  const streams = parseRestoredStreams(output, where);
  const createdAt = (output as { createdAt?: unknown }).createdAt;
  if (streams.length === 0) throw new ReplayError(`${where} is empty: no \`up\` of the stack has committed anything yet, so there is nothing to restore`);
  if (typeof createdAt !== "string") throw new ReplayError(`${where} has no createdAt: it was written by an earlier version; run \`dis-checkpoints migrate --stack ${stack}\` first`);
  return { version: 1, stack, createdAt, streams };
}

export function readRestorePoint(dir: string): RestorePoint {
  const file = path.join(dir, RESTORE_POINT_FILE);
  let parsed: Partial<RestorePoint>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<RestorePoint>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReplayError(`${file}: ${code === "ENOENT" ? "not found: give a directory written by `dis-checkpoints up` under .restore/<stack>/" : "not valid JSON"}`);
  }
  if (parsed.version !== 1 || typeof parsed.stack !== "string" || typeof parsed.createdAt !== "string") {
    throw new ReplayError(`${file}: not a restore point (expected version 1 with stack and createdAt)`);
  }
  return { version: 1, stack: parsed.stack, createdAt: parsed.createdAt, streams: parseRestoredStreams(parsed, file) };
}

// ---- rewriting the stack's declaration files in place ------------------------------------------

export interface DeclarationText {
  path: string;
  text: string;
}

export interface RewriteResult {
  /** Files whose text changed, with the new text. */
  changed: DeclarationText[];
  /** `app / stream / partition N` restore targets no file declares. */
  undeclared: string[];
}

/**
 * Sets each restorable partition's declared sequence number to its restore-point value where the stack's
 * files declare it, keeping every other line (comments included). A partition written in the long form gets
 * the restore point's metadata; with `allowSkip`, each affected stream gets `allowSkip: true`, because
 * undoing a replay moves consumers forward.
 */
export function rewriteDeclarations(files: readonly DeclarationText[], point: RestorePoint, allowSkip: boolean): RewriteResult {
  const pending = new Map<string, string>();
  for (const { app, stream, previous } of point.streams) {
    for (const [key, value] of Object.entries(previous)) if (value !== null) pending.set(`${app}\u0000${stream}\u0000${key}`, value);
  }
  const changed: DeclarationText[] = [];
  for (const file of files) {
    const documents = parseAllDocuments(file.text);
    if (!Array.isArray(documents)) continue;
    let touched = false;
    for (const document of documents) touched = rewriteDocument(document, pending, restoreMetadata(point), allowSkip) || touched;
    if (touched) changed.push({ path: file.path, text: documents.map((document) => document.toString({ lineWidth: 0 })).join("") });
  }
  const undeclared = [...pending.keys()].map((key) => key.split("\u0000").join(" / ").replace(/ \/ (\d+)$/, " / partition $1"));
  return { changed, undeclared };
}

function rewriteDocument(document: Document, pending: Map<string, string>, metadata: string, allowSkip: boolean): boolean {
  const app = document.get("app");
  const streams = document.get("streams", true);
  if (typeof app !== "string" || !isMap(streams)) return false;
  let touched = false;
  for (const streamPair of streams.items) {
    const stream = isScalar(streamPair.key) ? String(streamPair.key.value) : undefined;
    const body = streamPair.value;
    if (stream === undefined || !isMap(body)) continue;
    const partitions = body.get("partitions", true);
    if (!isMap(partitions)) continue;
    let streamTouched = false;
    for (const pair of partitions.items) {
      if (!isScalar(pair.key)) continue;
      const key = `${app}\u0000${stream}\u0000${partitionOrdinal(String(pair.key.value))}`;
      const value = pending.get(key);
      if (value === undefined) continue;
      pending.delete(key);
      if (isMap(pair.value)) {
        setQuoted(pair.value, "sequenceNumber", value);
        setQuoted(pair.value, "metadata", metadata);
      } else if (isScalar(pair.value)) {
        requote(pair.value, value);
      } else {
        pair.value = requote(new Scalar(value), value);
      }
      streamTouched = true;
    }
    if (streamTouched && allowSkip) body.set("allowSkip", true);
    touched = touched || streamTouched;
  }
  return touched;
}

/** Changes a scalar in place, so the comments attached to it stay where they were. */
function requote(scalar: Scalar, text: string): Scalar {
  scalar.value = text;
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function setQuoted(map: YAMLMap, key: string, text: string): void {
  const node = map.get(key, true);
  if (isScalar(node)) requote(node, text);
  else map.set(key, requote(new Scalar(text), text));
}
