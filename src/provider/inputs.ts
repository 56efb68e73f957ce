/**
 * Validation of resource inputs and stored state as the provider receives them. The program builds them
 * from validated declarations, so a failure here means a hand-edited state or a program bug; the message
 * still names the field.
 */
import { z } from "zod";
import { DECIMAL_DIGITS_PATTERN, MAX_METADATA_LENGTH, MAX_SEQUENCE_NUMBER, NAME_PATTERN } from "../contract";
import type { AppInputs, StreamDeclaration } from "./model";

export class InputError extends Error {
  override name = "InputError";
}

const name = z.string().regex(NAME_PATTERN);
const ordinalKey = z.string().regex(/^(0|[1-9][0-9]{0,9})$/);
const sequenceNumber = z
  .string()
  .regex(DECIMAL_DIGITS_PATTERN)
  .refine((text) => text.length <= 19 && BigInt(text) <= MAX_SEQUENCE_NUMBER, "exceeds 9223372036854775807");

const streamDeclaration = z.object({
  app: name,
  stream: name,
  partitions: z.record(ordinalKey, sequenceNumber),
  metadata: z.record(ordinalKey, z.string().max(MAX_METADATA_LENGTH)).default({}),
  allowSkip: z.boolean().default(false),
  onDelete: z.enum(["retain", "delete"]).default("retain"),
  revision: z.number().int().nonnegative().default(0),
});

const appInputs = z.object({ app: name });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new InputError(`invalid ${what}${where}: ${issue.message}`);
}

/** Keeps only the declaration fields, so outputs (observed, previous) never leak back into inputs. */
export function parseStreamDeclaration(value: unknown): StreamDeclaration {
  return parse(streamDeclaration, value, "StreamCheckpoints inputs");
}

export function parseAppInputs(value: unknown): AppInputs {
  return parse(appInputs, value, "App inputs");
}
