/** The DIS operations this project needs, typed, over one pooled, retrying, signing transport. */
import { CHECKPOINT_TYPE, PATHS, type CursorType, type OperationName } from "../contract";
import { checkAppName, checkCursorArguments, checkMetadata, checkPositiveInteger, checkSequenceNumber, checkStreamName } from "./arguments";
import { AccessKeyCredentials, TokenCredentials, resolveCredentials, type CredentialOptions, type DisCredentials } from "./credentials";
import { resolveEndpoint, type EndpointOptions } from "./endpoint";
import { DisApiError, DisInputError } from "./errors";
import { collectPages } from "./paging";
import { formatPartitionId, parsePartitionId } from "./partition";
import {
  parseAppInfo,
  parseConsumerStatePage,
  parseCursor,
  parseDescribeStreamPage,
  parseListAppsPage,
  parseListStreamsPage,
  parsePutRecords,
  parseRecords,
  parseShowCheckpoint,
  type AppInfo,
  type Checkpoint,
  type PartitionConsumerState,
  type PartitionInfo,
  type PutRecordsResult,
  type RecordsPage,
  type StreamDescription,
  type StreamSummary,
} from "./responses";
import { Transport, type DisRequest, type TransportTuning } from "./transport";

export interface DisClientOptions extends EndpointOptions, TransportTuning {
  /** The Huawei Cloud project the streams and apps belong to; also sent (signed) as X-Project-Id. */
  projectId: string;
  /**
   * Explicit credentials (e.g. from stack config) or ready credentials objects. Whatever is not given here is
   * read from the environment at each call, see {@link resolveCredentials}.
   */
  credentials?: CredentialOptions | DisCredentials | undefined;
  /** The environment to read credentials from; defaults to process.env at call time. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** A partition as an ordinal (`3`) or in either id form (`"3"`, `"shardId-0000000003"`). */
export type PartitionRef = number | string;

export interface CheckpointRef {
  app: string;
  stream: string;
  partition: PartitionRef;
}

export interface PutRecordInput {
  /** Target partition; otherwise DIS hashes `partitionKey` (or picks one). */
  partition?: PartitionRef;
  partitionKey?: string;
  data: Buffer | string;
  /** Epoch milliseconds; DIS stamps the arrival time when absent. */
  timestamp?: number;
}

export interface DisClient {
  readonly projectId: string;
  /**
   * Sets the app's LAST_READ checkpoint on one partition (an absolute value). `onUnknownOutcome: "fail"`
   * throws a flagged error (`outcomeUnknown`) instead of retrying when an attempt may have been applied.
   */
  commitCheckpoint(
    input: CheckpointRef & { sequenceNumber: string; metadata?: string },
    options?: { onUnknownOutcome?: "retry" | "fail" },
  ): Promise<void>;
  /** null when the app has no checkpoint there. */
  showCheckpoint(input: CheckpointRef): Promise<Checkpoint | null>;
  /** Without `partition`, deletes the app's checkpoints on every partition of the stream. */
  deleteCheckpoint(input: { app: string; stream: string; partition?: PartitionRef }): Promise<void>;
  createApp(name: string): Promise<void>;
  /** null when the app does not exist. */
  showApp(name: string): Promise<AppInfo | null>;
  /** Every app (all pages), optionally only those associated with a stream. */
  listApps(filter?: { stream?: string }): Promise<AppInfo[]>;
  deleteApp(name: string): Promise<void>;
  /** Every partition's checkpoint and retained range for the app on the stream (all pages). */
  consumerState(input: { app: string; stream: string }): Promise<PartitionConsumerState[]>;
  listStreams(): Promise<StreamSummary[]>;
  /** The stream with all its partitions (all pages). */
  describeStream(name: string): Promise<StreamDescription>;
  getCursor(input: {
    stream: string;
    partition: PartitionRef;
    type: CursorType;
    sequenceNumber?: string;
    /** Epoch milliseconds, for AT_TIMESTAMP. */
    timestamp?: number;
  }): Promise<string>;
  getRecords(input: { cursor: string; maxFetchBytes?: number }): Promise<RecordsPage>;
  /** Writes records (seeding and tests). A retried call may write a record twice. */
  putRecords(input: { stream: string; records: PutRecordInput[] }): Promise<PutRecordsResult>;
  /** Closes pooled connections; later calls fail. */
  close(): Promise<void>;
}

const PAGE_SIZE = 100;
const PROJECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function createDisClient(options: DisClientOptions): DisClient {
  const { origin } = resolveEndpoint(options);
  if (!PROJECT_ID_PATTERN.test(options.projectId)) {
    throw new DisInputError("projectId", `invalid project id ${JSON.stringify(options.projectId)}: expected the project's id, e.g. 0123456789abcdef0123456789abcdef`);
  }
  checkPositiveInteger(options.connections, "connections");
  checkPositiveInteger(options.retry?.maxAttempts, "retry.maxAttempts");
  const { projectId } = options;
  const given = options.credentials;
  const credentials =
    given instanceof AccessKeyCredentials || given instanceof TokenCredentials
      ? () => given
      : () => resolveCredentials(given, options.env ?? process.env);
  const transport = new Transport({ ...options, origin, projectId, credentials });

  /** null for the error code that means "does not exist", instead of an error. */
  async function nullOn<T>(code: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DisApiError && error.code === code) return null;
      throw error;
    }
  }

  function checkpointQuery(input: { app: string; stream: string }, partition: number | undefined) {
    return {
      stream_name: checkStreamName(input.stream),
      app_name: checkAppName(input.app),
      checkpoint_type: CHECKPOINT_TYPE,
      partition_id: partition === undefined ? undefined : formatPartitionId(partition),
    };
  }

  function get(operation: OperationName, path: string, query: DisRequest["query"], subject: DisRequest["subject"]): DisRequest {
    return { operation, method: "GET", path, query, subject };
  }

  return {
    projectId,

    async commitCheckpoint(input, options = {}) {
      const partition = parsePartitionId(input.partition);
      const metadata = checkMetadata(input.metadata);
      const body = {
        app_name: checkAppName(input.app),
        checkpoint_type: CHECKPOINT_TYPE,
        stream_name: checkStreamName(input.stream),
        partition_id: formatPartitionId(partition),
        sequence_number: checkSequenceNumber(input.sequenceNumber),
        ...(metadata === undefined ? {} : { metadata }),
      };
      const subject = { app: input.app, stream: input.stream, partition, sequenceNumber: input.sequenceNumber };
      await transport.send({
        operation: "CommitCheckpoint",
        method: "POST",
        path: PATHS.checkpoints(projectId),
        body,
        subject,
        ...(options.onUnknownOutcome ? { onUnknownOutcome: options.onUnknownOutcome } : {}),
      });
    },

    async showCheckpoint(input) {
      const partition = parsePartitionId(input.partition);
      const request = get("ShowCheckpoint", PATHS.checkpoints(projectId), checkpointQuery(input, partition), {
        app: input.app,
        stream: input.stream,
        partition,
      });
      // DIS.4375 is the documented "no checkpoint committed"; a 200 with -1 means the same.
      return nullOn("DIS.4375", () => transport.sendFor(request, parseShowCheckpoint));
    },

    async deleteCheckpoint(input) {
      const partition = input.partition === undefined ? undefined : parsePartitionId(input.partition);
      await transport.send({
        operation: "DeleteCheckpoint",
        method: "DELETE",
        path: PATHS.checkpoints(projectId),
        query: checkpointQuery(input, partition),
        subject: { app: input.app, stream: input.stream, partition },
      });
    },

    async createApp(name) {
      const body = { app_name: checkAppName(name) };
      await transport.send({ operation: "CreateApp", method: "POST", path: PATHS.apps(projectId), body, subject: { app: name } });
    },

    async showApp(name) {
      const request = get("ShowApp", PATHS.app(projectId, checkAppName(name)), undefined, { app: name });
      return nullOn("DIS.4332", () => transport.sendFor(request, parseAppInfo));
    },

    async listApps(filter = {}) {
      const stream = filter.stream === undefined ? undefined : checkStreamName(filter.stream);
      return collectPages(
        "ListApps",
        (after) =>
          transport.sendFor(
            get("ListApps", PATHS.apps(projectId), { limit: PAGE_SIZE, start_app_name: after, stream_name: stream }, { stream }),
            parseListAppsPage,
          ),
        (app) => app.name,
      );
    },

    async deleteApp(name) {
      const path = PATHS.app(projectId, checkAppName(name));
      await transport.send({ operation: "DeleteApp", method: "DELETE", path, subject: { app: name } });
    },

    async consumerState(input) {
      const path = PATHS.consumerState(projectId, checkAppName(input.app), checkStreamName(input.stream));
      return collectPages(
        "ShowConsumerState",
        (after) =>
          transport.sendFor(
            get("ShowConsumerState", path, { checkpoint_type: CHECKPOINT_TYPE, limit: PAGE_SIZE, start_partition_id: after }, input),
            parseConsumerStatePage,
          ),
        (state) => formatPartitionId(state.partition),
      );
    },

    async listStreams() {
      return collectPages(
        "ListStreams",
        (after) =>
          transport.sendFor(
            get("ListStreams", PATHS.streams(projectId), { limit: PAGE_SIZE, start_stream_name: after }, {}),
            parseListStreamsPage,
          ),
        (stream) => stream.name,
      );
    },

    async describeStream(name) {
      const path = PATHS.stream(projectId, checkStreamName(name));
      let stream: Omit<StreamDescription, "partitions"> | undefined;
      const partitions = await collectPages<PartitionInfo>(
        "DescribeStream",
        async (after) => {
          const page = await transport.sendFor(
            get("DescribeStream", path, { limit_partitions: PAGE_SIZE, start_partitionId: after }, { stream: name }),
            parseDescribeStreamPage,
          );
          stream = page.stream;
          return page;
        },
        (partition) => partition.id,
      );
      // collectPages fetches at least one page, which sets `stream`.
      return { ...(stream as Omit<StreamDescription, "partitions">), partitions };
    },

    async getCursor(input) {
      const partition = parsePartitionId(input.partition);
      const position = checkCursorArguments(input);
      const query = {
        "stream-name": checkStreamName(input.stream),
        "partition-id": formatPartitionId(partition),
        "cursor-type": position.type,
        "starting-sequence-number": position.sequenceNumber,
        timestamp: position.timestamp,
      };
      const subject = { stream: input.stream, partition, sequenceNumber: input.sequenceNumber };
      return transport.sendFor(get("GetCursor", PATHS.cursors(projectId), query, subject), parseCursor);
    },

    async getRecords(input) {
      if (typeof input.cursor !== "string" || input.cursor === "") {
        throw new DisInputError("cursor", "getRecords needs the cursor returned by getCursor or by the previous getRecords");
      }
      const query = { "partition-cursor": input.cursor, max_fetch_bytes: checkPositiveInteger(input.maxFetchBytes, "maxFetchBytes") };
      return transport.sendFor(get("GetRecords", PATHS.records(projectId), query, {}), parseRecords);
    },

    async putRecords(input) {
      if (input.records.length === 0) throw new DisInputError("records", "putRecords needs at least one record");
      const body = {
        stream_name: checkStreamName(input.stream),
        records: input.records.map((record) => ({
          data: Buffer.from(record.data).toString("base64"),
          ...(record.partition === undefined ? {} : { partition_id: formatPartitionId(parsePartitionId(record.partition)) }),
          ...(record.partitionKey === undefined ? {} : { partition_key: record.partitionKey }),
          ...(record.timestamp === undefined ? {} : { timestamp: record.timestamp }),
        })),
      };
      const request: DisRequest = { operation: "PutRecords", method: "POST", path: PATHS.records(projectId), body, subject: { stream: input.stream } };
      return transport.sendFor(request, (text) => parsePutRecords(text, body.records.length));
    },

    close: () => transport.close(),
  };
}
