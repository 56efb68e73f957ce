/**
 * The DIS REST API v2 wire contract: JSON shapes, query parameter names, limits and error codes,
 * as documented by Huawei Cloud. Types and constants only, no behaviour: the client (`src/dis`) and the
 * emulator (`src/emulator`) both build on this, and neither may share code with the other, so that one
 * misunderstanding of the API cannot hide in both.
 */

export const CHECKPOINT_TYPE = "LAST_READ" as const;
export type CheckpointType = typeof CHECKPOINT_TYPE;

export const MAX_SEQUENCE_NUMBER = 9223372036854775807n;
export const MAX_METADATA_LENGTH = 1000;
export const MAX_STREAM_NAME_LENGTH = 64;
export const MAX_APP_NAME_LENGTH = 200;
/** Names of streams and apps: letters, digits, `_` and `-` only. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Sequence numbers and partition ordinals in canonical form: decimal digits, no sign, no leading zeros. */
export const DECIMAL_DIGITS_PATTERN = /^(0|[1-9][0-9]*)$/;
/** A partition ordinal as text: canonical decimal digits, no more than a shard id holds. */
export const PARTITION_ORDINAL_PATTERN = /^(0|[1-9][0-9]{0,9})$/;
/** A partition id as DIS writes it: `shardId-` and the ordinal in ten digits. */
export const SHARD_ID_PATTERN = /^shardId-([0-9]{10})$/;
/** Either form of a partition id that DIS accepts as input. */
export const PARTITION_ID_PATTERN = /^(0|[1-9][0-9]{0,9}|shardId-[0-9]{10})$/;
/** The largest partition ordinal: DIS's SDKs read partition ids as 32-bit integers. */
export const MAX_PARTITION_ORDINAL = 2 ** 31 - 1;
/** Cursors expire five minutes after they are issued. */
export const CURSOR_TTL_MS = 5 * 60 * 1000;
/** The gateway refuses X-Sdk-Date values further than this from its clock. */
export const SIGNATURE_MAX_SKEW_MS = 15 * 60 * 1000;

export const CURSOR_TYPES = [
  "AT_SEQUENCE_NUMBER",
  "AFTER_SEQUENCE_NUMBER",
  "TRIM_HORIZON",
  "LATEST",
  "AT_TIMESTAMP",
] as const;
export type CursorType = (typeof CURSOR_TYPES)[number];

export type PartitionStatus = "CREATING" | "ACTIVE" | "DELETED" | "EXPIRED";
export type StreamStatus = "CREATING" | "RUNNING" | "TERMINATING" | "FROZEN";
export type StreamType = "COMMON" | "ADVANCED";
export type DataType = "BLOB" | "JSON" | "CSV";

/** Paths, relative to the endpoint. `{project_id}` etc. are percent-encoded path segments. */
export const PATHS = {
  checkpoints: (projectId: string) => `/v2/${projectId}/checkpoints`,
  apps: (projectId: string) => `/v2/${projectId}/apps`,
  app: (projectId: string, appName: string) => `/v2/${projectId}/apps/${appName}`,
  consumerState: (projectId: string, appName: string, streamName: string) =>
    `/v2/${projectId}/apps/${appName}/streams/${streamName}`,
  streams: (projectId: string) => `/v2/${projectId}/streams`,
  stream: (projectId: string, streamName: string) => `/v2/${projectId}/streams/${streamName}`,
  records: (projectId: string) => `/v2/${projectId}/records`,
  cursors: (projectId: string) => `/v2/${projectId}/cursors`,
} as const;

/**
 * The DIS operations this project uses, named as in Huawei's API reference (CreateStream …). Request logs,
 * metrics and fault routes speak these names. GetCursor is documented as ShowCursor and GetRecords as
 * ConsumeRecords; the project uses the former names throughout.
 */
