/**
 * Typed errors of the DIS client. Messages are written for a person (what failed, what to do) and never
 * contain credentials or signatures; callers branch on the fields (`code`, `status`, `retryable`).
 */
import { ProjectError } from "../errors";
import type { OperationName } from "../contract";

/** What a request was about, to say "app 'x' does not exist" instead of "app not found.". */
export interface RequestSubject {
  projectId: string;
  app?: string | undefined;
  stream?: string | undefined;
  partition?: number | undefined;
  sequenceNumber?: string | undefined;
}

export interface ParsedErrorBody {
  code?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
}

const MAX_SNIPPET = 200;

/**
 * Reads the error shapes DIS and its gateway use: `{errorCode,message}`, `{error_code,error_msg}`,
 * `{code,message}`, `{error:{code,message}}`, and a bare text body (kept as a short one-line snippet).
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: snippet(trimmed) };
  }
  if (!isRecord(json)) return { message: snippet(trimmed) };
  const nested = isRecord(json.error) ? json.error : {};
  return {
    code: firstString(json.error_code, json.errorCode, json.code, nested.code),
    message: firstString(json.error_msg, json.message, nested.message),
    requestId: firstString(json.request_id),
  };
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > MAX_SNIPPET ? `${oneLine.slice(0, MAX_SNIPPET)}…` : oneLine;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === "string" && value !== "") return value;
    if (typeof value === "number") return String(value);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface DisApiErrorFields {
  operation: OperationName;
  status: number;
  code: string | undefined;
  apiMessage: string | undefined;
  requestId: string | undefined;
  retryable: boolean;
  attempts: number;
  /** The answer leaves open whether the request was applied (a server error; see outcomeUnknown in retry.ts). */
  outcomeUnknown?: boolean;
}

/** DIS (or its gateway) answered with an error status. */
export class DisApiError extends ProjectError implements DisApiErrorFields {
  override readonly name = "DisApiError";
  readonly operation: OperationName;
  readonly status: number;
  /** DIS's or the gateway's code (`DIS.4301`, `APIGW.0308`), or `HTTP.<status>` when the body names none. */
  readonly code: string;
  readonly apiMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;

  constructor(fields: DisApiErrorFields, description: string) {
    super(`${fields.operation} failed: ${description} (${detailList(fields).join(", ")})`);
    this.operation = fields.operation;
    this.status = fields.status;
    this.code = fields.code ?? `HTTP.${fields.status}`;
    this.apiMessage = fields.apiMessage;
    this.requestId = fields.requestId;
    this.retryable = fields.retryable;
    this.attempts = fields.attempts;
    this.outcomeUnknown = fields.outcomeUnknown === true;
  }
}

function detailList(fields: DisApiErrorFields): string[] {
  return [
    ...(fields.code === undefined ? [] : [fields.code]),
    `HTTP ${fields.status}`,
    ...(fields.requestId === undefined ? [] : [`request id ${fields.requestId}`]),
    ...(fields.attempts > 1 ? [`after ${fields.attempts} attempts`] : []),
  ];
}

/** The human part of a DisApiError message for a code, in the words of the request it answers. */
export function describeApiError(
  fields: Pick<DisApiErrorFields, "status" | "code" | "apiMessage">,
  subject: RequestSubject,
  authMode: "aksk" | "token",
): string {
  const app = `app '${subject.app ?? "?"}'`;
  const stream = `stream '${subject.stream ?? "?"}'`;
  const partition = `partition ${subject.partition ?? "?"}`;
  switch (fields.code) {
    case "DIS.4332":
      return `${app} does not exist in project ${subject.projectId}`;
    case "DIS.4330":
      return `${app} already exists in project ${subject.projectId}`;
    case "DIS.4331":
      return `${app} is in use and cannot be deleted`;
    case "DIS.4301":
      return `${stream} does not exist in project ${subject.projectId}`;
    case "DIS.4302":
      return `${partition} does not exist in ${stream}`;
    case "DIS.4319":
      return `${partition} of ${stream} has expired (removed by a scale-down)`;
    case "DIS.4201":
      return `DIS rejected the partition id of ${partition}`;
    case "DIS.4224":
      return `sequence number ${subject.sequenceNumber ?? "?"} is outside the range retained by ${partition} of ${stream}`;
    case "DIS.4375":
      return `${app} has not committed a checkpoint on ${stream}`;
    case "DIS.4117":
      return `project id ${subject.projectId} is invalid or belongs to another account`;
    case "DIS.4116":
      return "access denied: the account lacks DIS permission, is restricted or in arrears";
    case "APIGW.0301":
      return authMode === "aksk"
        ? "signature rejected: check the clock and keys"
        : "token rejected: check that the IAM token is valid, project-scoped and not expired";
    case "APIGW.0308":
      return "throttled by the API gateway";
    case "DIS.4303":
    case "DIS.4305":
      return "throttled by DIS";
    default:
      return fields.apiMessage ?? `unexpected HTTP ${fields.status}`;
  }
}

export type TransportFailureKind = "connect" | "certificate" | "reset" | "timeout" | "deadline" | "closed";

/** No usable HTTP answer: connection refused or reset, timeouts, or the call's deadline passed. */
export class DisTransportError extends ProjectError {
  override readonly name = "DisTransportError";
  constructor(
    readonly operation: OperationName,
    readonly kind: TransportFailureKind,
    readonly attempts: number,
    detail: string,
    /** The last attempt was sent and may have been applied (see outcomeUnknown in retry.ts). */
    readonly outcomeUnknown = false,
  ) {
    super(`${operation} failed: ${detail}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`);
  }

  get code(): string {
    return `transport-${this.kind}`;
  }
}

/** DIS answered with success but the body does not say what the API promises (or paging did not end). */
export class DisProtocolError extends ProjectError {
  override readonly name = "DisProtocolError";
  readonly code = "protocol";
  constructor(
    readonly operation: OperationName,
    detail: string,
    readonly requestId?: string | undefined,
  ) {
    super(`${operation} failed: unexpected response from DIS: ${detail}${requestId === undefined ? "" : ` (request id ${requestId})`}`);
  }
}

/** An argument the client refuses before making any request. */
export class DisInputError extends ProjectError {
  override readonly name = "DisInputError";
  readonly code = "invalid-argument";
  constructor(
    /** The argument at fault, e.g. `sequenceNumber` or `partition`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Removes the given secrets, and any request signature, from text that came from the server (the gateway
 * echoes its canonical request, which holds X-Security-Token, when it rejects a signature).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length > 0)
    .reduce((out, secret) => out.split(secret).join("[redacted]"), text)
    .replace(/(Signature=)[0-9a-fA-F]+/g, "$1[redacted]");
}
