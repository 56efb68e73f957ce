import { CHECKPOINT_TYPE, CURSOR_TYPES, type CursorType, type DataType, type StreamType } from "../contract";
import { errors } from "./errors";
import { parsePartitionId, parseSequenceNumber } from "./identifiers";
import type { CheckpointKey, CursorRequest, PartitionRef, RecordInput, StreamSpec } from "./state";

/**
 * Turns raw query parameters and JSON bodies into typed inputs for the state model. Only syntax and types
 * are checked here (missing fields, malformed ids and numbers, page sizes); existence, ranges and quotas are
 * the state's business. Every failure is one of the API's own errors.
 */

/** Decoded query parameters; the first value wins when a key repeats. */
export type Query = ReadonlyMap<string, string>;
type JsonObject = Record<string, unknown>;

export interface PageRequest<Start> {
  startAfter: Start | undefined;
  limit: number;
}

/** Page sizes per operation: range and default, as documented. */
export const PAGE_LIMITS = {
  ListStreams: { parameter: "limit", min: 1, max: 100, default: 10 },
  ListApps: { parameter: "limit", min: 1, max: 100, default: 10 },
  DescribeStream: { parameter: "limit_partitions", min: 1, max: 1000, default: 100 },
  ShowConsumerState: { parameter: "limit", min: 1, max: 1000, default: 100 },
} as const;

/** GetRecords budget: `max_fetch_bytes` default and cap, and the most records one call returns. */
export const FETCH_LIMITS = { defaultBytes: 1024 * 1024, maxBytes: 4 * 1024 * 1024, maxRecords: 1000 } as const;

const STREAM_TYPES: readonly StreamType[] = ["COMMON", "ADVANCED"];
const DATA_TYPES: readonly DataType[] = ["BLOB", "JSON", "CSV"];
const MAX_PARTITION_KEY_LENGTH = 256;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^\d+$/;

// ---- bodies -----------------------------------------------------------------------------------

export function parseJsonBody(raw: Buffer): JsonObject {
  if (raw.length === 0) throw errors.emptyRequest();
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw errors.invalidRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(body)) throw errors.invalidRequest("the body must be a JSON object");
  return body;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `at` prefixes the field in messages when it is nested (`records[3].`). */
function requiredString(source: JsonObject, field: string, at = ""): string {
  const value = source[field];
  if (value === undefined || value === null || value === "") throw errors.invalidRequest(`${at}${field} is required`);
  if (typeof value !== "string") throw errors.invalidRequest(`${at}${field} must be a string, got ${typeOf(value)}`);
  return value;
}

function optionalString(source: JsonObject, field: string, at = ""): string | undefined {
  return source[field] === undefined || source[field] === null ? undefined : requiredString(source, field, at);
}

function optionalInteger(source: JsonObject, field: string, at = ""): number | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw errors.invalidRequest(`${at}${field} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalEnum<T extends string>(source: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(source, field);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw errors.invalidRequest(`${field} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T | undefined;
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
}

// ---- shared fields ----------------------------------------------------------------------------

export function partitionRef(id: string): PartitionRef {
  const ordinal = parsePartitionId(id);
  if (ordinal === undefined) throw errors.invalidPartitionId(id);
  return { ordinal, id };
}

function sequenceNumber(field: string, text: string): bigint {
  const value = parseSequenceNumber(text);
  if (value === undefined) throw errors.invalidSequenceNumber(field, text);
  return value;
}

function checkpointType(value: string): void {
  if (value !== CHECKPOINT_TYPE) {
    throw errors.invalidRequest(`checkpoint_type must be ${CHECKPOINT_TYPE}, got ${JSON.stringify(value)}`);
  }
}

function queryString(query: Query, name: string): string {
  const value = query.get(name);
  if (value === undefined || value === "") throw errors.invalidRequest(`${name} is required`);
  return value;
}

