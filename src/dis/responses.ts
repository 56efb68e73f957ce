/**
 * Success bodies → client types. Pure and tolerant where the API is loose (numbers or strings, missing
 * optional fields, unknown extra fields), strict where a wrong reading would move a checkpoint.
 */
import { z } from "zod";
import type { DataType, PartitionStatus, StreamStatus, StreamType } from "../contract";
import { parsePartitionId } from "./partition";
import { parseBracketRange, parseJsonExact, ResponseFormatError, wireOffset, wireSequenceNumber } from "./wire";

/** A documented enum, open to values DIS may add later. */
type Open<T extends string> = T | (string & {});

export interface Checkpoint {
  sequenceNumber: string;
  /** Omitted when DIS holds none (or an empty string). */
  metadata?: string;
}

export interface AppInfo {
  name: string;
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Streams the app has committed checkpoints on. */
  committedStreams: string[];
}

export interface PartitionConsumerState {
  partition: number;
  /** The committed checkpoint, null when the app never committed on this partition. */
  sequenceNumber: string | null;
  earliest: string;
  latest: string;
  status: Open<PartitionStatus>;
  metadata?: string;
}

export interface StreamSummary {
  name: string;
  status: Open<StreamStatus>;
  type: Open<StreamType>;
  dataType: Open<DataType>;
  partitionCount: number;
  retentionHours: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface PartitionInfo {
  partition: number;
  /** `shardId-0000000003`. */
  id: string;
  status: Open<PartitionStatus>;
  hashRange: { low: string; high: string } | null;
  /** `next` is the sequence number the next record will get; null while the partition has no range. */
  sequenceRange: { first: string; next: string } | null;
  parentPartitions?: string;
}

export interface StreamDescription {
  name: string;
  id: string;
  status: Open<StreamStatus>;
  type: Open<StreamType>;
  dataType: Open<DataType>;
  retentionHours: number;
  createdAt: number;
  lastModifiedAt: number;
  writablePartitionCount: number;
  readablePartitionCount: number;
  partitions: PartitionInfo[];
}

export interface DisRecordOut {
  sequenceNumber: string;
  data: Buffer;
  /** Epoch milliseconds when DIS stored the record. */
  timestamp: number;
  partitionKey?: string;
}

export interface RecordsPage {
  records: DisRecordOut[];
  nextCursor: string;
}

export type PutRecordResult =
  | { ok: true; partition: number; sequenceNumber: string }
  | { ok: false; errorCode: string; errorMessage: string };

export interface PutRecordsResult {
  failedRecordCount: number;
  records: PutRecordResult[];
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

const integer = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const optionalText = z.string().nullish().transform((value) => (value === null || value === "" ? undefined : value));

function readShape<S extends z.ZodType>(schema: S, body: string): z.output<S> {
  const result = schema.safeParse(parseJsonExact(body));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "the body" : issue.path.join(".");
  throw new ResponseFormatError(`${where}: ${issue?.message ?? "does not match the API"}`);
}

/** Server data that must be a partition id; a bad one is the server's fault, not the caller's. */
function wirePartition(value: string | number, field: string): number {
  try {
    return parsePartitionId(value);
  } catch {
    throw new ResponseFormatError(`${field} is ${JSON.stringify(value)}, not a partition id`);
  }
}

const ShowCheckpointBody = z.object({ sequence_number: z.unknown().optional(), metadata: optionalText });

/** null when DIS reports nothing committed (absent, empty or negative sequence number). */
export function parseShowCheckpoint(body: string): Checkpoint | null {
  const parsed = readShape(ShowCheckpointBody, body);
  const sequenceNumber = wireSequenceNumber(parsed.sequence_number, "sequence_number");
  if (sequenceNumber === null) return null;
  return parsed.metadata === undefined ? { sequenceNumber } : { sequenceNumber, metadata: parsed.metadata };
}

const AppBody = z.object({
  app_name: z.string().min(1),
  app_id: z.string(),
  create_time: integer,
  commit_checkpoint_stream_names: z.array(z.string()).nullish(),
});

function toAppInfo(app: z.output<typeof AppBody>): AppInfo {
  return { name: app.app_name, id: app.app_id, createdAt: app.create_time, committedStreams: app.commit_checkpoint_stream_names ?? [] };
}

export function parseAppInfo(body: string): AppInfo {
  return toAppInfo(readShape(AppBody, body));
}

const ListAppsBody = z.object({ has_more_app: z.boolean(), apps: z.array(AppBody).nullish() });

export function parseListAppsPage(body: string): Page<AppInfo> {
  const parsed = readShape(ListAppsBody, body);
  return { items: (parsed.apps ?? []).map(toAppInfo), hasMore: parsed.has_more_app };
}

const ConsumerStateBody = z.object({
  has_more: z.boolean(),
  partition_consuming_states: z
    .array(
      z.object({
        partition_id: z.union([z.string(), z.number()]),
        sequence_number: z.union([z.string(), z.number()]).nullish(),
        latest_offset: z.union([z.string(), z.number()]),
        earliest_offset: z.union([z.string(), z.number()]),
        status: z.string(),
        metadata: optionalText,
      }),
    )
    .nullish(),
});

export function parseConsumerStatePage(body: string): Page<PartitionConsumerState> {
  const parsed = readShape(ConsumerStateBody, body);
  const items = (parsed.partition_consuming_states ?? []).map((state, index): PartitionConsumerState => {
    const at = `partition_consuming_states.${index}`;
    return {
      partition: wirePartition(state.partition_id, `${at}.partition_id`),
      sequenceNumber: wireSequenceNumber(state.sequence_number, `${at}.sequence_number`),
      earliest: wireOffset(state.earliest_offset, `${at}.earliest_offset`),
      latest: wireOffset(state.latest_offset, `${at}.latest_offset`),
      status: state.status,
      ...(state.metadata === undefined ? {} : { metadata: state.metadata }),
    };
  });
  return { items, hasMore: parsed.has_more };
}

const StreamInfoBody = z.object({
  stream_name: z.string().min(1),
  status: z.string(),
  stream_type: z.string(),
  data_type: z.string(),
  partition_count: integer,
  retention_period: integer,
  create_time: integer,
});

const ListStreamsBody = z.object({
  has_more_streams: z.boolean(),
  stream_info_list: z.array(StreamInfoBody).nullish(),
});

export function parseListStreamsPage(body: string): Page<StreamSummary> {
  const parsed = readShape(ListStreamsBody, body);
  const items = (parsed.stream_info_list ?? []).map(
    (info): StreamSummary => ({
      name: info.stream_name,
      status: info.status,
      type: info.stream_type,
      dataType: info.data_type,
      partitionCount: info.partition_count,
      retentionHours: info.retention_period,
      createdAt: info.create_time,
    }),
  );
  return { items, hasMore: parsed.has_more_streams };
}

const DescribeStreamBody = z.object({
  stream_name: z.string().min(1),
  stream_id: z.string(),
  status: z.string(),
  stream_type: z.string(),
  data_type: z.string(),
  retention_period: integer,
  create_time: integer,
  last_modified_time: integer,
  writable_partition_count: integer,
  readable_partition_count: integer,
  has_more_partitions: z.boolean(),
  partitions: z
    .array(
      z.object({
        partition_id: z.string(),
        status: z.string(),
        hash_range: z.string().nullish(),
        sequence_number_range: z.string().nullish(),
        parent_partitions: optionalText,
      }),
    )
    .nullish(),
});

/** One page of DescribeStream: the stream's fields and a slice of its partitions. */
export function parseDescribeStreamPage(body: string): { stream: Omit<StreamDescription, "partitions"> } & Page<PartitionInfo> {
  const parsed = readShape(DescribeStreamBody, body);
  const items = (parsed.partitions ?? []).map((partition, index): PartitionInfo => {
    const at = `partitions.${index}`;
    const sequenceRange = parseBracketRange(partition.sequence_number_range, `${at}.sequence_number_range`);
    return {
      partition: wirePartition(partition.partition_id, `${at}.partition_id`),
      id: partition.partition_id,
      status: partition.status,
      hashRange: parseBracketRange(partition.hash_range, `${at}.hash_range`),
      sequenceRange: sequenceRange === null ? null : { first: sequenceRange.low, next: sequenceRange.high },
      ...(partition.parent_partitions === undefined ? {} : { parentPartitions: partition.parent_partitions }),
    };
  });
  return {
    stream: {
      name: parsed.stream_name,
      id: parsed.stream_id,
      status: parsed.status,
      type: parsed.stream_type,
      dataType: parsed.data_type,
      retentionHours: parsed.retention_period,
      createdAt: parsed.create_time,
      lastModifiedAt: parsed.last_modified_time,
      writablePartitionCount: parsed.writable_partition_count,
      readablePartitionCount: parsed.readable_partition_count,
    },
    items,
    hasMore: parsed.has_more_partitions,
  };
}

const CursorBody = z.object({ partition_cursor: z.string().min(1) });

export function parseCursor(body: string): string {
  return readShape(CursorBody, body).partition_cursor;
}

const RecordsBody = z.object({
  next_partition_cursor: z.string().min(1),
  records: z
    .array(
      z.object({
        sequence_number: z.union([z.string(), z.number()]),
        data: z.string(),
        timestamp: integer,
        partition_key: optionalText,
      }),
    )
    .nullish(),
});

export function parseRecords(body: string): RecordsPage {
  const parsed = readShape(RecordsBody, body);
  const records = (parsed.records ?? []).map((record, index): DisRecordOut => ({
    sequenceNumber: wireOffset(record.sequence_number, `records.${index}.sequence_number`),
    data: decodeBase64(record.data, `records.${index}.data`),
    timestamp: record.timestamp,
    ...(record.partition_key === undefined ? {} : { partitionKey: record.partition_key }),
  }));
  return { records, nextCursor: parsed.next_partition_cursor };
}

function decodeBase64(text: string, field: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new ResponseFormatError(`${field} is not base64`);
  }
  return Buffer.from(text, "base64");
}

const PutRecordsBody = z.object({
  failed_record_count: integer,
  records: z.array(
    z.object({
      partition_id: z.string().nullish(),
      sequence_number: z.union([z.string(), z.number()]).nullish(),
      error_code: optionalText,
      error_message: optionalText,
    }),
  ),
});

export function parsePutRecords(body: string, expectedCount: number): PutRecordsResult {
  const parsed = readShape(PutRecordsBody, body);
  if (parsed.records.length !== expectedCount) {
    throw new ResponseFormatError(`${parsed.records.length} results for ${expectedCount} records`);
  }
  const records = parsed.records.map((record, index): PutRecordResult => {
    const at = `records.${index}`;
    if (record.error_code !== undefined) {
      return { ok: false, errorCode: record.error_code, errorMessage: record.error_message ?? "" };
    }
    if (record.partition_id === undefined || record.partition_id === null) {
      throw new ResponseFormatError(`${at} has neither a partition_id nor an error_code`);
    }
    return {
      ok: true,
      partition: wirePartition(record.partition_id, `${at}.partition_id`),
      sequenceNumber: wireOffset(record.sequence_number, `${at}.sequence_number`),
    };
  });
  return { failedRecordCount: parsed.failed_record_count, records };
}
