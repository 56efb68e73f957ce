/** The DIS client: signing, credentials, endpoints, retries, typed errors and the operations this project uses. */
export {
  createDisClient,
  type CheckpointRef,
  type DisClient,
  type DisClientOptions,
  type PartitionRef,
  type PutRecordInput,
} from "./client";
export {
  AccessKeyCredentials,
  CREDENTIAL_ENV,
  DisCredentialsError,
  resolveCredentials,
  TokenCredentials,
  type CredentialOptions,
  type DisCredentials,
} from "./credentials";
export { DisEndpointError, resolveEndpoint, type DisEndpoint, type EndpointOptions } from "./endpoint";
export { DisApiError, DisInputError, DisProtocolError, DisTransportError, type TransportFailureKind } from "./errors";
export { formatPartitionId, MAX_PARTITION_ORDINAL, parsePartitionId } from "./partition";
export type {
  AppInfo,
  Checkpoint,
  DisRecordOut,
  PartitionConsumerState,
  PartitionInfo,
  PutRecordResult,
  PutRecordsResult,
  RecordsPage,
  StreamDescription,
  StreamSummary,
} from "./responses";
export { DEFAULT_RETRY_POLICY, retryDecision, type AttemptOutcome, type RetryDecision, type RetryPolicy } from "./retry";
export { signRequest, SigningInputError, type SigningCredentials, type SigningRequest } from "./signer";
export { TRANSPORT_DEFAULTS, type RetryEvent, type TransportTuning } from "./transport";