function optionalQueryString(query: Query, name: string): string | undefined {
  const value = query.get(name);
  return value === undefined || value === "" ? undefined : value;
}

function queryInteger(query: Query, name: string, min: number, max: number, fallback: number): number {
  const text = optionalQueryString(query, name);
  if (text === undefined) return fallback;
  const value = DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw errors.invalidRequest(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function pageLimit(query: Query, operation: keyof typeof PAGE_LIMITS): number {
  const { parameter, min, max, default: fallback } = PAGE_LIMITS[operation];
  return queryInteger(query, parameter, min, max, fallback);
}

function startPartition(query: Query, name: string): number | undefined {
  const id = optionalQueryString(query, name);
  return id === undefined ? undefined : partitionRef(id).ordinal;
}

// ---- streams ----------------------------------------------------------------------------------

export function parseCreateStream(body: JsonObject): StreamSpec {
  const partitionCount = optionalInteger(body, "partition_count");
  if (partitionCount === undefined) throw errors.invalidRequest("partition_count is required");
  const spec: StreamSpec = { name: requiredString(body, "stream_name"), partitionCount };
  const streamType = optionalEnum(body, "stream_type", STREAM_TYPES);
  const dataType = optionalEnum(body, "data_type", DATA_TYPES);
  const retentionHours = optionalInteger(body, "data_duration");
  if (streamType !== undefined) spec.streamType = streamType;
  if (dataType !== undefined) spec.dataType = dataType;
  if (retentionHours !== undefined) spec.retentionHours = retentionHours;
  return spec;
}

export function parseListStreams(query: Query): PageRequest<string> {
  return { startAfter: optionalQueryString(query, "start_stream_name"), limit: pageLimit(query, "ListStreams") };
}

/** `start_partitionId` (this exact spelling) accepts either partition id form. */
export function parseDescribeStream(query: Query): PageRequest<number> {
  return { startAfter: startPartition(query, "start_partitionId"), limit: pageLimit(query, "DescribeStream") };
}

// ---- records and cursors ----------------------------------------------------------------------

export function parsePutRecords(body: JsonObject): { stream: string; records: RecordInput[] } {
  const stream = requiredString(body, "stream_name");
  const records = body.records;
  if (!Array.isArray(records) || records.length === 0) {
    throw errors.invalidRequest("records must be a non-empty array");
  }
  return { stream, records: records.map((entry, index) => parseRecord(entry, `records[${index}]`)) };
}

function parseRecord(entry: unknown, where: string): RecordInput {
  if (!isObject(entry)) throw errors.invalidRequest(`${where} must be an object`);
  const at = `${where}.`;
  const data = requiredString(entry, "data", at);
  if (!BASE64_PATTERN.test(data)) throw errors.invalidRequest(`${at}data must be base64 (standard alphabet, padded)`);
  const record: RecordInput = { data };
  const partitionId = optionalString(entry, "partition_id", at);
  if (partitionId !== undefined) record.partition = partitionRef(partitionId);
  const hashKey = optionalString(entry, "explicit_hash_key", at);
  if (hashKey !== undefined) {
    const value = parseSequenceNumber(hashKey);
    if (value === undefined) throw errors.invalidRequest(`${at}explicit_hash_key must be a decimal from 0 to 2^63-1`);
    record.explicitHashKey = value;
  }
  const partitionKey = optionalString(entry, "partition_key", at);
  if (partitionKey !== undefined) {
    if (partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
      throw errors.invalidRequest(`${at}partition_key is longer than ${MAX_PARTITION_KEY_LENGTH} characters`);
    }
    record.partitionKey = partitionKey;
  }
  const timestamp = optionalInteger(entry, "timestamp", at);
  if (timestamp !== undefined) {
    if (timestamp < 0) throw errors.invalidRequest(`${at}timestamp must be epoch milliseconds, got ${timestamp}`);
    record.timestamp = timestamp;
  }
  return record;
}

/** ShowCursor's query names use hyphens. `cursor-type` defaults to AT_SEQUENCE_NUMBER, as documented. */
export function parseGetCursor(query: Query): { stream: string; partition: PartitionRef; request: CursorRequest } {
  const stream = queryString(query, "stream-name");
  const partition = partitionRef(queryString(query, "partition-id"));
  const type = optionalQueryString(query, "cursor-type") ?? "AT_SEQUENCE_NUMBER";
  if (!(CURSOR_TYPES as readonly string[]).includes(type)) throw errors.invalidCursorType(type);
  return { stream, partition, request: cursorRequest(query, type as CursorType) };
}

function cursorRequest(query: Query, type: CursorType): CursorRequest {
  switch (type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER": {
      const text = query.get("starting-sequence-number") ?? "";
      return { type, sequenceNumber: sequenceNumber("starting-sequence-number", text) };
    }
    case "AT_TIMESTAMP": {
      const text = optionalQueryString(query, "timestamp");
      if (text === undefined || !DIGITS.test(text) || !Number.isSafeInteger(Number(text))) {
        throw errors.invalidRequest(`timestamp must be epoch milliseconds with AT_TIMESTAMP, got ${JSON.stringify(text ?? "")}`);
      }
      return { type, timestamp: Number(text) };
    }
    case "TRIM_HORIZON":
    case "LATEST":
      return { type };
  }
}

/** ConsumeRecords: `partition-cursor` (hyphen), `max_fetch_bytes` (underscore). */
export function parseGetRecords(query: Query): { cursor: string; maxBytes: number } {
  return {
    cursor: queryString(query, "partition-cursor"),
    maxBytes: queryInteger(query, "max_fetch_bytes", 1, FETCH_LIMITS.maxBytes, FETCH_LIMITS.defaultBytes),
  };
}

// ---- apps -------------------------------------------------------------------------------------

export function parseCreateApp(body: JsonObject): string {
  return requiredString(body, "app_name");
}

export function parseListApps(query: Query): PageRequest<string> & { stream: string | undefined } {
  return {
    startAfter: optionalQueryString(query, "start_app_name"),
    limit: pageLimit(query, "ListApps"),
    stream: optionalQueryString(query, "stream_name"),
  };
}

export function parseConsumerState(query: Query): PageRequest<number> {
  checkpointType(queryString(query, "checkpoint_type"));
  return { startAfter: startPartition(query, "start_partition_id"), limit: pageLimit(query, "ShowConsumerState") };
}

// ---- checkpoints ------------------------------------------------------------------------------

export function parseCommitCheckpoint(body: JsonObject): CheckpointKey & { sequenceNumber: bigint; metadata: string } {
  const key = {
    app: requiredString(body, "app_name"),
    stream: requiredString(body, "stream_name"),
    partition: partitionRef(requiredString(body, "partition_id")),
  };
  checkpointType(requiredString(body, "checkpoint_type"));
  return {
    ...key,
    sequenceNumber: sequenceNumber("sequence_number", requiredString(body, "sequence_number")),
    metadata: optionalString(body, "metadata") ?? "",
  };
}

export function parseShowCheckpoint(query: Query): CheckpointKey {
  checkpointType(queryString(query, "checkpoint_type"));
  return {
    app: queryString(query, "app_name"),
    stream: queryString(query, "stream_name"),
    partition: partitionRef(queryString(query, "partition_id")),
  };
}

/** Without `partition_id` the delete covers every partition of the stream. */
export function parseDeleteCheckpoint(query: Query): Omit<CheckpointKey, "partition"> & { partition?: PartitionRef } {
  checkpointType(queryString(query, "checkpoint_type"));
  const key = { app: queryString(query, "app_name"), stream: queryString(query, "stream_name") };
  const partitionId = optionalQueryString(query, "partition_id");
  return partitionId === undefined ? key : { ...key, partition: partitionRef(partitionId) };
}
