/** The DIS client: signing, credentials, retries, typed errors and the operations this project uses. */
export { createDisClient, type DisClient, type DisClientOptions, type PartitionRef } from "./client";
export {
  AccessKeyCredentials,
  CREDENTIAL_ENV,
  DisCredentialsError,
  resolveCredentials,
  TokenCredentials,
  type CredentialOptions,
} from "./credentials";
export { DisEndpointError, resolveEndpoint, type EndpointOptions } from "./endpoint";
export { DisApiError, DisInputError, DisProtocolError, DisTransportError } from "./errors";
export { formatPartitionId, MAX_PARTITION_ORDINAL, parsePartitionId } from "./partition";
export type { Checkpoint, PartitionConsumerState, StreamDescription } from "./responses";
export { retryDecision, type AttemptOutcome, type RetryDecision, type RetryPolicy } from "./retry";
export { signRequest, SigningInputError, type SigningCredentials } from "./signer";
export { type RetryEvent } from "./transport";
