import { CURSOR_TTL_MS, ERROR_CODES, type ErrorCode } from "../contract";

/**
 * An error the emulator answers with. Carries the API's own code and HTTP status; the body shape follows
 * from the code's origin (`APIGW.`/`APIG.` codes come from the gateway, everything else from DIS).
 */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorError";
  }

  get origin(): "gateway" | "dis" {
    return isGatewayCode(this.code) ? "gateway" : "dis";
  }
}

export function isGatewayCode(code: string): boolean {
  return code.startsWith("APIGW.") || code.startsWith("APIG.");
}

/** The documented template, with DIS's `[detail]` suffix when there is one. */
function documented(code: ErrorCode, detail?: string): EmulatorError {
  const { status, message } = ERROR_CODES[code];
  return new EmulatorError(status, code, detail === undefined ? message : `${message} [${detail}]`);
}

/** The prefix every IAM authentication failure shares (the gateway's own wording). */
const IAM_FAILURE = "Incorrect IAM authentication information:";

/** One factory per situation, so that every code is produced in exactly one place. */
export const errors = {
  invalidProjectId: (projectId: string) => documented("DIS.4117", projectId),
  invalidRequest: (detail: string) => documented("DIS.4200", detail),
  invalidPartitionId: (partitionId: string) => documented("DIS.4201", partitionId),
  emptyRequest: () => documented("DIS.4202"),
  invalidCursorType: (cursorType: string) => documented("DIS.4215", cursorType),
  invalidSequenceNumber: (field: string, value: string) => documented("DIS.4216", `${field}: ${value}`),
  invalidCursor: (detail: string) => documented("DIS.4217", detail),
  sequenceNumberOutOfRange: (stream: string, partition: string, value: bigint, range: string) =>
    documented("DIS.4224", `${stream}][${partition}][${value} is outside ${range}`),
  expiredCursor: (ageMs: number) => documented("DIS.4225", `the cursor is ${ageMs} ms old; cursors live ${CURSOR_TTL_MS} ms`),
  cursorBehindRetention: () => documented("DIS.4226"),
  timestampExpired: (earliestMs: number) =>
    documented("DIS.4300", `timestamp is expired, timestamp should be larger than ${earliestMs}`),
  streamNotFound: (stream: string) => documented("DIS.4301", stream),
  partitionNotFound: (stream: string, partitionId: string) => documented("DIS.4302", `${stream}][${partitionId}`),
  streamAlreadyExists: (stream: string) => documented("DIS.4307", stream),
  insufficientQuota: (detail: string) => documented("DIS.4308", detail),
  appQuotaExceeded: (quota: number) => documented("DIS.4329", `quota ${quota}`),
  appAlreadyExists: (app: string) => documented("DIS.4330", app),
  appNotFound: (app: string) => documented("DIS.4332", app),
  appHasNoCheckpoint: (app: string, stream: string) => documented("DIS.4375", `${app}][${stream}`),
  systemError: () => documented("DIS.5000"),
  apiNotFound: () => documented("APIGW.0101"),
  entityTooLarge: (limit: number) => documented("APIGW.0201", `at most ${limit} bytes`),
  authenticationFailed: (reason: string) =>
    new EmulatorError(ERROR_CODES["APIGW.0301"].status, "APIGW.0301", `${IAM_FAILURE} ${reason}`),
  /** What a fault injects: any code, the documented message unless one is given. */
  injected: (status: number, code: string, message?: string) =>
    new EmulatorError(status, code, message ?? documentedMessage(code) ?? "Injected fault."),
};

function documentedMessage(code: string): string | undefined {
  return code in ERROR_CODES ? ERROR_CODES[code as ErrorCode].message : undefined;
}

/**
 * Which keys a DIS business error carries. `both` (the default): the documented `errorCode`/`message` pair and
 * the same values as `error_code`/`error_msg`, which the official Go and Node SDK parsers read (neither reads
 * `errorCode`: without the duplicates both report an empty error code). `documented`: the documented pair
 * alone, to check that a client copes with the shape the DIS documentation shows.
 */
export type DisErrorKeys = "documented" | "both";

export function errorBody(error: EmulatorError, requestId: string, disErrorKeys: DisErrorKeys): object {
  if (error.origin === "gateway") {
    return { error_code: error.code, error_msg: error.message, request_id: requestId };
  }
  const body = { errorCode: error.code, message: error.message };
  return disErrorKeys === "both" ? { ...body, error_code: error.code, error_msg: error.message } : body;
}
