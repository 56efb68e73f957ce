/** Checks on client arguments, made before any request so a mistake costs no API call. Pure. */
import {
  CURSOR_TYPES,
  DECIMAL_DIGITS_PATTERN,
  MAX_APP_NAME_LENGTH,
  MAX_METADATA_LENGTH,
  MAX_SEQUENCE_NUMBER,
  MAX_STREAM_NAME_LENGTH,
  NAME_PATTERN,
  type CursorType,
} from "../contract";
import { DisInputError } from "./errors";

export function checkAppName(name: string): string {
  return checkName(name, "app", MAX_APP_NAME_LENGTH);
}

export function checkStreamName(name: string): string {
  return checkName(name, "stream", MAX_STREAM_NAME_LENGTH);
}

function checkName(name: unknown, field: string, maxLength: number): string {
  if (typeof name !== "string" || name.length === 0 || name.length > maxLength || !NAME_PATTERN.test(name)) {
    throw new DisInputError(
      field,
      `invalid ${field} name ${JSON.stringify(name)}: use 1 to ${maxLength} letters, digits, '_' or '-'`,
    );
  }
  return name;
}

/** A decimal string from 0 to 9223372036854775807, without sign or leading zeros. */
export function checkSequenceNumber(value: unknown, field = "sequenceNumber"): string {
  if (typeof value !== "string" || !DECIMAL_DIGITS_PATTERN.test(value) || BigInt(value) > MAX_SEQUENCE_NUMBER) {
    throw new DisInputError(
      field,
      `invalid ${field} ${JSON.stringify(value)}: expected a decimal string from 0 to ${MAX_SEQUENCE_NUMBER} ` +
        "without sign or leading zeros",
    );
  }
  return value;
}

export function checkMetadata(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > MAX_METADATA_LENGTH) {
    throw new DisInputError("metadata", `invalid metadata: expected a string of at most ${MAX_METADATA_LENGTH} characters`);
  }
  return value;
}

export interface CursorArguments {
  type: CursorType;
  sequenceNumber?: string | undefined;
  /** Epoch milliseconds, for AT_TIMESTAMP. */
  timestamp?: number | undefined;
}

/** The cursor type decides which position argument is required; the other one must be absent. */
export function checkCursorArguments(args: CursorArguments): CursorArguments {
  if (!(CURSOR_TYPES as readonly string[]).includes(args.type)) {
    throw new DisInputError("type", `invalid cursor type ${JSON.stringify(args.type)}: expected one of ${CURSOR_TYPES.join(", ")}`);
  }
  const needsSequence = args.type === "AT_SEQUENCE_NUMBER" || args.type === "AFTER_SEQUENCE_NUMBER";
  const needsTimestamp = args.type === "AT_TIMESTAMP";
  if (needsSequence) checkSequenceNumber(args.sequenceNumber);
  else if (args.sequenceNumber !== undefined) {
    throw new DisInputError("sequenceNumber", `a ${args.type} cursor takes no sequenceNumber`);
  }
  if (needsTimestamp) {
    if (typeof args.timestamp !== "number" || !Number.isSafeInteger(args.timestamp) || args.timestamp < 0) {
      throw new DisInputError("timestamp", `an AT_TIMESTAMP cursor needs timestamp: epoch milliseconds as a non-negative integer`);
    }
  } else if (args.timestamp !== undefined) {
    throw new DisInputError("timestamp", `a ${args.type} cursor takes no timestamp`);
  }
  return args;
}

export function checkPositiveInteger(value: number | undefined, field: string): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new DisInputError(field, `invalid ${field} ${value}: expected a positive integer`);
  }
  return value;
}
