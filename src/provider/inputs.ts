/**
 * Validation of the Checkpoints resource's inputs and stored outputs as the provider receives them. The
 * program builds them from validated declarations, so a failure here means a hand-edited state or a
 * program bug; every issue still names its property path, and stays data until the edge formats it.
 */
import { ProjectError } from "../errors";
import { z } from "zod";
import { MAX_METADATA_LENGTH, NAME_PATTERN, PARTITION_ORDINAL_PATTERN } from "../contract";
import { decodeOrdinals, decodePositions, decodeSequenceNumbers, loadStream, StateFormatError } from "./codec";
import {
  splitStreamKey,
  STATE_SCHEMA,
  type CheckpointsInputs,
  type CheckpointsOutputs,
  type StoredStream,
  type StreamDeclaration,
  type StreamKey,
} from "./model";

const name = z.string().regex(NAME_PATTERN);
const streamKeySchema = z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/);
const ordinalKey = z.string().regex(PARTITION_ORDINAL_PATTERN);

/** A compact list checked by its decoder, so a malformed entry is named in the issue. */
function compact(decode: (text: string, what: string) => unknown) {
  return z.string().superRefine((text, context) => {
    try {
      decode(text, "value");
    } catch (error) {
      if (!(error instanceof StateFormatError)) throw error;
      context.addIssue({ code: "custom", message: error.message });
    }
  });
}

const storedStream = z.strictObject({
  partitions: compact(decodeSequenceNumbers),
  metadata: z.record(ordinalKey, z.string().max(MAX_METADATA_LENGTH)).optional(),
  allowSkip: z.literal(true).optional(),
  onDelete: z.literal("delete").optional(),
  revision: z.number().int().positive().optional(),
  whileConsumersRun: z.literal("allow").optional(),
  partitionRevisions: compact(decodeSequenceNumbers).optional(),
});

const streams = z.record(streamKeySchema, storedStream);

const gateRecord = z.strictObject({
  streams: z.record(streamKeySchema, z.strictObject({ replace: compact(decodePositions).optional(), adopt: compact(decodeOrdinals).optional() })),
  createApps: z.array(name),
});

const inputs = z.object({ schema: z.literal(STATE_SCHEMA), streams, gate: gateRecord });

const failure = z.object({
  code: z.enum(["commit-failed", "overwritten", "moved-before-retry", "not-attempted", "app-create-failed", "delete-failed"]),
  app: name,
  stream: name.optional(),
  partition: z.number().int().nonnegative().optional(),
  committed: z.string().optional(),
  replaced: z.string().nullable().optional(),
  now: z.string().nullable().optional(),
  partitions: compact(decodeOrdinals).optional(),
  error: z.string().optional(),
});

const outputs = z.object({
  schema: z.literal(STATE_SCHEMA),
  applied: streams,
  apps: z.record(name, z.enum(["created", "adopted"])),
  restorePoint: z.object({ at: z.string(), streams: z.record(streamKeySchema, compact(decodePositions)) }).nullable(),
  failures: z.array(failure),
  lastRun: z.object({ planned: z.number(), commits: z.number(), appsCreated: z.number(), deletes: z.number(), verified: z.number() }),
  observed: z.object({ at: z.string(), streams: z.record(streamKeySchema, compact(decodePositions)) }).optional(),
  missingApps: z.array(name).optional(),
});

export interface InputIssue {
  /** Dotted property path, as Pulumi shows it (`streams.billing/orders.partitions`). */
  property: string;
  message: string;
}

export class InputError extends ProjectError {
  override name = "InputError";
  readonly code = "invalid-inputs";
  constructor(
    readonly what: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(`invalid ${what}: ${issues.map((issue) => `${issue.property || "(root)"}: ${issue.message}`).join("; ")}`);
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; issues: InputIssue[] };

function parse<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ property: issue.path.join("."), message: issue.message })) };
}

/** Inputs carry Pulumi's `__provider` text beside ours; it is not part of the model. */
function withoutProvider(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const { __provider: _provider, ...rest } = value as Record<string, unknown>;
  return rest;
}

export function checkInputs(value: unknown): Parsed<CheckpointsInputs> {
  return parse(inputs, withoutProvider(value)) as Parsed<CheckpointsInputs>;
}

export function parseInputs(value: unknown): CheckpointsInputs {
  const parsed = checkInputs(value);
  if (!parsed.ok) throw new InputError("Checkpoints inputs", parsed.issues);
  return parsed.value;
}

export function parseOutputs(value: unknown): CheckpointsOutputs {
  const parsed = parse(outputs, withoutProvider(value)) as Parsed<CheckpointsOutputs>;
  if (!parsed.ok) throw new InputError("Checkpoints state", parsed.issues);
  return parsed.value;
}

/** The declarations of a stored stream map, keyed by `app/stream`. */
export function loadStreams(stored: Readonly<Record<StreamKey, StoredStream>>): Map<StreamKey, StreamDeclaration> {
  return new Map(
    Object.entries(stored).map(([key, stream]) => {
      const { app, stream: streamName } = splitStreamKey(key);
      return [key, loadStream(app, streamName, stream)];
    }),
  );
}

/** Parses a stored stream map from anywhere (a stack output, a state file), naming the first problem. */
export function parseStoredStreams(value: unknown, what: string): Map<StreamKey, StreamDeclaration> {
  const parsed = parse(streams, value);
  if (!parsed.ok) throw new InputError(what, parsed.issues);
  return loadStreams(parsed.value as Record<StreamKey, StoredStream>);
}
