import {
  CHECKPOINT_TYPE,
  type ConsumeRecordsResponse,
  type DescribeAppResult,
  type DisRecord,
  type ListAppsResponse,
  type ListStreamsResponse,
  type OperationName,
  type PartitionResult,
  type PutRecordsResponse,
  type ShowCheckpointResponse,
  type StreamInfo,
} from "../contract";
import { decodeCursor, encodeCursor } from "./cursor";
import { formatRange, hashRange, shardId } from "./identifiers";
import type { StoredRecord } from "./log";
import type { AppView, EmulatorState, PartitionView, StreamView } from "./state";
import * as validation from "./validation";

/** What a handler gets: the matched path parameters, decoded query, raw body, the state and the time. */
export interface OperationContext {
  params: Readonly<Record<string, string>>;
  query: validation.Query;
  body: Buffer;
  state: EmulatorState;
  now: number;
}

export interface Reply {
  status: number;
  /** Serialised with `toJson` (BigInt-exact); absent for the empty 201/204 bodies. */
  body?: unknown;
}

interface Operation {
  name: OperationName;
  method: "GET" | "POST" | "DELETE";
  /** Path below `/v2/{project_id}/`; `:name` segments capture a parameter. */
  path: string;
  handle(context: OperationContext): Reply;
}

const CREATED: Reply = { status: 201 };
const NO_CONTENT: Reply = { status: 204 };
const ok = (body: unknown): Reply => ({ status: 200, body });

const OPERATION_TABLE: readonly Operation[] = [
  {
    name: "CreateStream",
    method: "POST",
    path: "streams",
    handle: ({ body, state }) => {
      state.createStream(validation.parseCreateStream(validation.parseJsonBody(body)));
      return CREATED;
    },
  },
  {
    name: "ListStreams",
    method: "GET",
    path: "streams",
    handle: ({ query, state }) => {
      const { startAfter, limit } = validation.parseListStreams(query);
      const page = state.listStreams(startAfter, limit);
      const response: ListStreamsResponse = {
        total_number: page.total,
        stream_names: page.items.map((stream) => stream.name),
        has_more_streams: page.hasMore,
        stream_info_list: page.items.map(streamInfo),
      };
      return ok(response);
    },
  },
  {
    name: "DescribeStream",
    method: "GET",
    path: "streams/:stream",
    handle: ({ params, query, state }) => {
      const { startAfter, limit } = validation.parseDescribeStream(query);
      const stream = state.describeStream(params.stream as string);
      const page = state.describePartitions(stream.name, startAfter, limit);
      return ok({
        ...streamInfo(stream),
        last_modified_time: stream.lastModifiedTime,
        partitions: page.items.map((partition) => partitionResult(partition, stream.partitionCount)),
        has_more_partitions: page.hasMore,
        writable_partition_count: stream.partitionCount,
        readable_partition_count: stream.partitionCount,
        update_partition_counts: [],
      });
    },
  },
  {
    name: "DeleteStream",
    method: "DELETE",
    path: "streams/:stream",
    handle: ({ params, state }) => {
      state.deleteStream(params.stream as string);
      return NO_CONTENT;
    },
  },
  {
    name: "PutRecords",
    method: "POST",
    path: "records",
    handle: ({ body, state }) => {
      const { stream, records } = validation.parsePutRecords(validation.parseJsonBody(body));
      const results = state.putRecords(stream, records);
      const response: PutRecordsResponse = {
        failed_record_count: 0,
        records: results.map((result) => ({
          partition_id: shardId(result.partition),
          sequence_number: String(result.sequenceNumber),
        })),
      };
      return ok(response);
    },
  },
  {
    name: "GetCursor",
    method: "GET",
    path: "cursors",
    handle: ({ query, state }) => {
      const { stream, partition, request } = validation.parseGetCursor(query);
      return ok({ partition_cursor: encodeCursor(state.issueCursor(stream, partition, request)) });
    },
  },
  {
    name: "GetRecords",
    method: "GET",
    path: "records",
    handle: ({ query, state, now }) => {
      const { cursor, maxBytes } = validation.parseGetRecords(query);
      const { records, next } = state.readRecords(decodeCursor(cursor, now), maxBytes, validation.FETCH_LIMITS.maxRecords);
      const response: ConsumeRecordsResponse = {
        records: records.map(disRecord),
        next_partition_cursor: encodeCursor(next),
      };
      return ok(response);
    },
  },
  {
    name: "CreateApp",
    method: "POST",
    path: "apps",
    handle: ({ body, state }) => {
      state.createApp(validation.parseCreateApp(validation.parseJsonBody(body)));
      return CREATED;
    },
  },
  {
    name: "ListApps",
    method: "GET",
    path: "apps",
    handle: ({ query, state }) => {
      const { startAfter, limit, stream } = validation.parseListApps(query);
      const page = state.listApps(startAfter, limit, stream);
      const response: ListAppsResponse = {
        has_more_app: page.hasMore,
        apps: page.items.map(appResult),
        total_number: page.total,
      };
      return ok(response);
    },
  },
  {
    name: "ShowApp",
    method: "GET",
    path: "apps/:app",
    handle: ({ params, state }) => ok(appResult(state.showApp(params.app as string))),
  },
  {
    name: "DeleteApp",
    method: "DELETE",
    path: "apps/:app",
    handle: ({ params, state }) => {
      state.deleteApp(params.app as string);
      return NO_CONTENT;
    },
  },
  {
    name: "ShowConsumerState",
    method: "GET",
    path: "apps/:app/streams/:stream",
    handle: ({ params, query, state }) => {
      const { startAfter, limit } = validation.parseConsumerState(query);
      const page = state.consumerState(params.app as string, params.stream as string, startAfter, limit);
      return ok({
        has_more: page.hasMore,
        stream_name: params.stream,
        app_name: params.app,
        partition_consuming_states: page.items.map((partition) => ({
          partition_id: shardId(partition.ordinal),
          sequence_number: partition.checkpoint ? String(partition.checkpoint.sequenceNumber) : "-1",
          latest_offset: partition.next,
          earliest_offset: partition.earliest,
          checkpoint_type: CHECKPOINT_TYPE,
          status: "ACTIVE",
          metadata: partition.checkpoint?.metadata,
        })),
      });
    },
  },
  {
    name: "CommitCheckpoint",
    method: "POST",
    path: "checkpoints",
    handle: ({ body, state }) => {
      const { sequenceNumber, metadata, ...key } = validation.parseCommitCheckpoint(validation.parseJsonBody(body));
      state.commitCheckpoint(key, sequenceNumber, metadata);
      return CREATED;
    },
  },
  {
    name: "ShowCheckpoint",
    method: "GET",
    path: "checkpoints",
    handle: ({ query, state }) => {
      const checkpoint = state.showCheckpoint(validation.parseShowCheckpoint(query));
      const response: ShowCheckpointResponse = checkpoint
        ? { sequence_number: String(checkpoint.sequenceNumber), metadata: checkpoint.metadata }
        : { sequence_number: "-1", metadata: "" };
      return ok(response);
    },
  },
  {
    name: "DeleteCheckpoint",
    method: "DELETE",
    path: "checkpoints",
    handle: ({ query, state }) => {
      state.deleteCheckpoint(validation.parseDeleteCheckpoint(query));
      return NO_CONTENT;
    },
  },
];

