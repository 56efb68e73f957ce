/**
 * The compact text forms of the resource's inputs and outputs (model.ts): position lists such as
 * `"0=1520 1=980 3=-"` and ordinal lists such as `"5 6"`. Decoding is strict, because the text comes from a
 * state file that may have been edited by hand: a malformed entry is an InputError naming it, never a
 * silently dropped partition.
 */
import { ProjectError } from "../errors";
import { DECIMAL_DIGITS_PATTERN, PARTITION_ORDINAL_PATTERN } from "../contract";
import type { StoredStream, StreamDeclaration } from "./model";

export class StateFormatError extends ProjectError {
  override name = "StateFormatError";
  readonly code = "state-format";
}

const NO_CHECKPOINT = "-";

/** Ordinal → sequence number (null: no checkpoint), ascending ordinals. */
export function encodePositions(positions: ReadonlyMap<number, string | null> | Readonly<Record<string, string | null>>): string {
  const entries: Array<[number, string | null]> =
    positions instanceof Map ? [...positions] : Object.entries(positions).map(([key, value]) => [Number(key), value]);
  return entries
    .sort((a, b) => a[0] - b[0])
    .map(([ordinal, value]) => `${ordinal}=${value ?? NO_CHECKPOINT}`)
    .join(" ");
}

export function decodePositions(text: string, what: string): Map<number, string | null> {
  const positions = new Map<number, string | null>();
  for (const entry of splitEntries(text)) {
    const equals = entry.indexOf("=");
    const ordinal = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    if (equals < 0 || !PARTITION_ORDINAL_PATTERN.test(ordinal) || !(value === NO_CHECKPOINT || DECIMAL_DIGITS_PATTERN.test(value))) {
      throw new StateFormatError(`${what}: ${JSON.stringify(entry)} is not <partition>=<sequence number>`);
    }
    if (positions.has(Number(ordinal))) throw new StateFormatError(`${what}: partition ${ordinal} is listed twice`);
    positions.set(Number(ordinal), value === NO_CHECKPOINT ? null : value);
  }
  return positions;
}

/** Like decodePositions, for lists that never hold "no checkpoint" (declared values). */
export function decodeSequenceNumbers(text: string, what: string): Map<number, string> {
  const positions = decodePositions(text, what);
  for (const [ordinal, value] of positions) {
    if (value === null) throw new StateFormatError(`${what}: partition ${ordinal} has no sequence number`);
  }
  return positions as Map<number, string>;
}

export function encodeOrdinals(ordinals: Iterable<number>): string {
  return [...ordinals].sort((a, b) => a - b).join(" ");
}

export function decodeOrdinals(text: string, what: string): number[] {
  return splitEntries(text).map((entry) => {
    if (!PARTITION_ORDINAL_PATTERN.test(entry)) throw new StateFormatError(`${what}: ${JSON.stringify(entry)} is not a partition number`);
    return Number(entry);
  });
}

function splitEntries(text: string): string[] {
  return text.split(" ").filter((entry) => entry !== "");
}

/** A declaration in its stored form: options only where they differ from their defaults. */
export function storeStream(declaration: StreamDeclaration): StoredStream {
  const stored: StoredStream = { partitions: encodePositions(declaration.partitions) };
  if (Object.keys(declaration.metadata).length > 0) stored.metadata = { ...declaration.metadata };
  if (declaration.allowSkip) stored.allowSkip = true;
  if (declaration.onDelete === "delete") stored.onDelete = "delete";
  if (declaration.revision !== 0) stored.revision = declaration.revision;
  if (declaration.whileConsumersRun === "allow") stored.whileConsumersRun = "allow";
  const revisions = Object.entries(declaration.partitionRevisions);
  if (revisions.length > 0) stored.partitionRevisions = revisions.map(([key, revision]) => `${key}=${revision}`).join(" ");
  return stored;
}

export function loadStream(app: string, stream: string, stored: StoredStream): StreamDeclaration {
  const what = `stream ${app}/${stream}`;
  const partitions = Object.fromEntries([...decodeSequenceNumbers(stored.partitions, `${what} partitions`)].map(([ordinal, value]) => [String(ordinal), value]));
  const partitionRevisions: Record<string, number> = {};
  if (stored.partitionRevisions !== undefined) {
    for (const [ordinal, revision] of decodeSequenceNumbers(stored.partitionRevisions, `${what} partitionRevisions`)) {
      partitionRevisions[String(ordinal)] = Number(revision);
    }
  }
  return {
    app,
    stream,
    partitions,
    metadata: { ...stored.metadata },
    allowSkip: stored.allowSkip === true,
    onDelete: stored.onDelete ?? "retain",
    revision: stored.revision ?? 0,
    whileConsumersRun: stored.whileConsumersRun ?? "refuse",
    partitionRevisions,
  };
}

/** A JSON value with its object keys in one order, so that equal values have equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

/**
 * Whether two stored stream maps (`app/stream` → stored stream, as the state keeps them) are the same text,
 * whatever the order of their keys. Equal stored forms are equal declarations (storeStream writes one form
 * per declaration), so an unchanged stack is recognised without decoding a partition; anything else, a
 * malformed value included, is not the same and is left to the full comparison.
 */
export function sameStoredStreams(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && JSON.stringify(canonical((a as Record<string, unknown>)[key])) === JSON.stringify(canonical((b as Record<string, unknown>)[key])));
}
