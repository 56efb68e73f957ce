/**
 * Reading DIS response bodies: JSON whose integers may exceed 2^53, sequence numbers sent as strings or
 * numbers, and the `"[<lo> : <hi>]"` range strings of DescribeStream. Pure.
 */
import { ProjectError } from "../errors";
import { DECIMAL_DIGITS_PATTERN, MAX_SEQUENCE_NUMBER } from "../contract";

/** A success body that does not say what the API promises. Wrapped into a DisApiError by the client. */
export class ResponseFormatError extends ProjectError {
  override readonly name = "ResponseFormatError";
  readonly code = "response-format";
}

/**
 * JSON.parse, except that integer literals too long to be exact doubles become decimal strings, so a
 * sequence number such as 9223372036854775807 sent as a bare number keeps every digit.
 */
export function parseJsonExact(text: string): unknown {
  try {
    return JSON.parse(quoteLargeIntegers(text));
  } catch (error) {
    throw new ResponseFormatError(`the response is not valid JSON (${(error as Error).message})`);
  }
}

/** Rewrites integer literals of 16 or more digits (outside strings) as JSON strings. */
export function quoteLargeIntegers(json: string): string {
  if (!/\d{16}/.test(json)) return json;
  const number = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const parts: string[] = [];
  let copiedUpTo = 0;
  let index = 0;
  while (index < json.length) {
    if (json[index] === '"') {
      index = endOfString(json, index);
      continue;
    }
    number.lastIndex = index;
    const literal = number.exec(json)?.[0];
    if (literal === undefined) {
      index += 1;
      continue;
    }
    if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
      parts.push(json.slice(copiedUpTo, index), `"${literal}"`);
      copiedUpTo = index + literal.length;
    }
    index += literal.length;
  }
  parts.push(json.slice(copiedUpTo));
  return parts.join("");
}

/** Index just past the closing quote of the string starting at `start` (or the end of the text). */
function endOfString(json: string, start: number): number {
  let index = start + 1;
  while (index < json.length) {
    if (json[index] === "\\") index += 2;
    else if (json[index] === '"') return index + 1;
    else index += 1;
  }
  return json.length;
}

/**
 * A sequence number from a response, as a canonical decimal string. "Nothing there" (absent, null, empty,
 * or negative, as DIS writes `-1` for an uncommitted partition) is null.
 */
export function wireSequenceNumber(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  const text = typeof value === "number" ? numberText(value, field) : typeof value === "string" ? value.trim() : undefined;
  if (text === undefined) throw new ResponseFormatError(`${field} is ${JSON.stringify(value)}, not a sequence number`);
  if (/^-\d+$/.test(text)) return null;
  return decimalInRange(text, field);
}

/** A position that must be present (earliest/latest offsets). */
export function wireOffset(value: unknown, field: string): string {
  const text = typeof value === "number" ? numberText(value, field) : typeof value === "string" ? value.trim() : undefined;
  if (text === undefined) throw new ResponseFormatError(`${field} is ${JSON.stringify(value)}, not a sequence number`);
  return decimalInRange(text, field);
}

function numberText(value: number, field: string): string {
  if (!Number.isSafeInteger(value)) throw new ResponseFormatError(`${field} is ${value}, not an exact integer`);
  return String(value);
}

function decimalInRange(text: string, field: string): string {
  const digits = text.replace(/^0+(?=\d)/, "");
  if (!DECIMAL_DIGITS_PATTERN.test(digits) || BigInt(digits) > MAX_SEQUENCE_NUMBER) {
    throw new ResponseFormatError(`${field} is ${JSON.stringify(text)}, not a sequence number from 0 to ${MAX_SEQUENCE_NUMBER}`);
  }
  return digits;
}

export interface DecimalRange {
  low: string;
  high: string;
}

/**
 * `"[<lo> : <hi>]"` → `{low, high}`. A missing value, one that does not start with `[`, or `null` inside the
 * brackets (a partition being created or scaled) is null; any other shape is an error.
 */
export function parseBracketRange(value: unknown, field: string): DecimalRange | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new ResponseFormatError(`${field} is ${JSON.stringify(value)}, not a range string`);
  const text = value.trim();
  if (!text.startsWith("[")) return null;
  const match = /^\[\s*(\d+|null)\s*:\s*(\d+|null)\s*\]$/.exec(text);
  const malformed = () =>
    new ResponseFormatError(`${field} is ${JSON.stringify(value)}, expected "[<low> : <high>]" with bounds from 0 to ${MAX_SEQUENCE_NUMBER}`);
  if (!match) throw malformed();
  const [, low, high] = match as unknown as [string, string, string];
  if (low === "null" || high === "null") return null;
  if (BigInt(high) > MAX_SEQUENCE_NUMBER) throw malformed();
  if (BigInt(low) > BigInt(high)) throw new ResponseFormatError(`${field} is ${JSON.stringify(value)}: its low end exceeds its high end`);
  return { low: BigInt(low).toString(), high: BigInt(high).toString() };
}
