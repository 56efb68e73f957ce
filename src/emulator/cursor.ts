import { z } from "zod";
import { CURSOR_TTL_MS } from "../contract";
import { errors } from "./errors";
import { parsePartitionId, parseSequenceNumber, shardId } from "./identifiers";

/**
 * A partition cursor's content. Cursors are minted in the documented shape (base64url of
 * `{"getIteratorParam":{…},"generateTimestamp":…}`) because the DIS Kafka adapter decodes the ones it gets for
 * AT_TIMESTAMP to learn the sequence number a timestamp maps to. `starting-sequence-number` is always the
 * position the cursor reads next; only TRIM_HORIZON cursors keep their type, because they follow the
 * retention window instead of failing once their position expires.
 */
export interface Cursor {
  stream: string;
  partition: number;
  position: bigint;
  followsTrimHorizon: boolean;
  issuedAt: number;
}

const CURSOR_JSON = z.object({
  getIteratorParam: z.object({
    "stream-name": z.string(),
    "partition-id": z.string(),
    "cursor-type": z.enum(["AT_SEQUENCE_NUMBER", "TRIM_HORIZON"]),
    "starting-sequence-number": z.string(),
  }),
  generateTimestamp: z.number().int(),
});

export function encodeCursor(cursor: Cursor): string {
  const json = {
    getIteratorParam: {
      "stream-name": cursor.stream,
      "partition-id": shardId(cursor.partition),
      "cursor-type": cursor.followsTrimHorizon ? "TRIM_HORIZON" : "AT_SEQUENCE_NUMBER",
      "starting-sequence-number": String(cursor.position),
    },
    generateTimestamp: cursor.issuedAt,
  };
  return Buffer.from(JSON.stringify(json)).toString("base64url");
}

/** The cursor a client sent back, or DIS.4217 (malformed) / DIS.4225 (older than five minutes). */
export function decodeCursor(text: string, now: number): Cursor {
  const cursor = parseCursor(text);
  if (cursor === undefined) throw errors.invalidCursor(abbreviate(text));
  const age = now - cursor.issuedAt;
  if (age > CURSOR_TTL_MS) throw errors.expiredCursor(age);
  return cursor;
}

function parseCursor(text: string): Cursor | undefined {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const parsed = CURSOR_JSON.safeParse(json);
  if (!parsed.success) return undefined;
  const parameters = parsed.data.getIteratorParam;
  const partition = parsePartitionId(parameters["partition-id"]);
  const position = parseSequenceNumber(parameters["starting-sequence-number"]);
  if (partition === undefined || position === undefined) return undefined;
  return {
    stream: parameters["stream-name"],
    partition,
    position,
    followsTrimHorizon: parameters["cursor-type"] === "TRIM_HORIZON",
    issuedAt: parsed.data.generateTimestamp,
  };
}

/** Cursors are not secrets, but a garbage one may be long: quote only its start in messages. */
function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
