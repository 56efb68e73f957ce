/**
 * `resolve --at`: for each partition, the first record written at or after an instant, and the checkpoint
 * that makes a consumer start there under the stack's convention. Nothing is guessed: an empty partition,
 * a partition with no record after the instant, an instant before retention, or a `last`-convention
 * position below the retained range is reported, and only found positions are declared.
 */
import type { RenderableApp } from "../desired";
import { DisApiError, type DisClient } from "../dis";
import { plural as count, runBounded, validRange, type Convention } from "../provider";
import { appStreams } from "./export";

/** What reading one partition found. */
export type Finding =
  | { kind: "empty"; first: string }
  | { kind: "found"; sequenceNumber: string; timestamp: number; first: string; fromEarliest: boolean }
  | { kind: "none-after"; next: string }
  | { kind: "expired"; earliestMs: number | undefined };

export type Outcome =
  | { kind: "declare"; sequenceNumber: string; record: { sequenceNumber: string; timestamp: number }; fromEarliest: boolean }
  | { kind: "note"; message: string }
  | { kind: "error"; message: string };

export interface PartitionResolution {
  partition: number;
  outcome: Outcome;
}

export const CONVENTION_RULE: Record<Convention, string> = {
  next: "a checkpoint is the next sequence number to read, so the first record at or after the instant is declared",
  last: "a checkpoint is the last sequence number read, so the one before the first record at or after the instant is declared",
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The pure decision for one partition. */
export function decide(finding: Finding, convention: Convention, atMs: number): Outcome {
  switch (finding.kind) {
    case "empty":
      return { kind: "note", message: `empty (no retained records; the next will be ${finding.first}): nothing declared` };
    case "none-after":
      return { kind: "note", message: `no record at or after ${iso(atMs)} yet (the next will be ${finding.next}): nothing declared` };
    case "expired": {
      const earliest = finding.earliestMs === undefined ? "" : ` (the earliest retained record is from ${iso(finding.earliestMs)})`;
      return {
        kind: "error",
        message: `${iso(atMs)} is before the retained range${earliest}: records from then are gone; pass --earliest to start from the earliest retained record instead`,
      };
    }
    case "found": {
      const record = { sequenceNumber: finding.sequenceNumber, timestamp: finding.timestamp };
      if (convention === "next") return { kind: "declare", sequenceNumber: finding.sequenceNumber, record, fromEarliest: finding.fromEarliest };
      const before = BigInt(finding.sequenceNumber) - 1n;
      // The record exists, so the partition's next sequence number lies beyond it.
      const range = validRange({ first: finding.first, next: String(BigInt(finding.sequenceNumber) + 1n) }, convention)!;
      if (before < range.lowest) {
        return {
          kind: "error",
          message:
            `convention 'last' needs ${before}, one before record ${finding.sequenceNumber}, but the partition retains ${finding.first} onwards: ` +
            `no checkpoint makes the consumer start at its first retained record; reset the consumer to its earliest position instead`,
        };
      }
      return { kind: "declare", sequenceNumber: String(before), record, fromEarliest: finding.fromEarliest };
    }
  }
}

/** How many GetRecords pages one partition may read while looking for the first record at or after the instant. */
export const MAX_PAGES = 64;

const EXPIRED = /timestamp is expired, timestamp should be larger than (\d+)/;

/** Reads one partition: AT_TIMESTAMP (or TRIM_HORIZON when `earliest` and the instant is before retention), then records. */
export async function findPartition(
  client: DisClient,
  stream: string,
  range: { partition: number; first: string; next: string },
  atMs: number,
  earliest: boolean,
): Promise<Finding> {
  if (range.first === range.next) return { kind: "empty", first: range.first };
  let cursor: string;
  let fromEarliest = false;
  try {
    cursor = await client.getCursor({ stream, partition: range.partition, type: "AT_TIMESTAMP", timestamp: atMs });
  } catch (error) {
    const expired = error instanceof DisApiError && error.code === "DIS.4300" ? EXPIRED.exec(error.message) : null;
    if (!expired) throw error;
    if (!earliest) return { kind: "expired", earliestMs: Number(expired[1]) };
    cursor = await client.getCursor({ stream, partition: range.partition, type: "TRIM_HORIZON" });
    fromEarliest = true;
  }
  for (let page = 0; page < MAX_PAGES; page++) {
    const { records, nextCursor } = await client.getRecords({ cursor });
    // Producers may set timestamps out of order: the first record not older than the instant counts.
    const hit = records.find((record) => fromEarliest || record.timestamp >= atMs);
    if (hit) return { kind: "found", sequenceNumber: hit.sequenceNumber, timestamp: hit.timestamp, first: range.first, fromEarliest };
    if (records.length === 0) return { kind: "none-after", next: range.next };
    cursor = nextCursor;
  }
  throw new Error(`partition ${range.partition} of stream '${stream}': no record at or after ${iso(atMs)} in ${MAX_PAGES} pages; resolve a later instant`);
}

export interface StreamResolution {
  app: string;
  stream: string;
  partitions: PartitionResolution[];
}

export interface ResolveRequest {
  apps: readonly string[];
  streams: readonly string[];
  atMs: number;
  convention: Convention;
  earliest: boolean;
  /** Partitions read at once (the stack's concurrency setting). */
  concurrency: number;
}

export async function resolveApps(
  client: DisClient,
  request: ResolveRequest,
  progress: (line: string) => void,
): Promise<StreamResolution[]> {
  const results: StreamResolution[] = [];
  for (const app of request.apps) {
    for (const stream of await appStreams(client, app, request.streams)) {
      const description = await client.describeStream(stream);
      const partitions: PartitionResolution[] = [];
      const readable = description.partitions.flatMap((info) => (info.sequenceRange ? [{ partition: info.partition, ...info.sequenceRange }] : []));
      await runBounded(readable, request.concurrency, async (range) => {
        const finding = await findPartition(client, stream, range, request.atMs, request.earliest);
        partitions.push({ partition: range.partition, outcome: decide(finding, request.convention, request.atMs) });
      });
      partitions.sort((a, b) => a.partition - b.partition);
      progress(`${app} / ${stream}: ${count(partitions.length, "partition")} read`);
      results.push({ app, stream, partitions });
    }
  }
  return results;
}

/** The metadata each resolved checkpoint carries, so the commit says where it came from. */
export function resolveMetadata(atMs: number, convention: Convention, outcome: Extract<Outcome, { kind: "declare" }>): string {
  const source = outcome.fromEarliest ? "earliest retained record" : "first record at or after it";
  return `resolve --at ${iso(atMs)}: ${source} ${outcome.record.sequenceNumber} written ${iso(outcome.record.timestamp)}, convention ${convention}`;
}

export function resolvedDeclarations(results: readonly StreamResolution[], atMs: number, convention: Convention): RenderableApp[] {
  const apps = new Map<string, RenderableApp>();
  for (const result of results) {
    const app = apps.get(result.app) ?? { name: result.app, streams: [] };
    apps.set(result.app, app);
    const partitions = result.partitions.flatMap(({ partition, outcome }) =>
      outcome.kind === "declare" ? [{ ordinal: partition, sequenceNumber: outcome.sequenceNumber, metadata: resolveMetadata(atMs, convention, outcome) }] : [],
    );
    app.streams.push({ name: result.stream, partitions });
  }
  return [...apps.values()];
}

/** The report: one line per partition, errors and notes included. */
export function formatResolution(results: readonly StreamResolution[], atMs: number, convention: Convention): string {
  const lines = [`Instant: ${iso(atMs)}`, `Convention '${convention}': ${CONVENTION_RULE[convention]}.`];
  for (const result of results) {
    lines.push(`${result.app} / ${result.stream}`);
    for (const { partition, outcome } of result.partitions) {
      const text =
        outcome.kind === "declare"
          ? `${outcome.sequenceNumber} (record ${outcome.record.sequenceNumber} written ${iso(outcome.record.timestamp)}${outcome.fromEarliest ? ", the earliest retained: --earliest" : ""})`
          : outcome.kind === "error"
            ? `ERROR: ${outcome.message}`
            : outcome.message;
      lines.push(`  partition ${partition}: ${text}`);
    }
  }
  return lines.join("\n");
}

export function resolutionErrors(results: readonly StreamResolution[]): number {
  return results.reduce((count, result) => count + result.partitions.filter((p) => p.outcome.kind === "error").length, 0);
}