export interface MatchedOperation {
  operation: Operation;
  projectId: string;
  params: Record<string, string>;
}

/**
 * The operation a request addresses: `/v2/{project_id}/…` with decoded segments; a trailing `/` is
 * tolerated (the signature treats both spellings alike). `undefined` when nothing matches the method and path.
 */
export function matchOperation(method: string, segments: readonly string[]): MatchedOperation | undefined {
  const trimmed = segments[segments.length - 1] === "" ? segments.slice(0, -1) : segments;
  const [empty, version, projectId, ...rest] = trimmed;
  if (empty !== "" || version !== "v2" || !projectId) return undefined;
  for (const operation of OPERATION_TABLE) {
    if (operation.method !== method) continue;
    const params = matchPath(operation.path.split("/"), rest);
    if (params) return { operation, projectId, params };
  }
  return undefined;
}

function matchPath(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

// ---- wire shapes ------------------------------------------------------------------------------

function streamInfo(stream: StreamView): StreamInfo {
  return {
    stream_name: stream.name,
    stream_id: stream.id,
    create_time: stream.createTime,
    retention_period: stream.retentionHours,
    status: "RUNNING",
    stream_type: stream.streamType,
    data_type: stream.dataType,
    partition_count: stream.partitionCount,
  };
}

function partitionResult(partition: PartitionView, partitionCount: number): PartitionResult {
  const hash = hashRange(partition.ordinal, partitionCount);
  return {
    partition_id: shardId(partition.ordinal),
    status: "ACTIVE",
    hash_range: formatRange(hash.low, hash.high),
    sequence_number_range: formatRange(partition.earliest, partition.next),
  };
}

function appResult(app: AppView): DescribeAppResult {
  return {
    app_name: app.name,
    app_id: app.id,
    create_time: app.createTime,
    commit_checkpoint_stream_names: app.committedStreams,
  };
}

function disRecord(record: StoredRecord): DisRecord {
  const result: DisRecord = {
    sequence_number: String(record.sequenceNumber),
    data: record.data,
    timestamp: record.timestamp,
    timestamp_type: "CreateTime",
  };
  if (record.partitionKey !== undefined) result.partition_key = record.partitionKey;
  return result;
}
