import { createHash } from "node:crypto";
import { MAX_SEQUENCE_NUMBER } from "../contract";

/** `"3"` or `"shardId-0000000003"`; anything else is not a partition id. */
const PARTITION_ID_PATTERN = /^(?:(\d+)|shardId-(\d{10}))$/;
const SEQUENCE_NUMBER_PATTERN = /^\d+$/;
/** Larger ordinals cannot name a partition of any stream (the emulator caps partition counts far below). */
const MAX_ORDINAL_DIGITS = 10;

/**
 * The ordinal a partition id names, `undefined` when the id is malformed. Both input forms name the same
 * partition; ordinals too long to be real come back as `Number.MAX_SAFE_INTEGER` so that callers report
 * "partition does not exist" rather than "malformed".
 */
export function parsePartitionId(id: string): number | undefined {
  const match = PARTITION_ID_PATTERN.exec(id);
  if (!match) return undefined;
  const digits = (match[1] ?? match[2]) as string;
  const significant = digits.replace(/^0+(?=\d)/, "");
  return significant.length > MAX_ORDINAL_DIGITS ? Number.MAX_SAFE_INTEGER : Number(significant);
}

/** The output form the service uses: `shardId-` and the ordinal zero-padded to ten digits. */
export function shardId(ordinal: number): string {
  return `shardId-${String(ordinal).padStart(10, "0")}`;
}

/** A sequence number as a BigInt, `undefined` unless it is a decimal string within 0 … 2^63-1. */
export function parseSequenceNumber(text: string): bigint | undefined {
  if (!SEQUENCE_NUMBER_PATTERN.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_SEQUENCE_NUMBER ? value : undefined;
}

/** `"[<lo> : <hi>]"`, the spacing DIS uses for both hash ranges and sequence number ranges. */
export function formatRange(low: bigint, high: bigint): string {
  return `[${low} : ${high}]`;
}

/**
 * The inclusive hash-key range of one partition: 0 … 2^63-1 split evenly, the last partition taking the
 * remainder. Reproduces the documented examples (`[0 : 4611686018427387902]`, `[4611686018427387903 : …807]`).
 */
export function hashRange(ordinal: number, partitionCount: number): { low: bigint; high: bigint } {
  const width = MAX_SEQUENCE_NUMBER / BigInt(partitionCount);
  const low = width * BigInt(ordinal);
  const high = ordinal === partitionCount - 1 ? MAX_SEQUENCE_NUMBER : low + width - 1n;
  return { low, high };
}

/** The partition whose hash range holds `hashKey` (0 … 2^63-1). */
export function partitionForHashKey(hashKey: bigint, partitionCount: number): number {
  const width = MAX_SEQUENCE_NUMBER / BigInt(partitionCount);
  const ordinal = Number(hashKey / width);
  return Math.min(ordinal, partitionCount - 1);
}

/**
 * The hash key of a `partition_key`: the first 8 bytes of its MD5 digest, big-endian, limited to 63 bits.
 * DIS does not document its function; this one spreads keys evenly and is stable across runs.
 */
export function hashPartitionKey(partitionKey: string): bigint {
  const digest = createHash("md5").update(partitionKey, "utf8").digest();
  return digest.readBigUInt64BE(0) & MAX_SEQUENCE_NUMBER;
}
