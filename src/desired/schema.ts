/**
 * Declaration format version 1, as one zod schema. It is the single source of truth for what a
 * declaration document may contain: the loader validates with it and `checkpoints.schema.json` (the JSON
 * Schema editors use for completion) is generated from it.
 */
import { z } from "zod";
import {
  DECIMAL_DIGITS_PATTERN,
  MAX_APP_NAME_LENGTH,
  MAX_METADATA_LENGTH,
  MAX_SEQUENCE_NUMBER,
  MAX_STREAM_NAME_LENGTH,
  NAME_PATTERN,
  PARTITION_ID_PATTERN,
} from "../contract";

export const FORMAT_VERSION = 1;

/** `3` or `shardId-0000000003`; both name partition ordinal 3. */
export { PARTITION_ID_PATTERN };
export const SHARD_ID_PREFIX = "shardId-";

export const ON_DELETE_VALUES = ["retain", "delete"] as const;
export type OnDelete = (typeof ON_DELETE_VALUES)[number];

export const WHILE_CONSUMERS_RUN_VALUES = ["refuse", "allow"] as const;
export type WhileConsumersRun = (typeof WHILE_CONSUMERS_RUN_VALUES)[number];

export const STREAM_OPTION_DEFAULTS = { allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse" } as const;

const sequenceNumberString = z
  .string()
  .regex(DECIMAL_DIGITS_PATTERN, { abort: true })
  .refine((digits) => BigInt(digits) <= MAX_SEQUENCE_NUMBER)
  .meta({ description: `Decimal digits, 0 … ${MAX_SEQUENCE_NUMBER}. Quote it.` });

// Unquoted YAML integers arrive as JS numbers, exact only up to 2^53-1; larger ones must be quoted.
const sequenceNumberInteger = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const sequenceNumberSchema = z.union([sequenceNumberString, sequenceNumberInteger]).meta({
  description: "The LAST_READ sequence number to commit, verbatim. A quoted decimal string such as \"1520\".",
});

export const partitionEntrySchema = z.strictObject({
  sequenceNumber: sequenceNumberSchema,
  metadata: z
    .string()
    .max(MAX_METADATA_LENGTH)
    .optional()
    .meta({ description: `Stored with the checkpoint (at most ${MAX_METADATA_LENGTH} characters).` }),
});

const partitionsSchema = z
  .record(
    z.string().regex(PARTITION_ID_PATTERN),
    z.union([sequenceNumberSchema, partitionEntrySchema]),
  )
  .refine((partitions) => Object.keys(partitions).length > 0)
  .meta({
    minProperties: 1,
    description: "Partition id (`3` or `shardId-0000000003`) → sequence number, or {sequenceNumber, metadata}.",
  });

export const streamSchema = z.strictObject({
  partitions: partitionsSchema,
  allowSkip: z.boolean().default(STREAM_OPTION_DEFAULTS.allowSkip).meta({
    description: "Allow moving a checkpoint forward past the live one (skips records). Default false.",
  }),
  onDelete: z.enum(ON_DELETE_VALUES).default(STREAM_OPTION_DEFAULTS.onDelete).meta({
    description: "What removing this declaration does: retain the checkpoint (default) or delete it.",
  }),
  revision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(STREAM_OPTION_DEFAULTS.revision).meta({
    description: "Bump to commit unchanged values again (replay from the same point once more).",
  }),
  whileConsumersRun: z.enum(WHILE_CONSUMERS_RUN_VALUES).default(STREAM_OPTION_DEFAULTS.whileConsumersRun).meta({
    description:
      "refuse (default): a commit is refused while the app's checkpoints on this stream move (its consumers run and would overwrite it). " +
      "allow: commit anyway, for consumers that re-read their checkpoint.",
  }),
});

const nameSchema = (maxLength: number) => z.string().min(1).max(maxLength).regex(NAME_PATTERN);

export const declarationSchema = z
  .strictObject({
    version: z.literal(FORMAT_VERSION).meta({ description: "Declaration format version." }),
    app: nameSchema(MAX_APP_NAME_LENGTH).meta({ description: "The DIS consumer app (created if missing)." }),
    streams: z
      .record(nameSchema(MAX_STREAM_NAME_LENGTH), streamSchema)
      .meta({ description: "Stream name → the checkpoints this app should stand at on it." }),
  })
  .meta({
    title: "dis-checkpoints declaration",
    description: "Where one DIS consumer app should stand on each stream partition (format version 1).",
  });

export type DeclarationDocument = z.output<typeof declarationSchema>;

/** The JSON Schema (draft-07, understood by the YAML language server) for `checkpoints.schema.json`. */
export function declarationJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(declarationSchema, { target: "draft-7", io: "input" });
  return {
    $schema,
    $comment: "Generated from src/desired/schema.ts by tools/generate-schema.ts: edit those, not this file.",
    ...schema,
  };
}

/** The exact text of the committed `checkpoints.schema.json`. */
export function declarationJsonSchemaText(): string {
  return `${JSON.stringify(declarationJsonSchema(), null, 2)}\n`;
}