export const OPERATIONS = [
  "CreateStream",
  "DeleteStream",
  "ListStreams",
  "DescribeStream",
  "PutRecords",
  "GetCursor",
  "GetRecords",
  "CreateApp",
  "ListApps",
  "ShowApp",
  "DeleteApp",
  "ShowConsumerState",
  "CommitCheckpoint",
  "ShowCheckpoint",
  "DeleteCheckpoint",
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** AK/SK-signed requests may carry at most this many body bytes (the gateway's limit). */
export const MAX_SIGNED_BODY_BYTES = 12 * 1024 * 1024;

// ---- checkpoints ------------------------------------------------------------------------------

/** CommitCheckpoint body: POST /v2/{project_id}/checkpoints → 201, empty body. */
export interface CommitCheckpointBody {
  app_name: string;
  checkpoint_type: CheckpointType;
  stream_name: string;
  partition_id: string;
  sequence_number: string;
  metadata?: string;
}

/** ShowCheckpoint query: GET /v2/{project_id}/checkpoints. */
export interface ShowCheckpointQuery {
  stream_name: string;
  partition_id: string;
  app_name: string;
  checkpoint_type: CheckpointType;
}

export interface ShowCheckpointResponse {
  /** "-1", empty or absent when nothing was committed. */
  sequence_number?: string | number | null;
  metadata?: string | null;
}

/** DeleteCheckpoint query: DELETE /v2/{project_id}/checkpoints → 204. No partition_id = every partition. */
export interface DeleteCheckpointQuery {
  stream_name: string;
  app_name: string;
  checkpoint_type: CheckpointType;
  partition_id?: string;
}

// ---- apps -------------------------------------------------------------------------------------

export interface CreateAppBody {
  app_name: string;
}

export interface DescribeAppResult {
  app_name: string;
  app_id: string;
  create_time: number;
  commit_checkpoint_stream_names?: string[];
}

/** ListApp query: `limit` 1–100 (default 10), `start_app_name` exclusive, `stream_name` filter. */
export interface ListAppsResponse {
  has_more_app: boolean;
  apps: DescribeAppResult[];
  total_number: number;
}

/** ShowConsumerState query: `checkpoint_type` (required), `limit` 1–1000 (default 100), `start_partition_id`. */
export interface PartitionConsumingState {
  /** The documentation's example shows a bare number. */
  partition_id: string | number;
  /** `-1` (possibly a number) when the app never committed on this partition. */
  sequence_number: string | number;
  latest_offset: number | string;
  earliest_offset: number | string;
  checkpoint_type: CheckpointType;
  status: PartitionStatus;
  metadata?: string;
}

export interface ShowConsumerStateResponse {
  has_more: boolean;
  stream_name: string;
  app_name: string;
  partition_consuming_states: PartitionConsumingState[];
}

// ---- streams ----------------------------------------------------------------------------------

export interface CreateStreamBody {
  stream_name: string;
  partition_count: number;
  stream_type?: StreamType;
  data_type?: DataType;
  /** Retention in hours, 24–72. */
  data_duration?: number;
}

export interface StreamInfo {
  stream_name: string;
  stream_id?: string;
  create_time: number;
  retention_period: number;
  status: StreamStatus;
  stream_type: StreamType;
  data_type: DataType;
  partition_count: number;
}

/** ListStreams query: `limit` 1–100 (default 10), `start_stream_name` exclusive. */
export interface ListStreamsResponse {
  total_number: number;
  stream_names: string[];
  has_more_streams: boolean;
  stream_info_list: StreamInfo[];
}

export interface PartitionResult {
  /** Always `shardId-%010d` on output. */
  partition_id: string;
  status: PartitionStatus;
  /** `"[<lo> : <hi>]"`, inclusive bounds. */
  hash_range: string;
  /** `"[<first> : <next>]"`; the right end is the next sequence number to be written. */
  sequence_number_range: string;
  parent_partitions?: string;
}

/** DescribeStream query (exact spelling): `start_partitionId` (exclusive), `limit_partitions` 1–1000 (default 100). */
export interface DescribeStreamResponse {
  stream_name: string;
  stream_id: string;
  create_time: number;
  last_modified_time: number;
  retention_period: number;
  status: StreamStatus;
  stream_type: StreamType;
  data_type: DataType;
  partitions: PartitionResult[];
  has_more_partitions: boolean;
  writable_partition_count: number;
  readable_partition_count: number;
}

// ---- records and cursors ----------------------------------------------------------------------

export interface PutRecordsRequestEntry {
  /** Base64 of the payload bytes. */
  data: string;
  partition_id?: string;
  partition_key?: string;
  explicit_hash_key?: string;
  /** Epoch milliseconds; the service stamps the arrival time when absent. */
  timestamp?: number;
}

export interface PutRecordsBody {
  stream_name: string;
  records: PutRecordsRequestEntry[];
}

export interface PutRecordsResultEntry {
  partition_id?: string;
  sequence_number?: string;
  error_code?: string;
  error_message?: string;
}

export interface PutRecordsResponse {
  failed_record_count: number;
  records: PutRecordsResultEntry[];
}

/** ShowCursor query names use hyphens. `timestamp` is epoch milliseconds. */
export interface ShowCursorQuery {
  "stream-name": string;
  "partition-id": string;
  "cursor-type"?: CursorType;
  "starting-sequence-number"?: string;
  timestamp?: number;
}

export interface ShowCursorResponse {
  partition_cursor: string;
}

export interface DisRecord {
  sequence_number: string;
  /** Base64 of the payload bytes. */
  data: string;
  partition_key?: string;
  timestamp: number;
  timestamp_type: "CreateTime";
}

/** ConsumeRecords query: `partition-cursor` (hyphen), `max_fetch_bytes` (underscore). */
export interface ConsumeRecordsResponse {
  records: DisRecord[];
  next_partition_cursor: string;
}

// ---- errors -----------------------------------------------------------------------------------

/** A DIS business error body (the documented shape). */
export interface DisErrorBody {
  errorCode: string;
  message: string;
}

/** An API Gateway error body (authentication, throttling, routing). */
export interface GatewayErrorBody {
  error_code: string;
  error_msg: string;
  request_id?: string;
}

/** Documented error codes this project produces or handles, with their HTTP status and message template. */
export const ERROR_CODES = {
  "DIS.4117": { status: 400, message: "Invalid Project Id." },
  "DIS.4200": { status: 400, message: "Invalid request." },
  "DIS.4201": { status: 400, message: "Invalid partition_id." },
  "DIS.4202": { status: 400, message: "Empty request." },
  "DIS.4215": { status: 400, message: "Invalid cursor type." },
  "DIS.4216": { status: 400, message: "Invalid sequence_number." },
  "DIS.4217": { status: 400, message: "Invalid partition cursor." },
  "DIS.4224": { status: 400, message: "Sequence_number out of range." },
  "DIS.4225": { status: 400, message: "Expired partition cursor." },
  "DIS.4226": {
    status: 400,
    message:
      "A partition iterator error occurred or a record to which the SN corresponds has expired. Try to obtain the partition iterator again.",
  },
  "DIS.4300": { status: 400, message: "Request error." },
  "DIS.4301": { status: 400, message: "The stream does not exist." },
  "DIS.4302": { status: 400, message: "Partition does not exist." },
  "DIS.4303": { status: 400, message: "Exceeded traffic control limit." },
  "DIS.4305": { status: 400, message: "Too many stream requests." },
  "DIS.4307": { status: 400, message: "The stream already exists." },
  "DIS.4308": { status: 400, message: "Insufficient quota." },
  "DIS.4319": { status: 400, message: "Partition is expired." },
  "DIS.4329": { status: 400, message: "app quota exceeded." },
  "DIS.4330": { status: 400, message: "app already exist." },
  "DIS.4331": { status: 400, message: "app is using." },
  "DIS.4332": { status: 400, message: "app not found." },
  "DIS.4375": { status: 400, message: "The app does not commit checkpoint" },
  "DIS.5000": { status: 500, message: "System error." },
  "APIGW.0101": { status: 404, message: "The API does not exist or has not been published in the environment." },
  "APIGW.0201": { status: 413, message: "Request entity too large." },
  "APIGW.0301": { status: 401, message: "Incorrect IAM authentication information." },
  "APIGW.0308": { status: 429, message: "The throttling threshold has been reached." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
