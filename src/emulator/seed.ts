import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { MAX_SEQUENCE_NUMBER } from "../contract";
import { CONSUMER_SPEC, ConsumerSpecError, type ConsumerRegistry } from "./consumers";
import { EmulatorError } from "./errors";
import { parsePartitionId, parseSequenceNumber } from "./identifiers";
import type { EmulatorState } from "./state";

const DEFAULT_INTERVAL_MS = 1000;

const NAME = z.string().min(1);
const NON_NEGATIVE_INTEGER = z.number().int().min(0);

/** Either form of a value that is text in the API: a string, or a bare non-negative integer while it is exact. */
function stringOrExactInteger(pattern: RegExp, expected: string) {
  return z.union([z.string(), z.number()]).superRefine((value, context) => {
    if (typeof value === "string" ? pattern.test(value) : Number.isSafeInteger(value) && value >= 0) return;
    const message =
      typeof value === "number" && Number.isInteger(value) && value > 0
        ? "integers above 2^53-1 lose precision in YAML and JSON: quote the number"
        : `expected ${expected}, got ${JSON.stringify(value)}`;
    context.addIssue({ code: "custom", message });
  });
}

/** Sequence numbers are decimal strings; a bare integer is accepted only while it is exact. */
const SEQUENCE_NUMBER = stringOrExactInteger(/^\d+$/, 'a decimal string such as "1520"');
const PARTITION = stringOrExactInteger(/^(?:\d+|shardId-\d{10})$/, 'a partition id such as 0 or "shardId-0000000000"');

const RECORDS = z
  .object({
    perPartition: z.union([NON_NEGATIVE_INTEGER, z.array(NON_NEGATIVE_INTEGER)]),
    startTime: z.union([NON_NEGATIVE_INTEGER, z.iso.datetime({ offset: true })]).optional(),
    intervalMs: NON_NEGATIVE_INTEGER.optional(),
    firstSequenceNumber: SEQUENCE_NUMBER.optional(),
  })
  .strict();

export const SEED_SCHEMA = z
  .object({
    streams: z
      .array(
        z
          .object({
            name: NAME,
            partitions: z.number().int().min(1),
            retentionHours: z.number().int().optional(),
            streamType: z.enum(["COMMON", "ADVANCED"]).optional(),
            dataType: z.enum(["BLOB", "JSON", "CSV"]).optional(),
            records: RECORDS.optional(),
          })
          .strict(),
      )
      .optional(),
    apps: z.array(z.union([NAME, z.object({ name: NAME }).strict()])).optional(),
    checkpoints: z
      .array(
        z
          .object({
            app: NAME,
            stream: NAME,
            partition: PARTITION,
            sequenceNumber: SEQUENCE_NUMBER,
            metadata: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    consumers: z.array(CONSUMER_SPEC).optional(),
  })
  .strict();

/** The seed format (docs/emulator.md): streams with generated records, apps, checkpoints and simulated consumers. */
export type SeedDocument = z.input<typeof SEED_SCHEMA>;
type Seed = z.output<typeof SEED_SCHEMA>;

type SeedPath = (string | number)[];

/** One problem in a seed: where (the path in the document; line and column when known) and what. */
export interface SeedProblem {
  path: SeedPath;
  problem: string;
  position?: { line: number; col: number };
}

/** Every problem found in a seed, each formatted `file:line:col: path: problem` on its own line. */
export class SeedError extends Error {
  override name = "SeedError";

  constructor(
    readonly source: string,
    readonly problems: readonly SeedProblem[],
  ) {
    super(problems.map((problem) => formatProblem(source, problem)).join("\n"));
  }
}

function formatProblem(source: string, { path, problem, position }: SeedProblem): string {
  const where = position ? `${source}:${position.line}:${position.col}` : source;
  return `${where}: ${path.length > 0 ? `${formatPath(path)}: ` : ""}${problem}`;
}

function formatPath(path: SeedPath): string {
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");
}

/** A parsed seed that can be applied again (reset) and locates its own problems. */
export interface LoadedSeed {
  source: string;
  seed: Seed;
  locate(path: SeedPath): { line: number; col: number } | undefined;
}

/** Reads a YAML or JSON seed file (JSON is YAML). Problems come back as one SeedError with a position. */
export function loadSeedFile(file: string): LoadedSeed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SeedError(file, [{ path: [], problem: `cannot read the seed file: ${reason}` }]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    throw new SeedError(
      file,
      document.errors.map((error) => ({
        path: [],
        // The first line, without the " at line L, column C:" the position already gives.
        problem: (error.message.split("\n")[0] as string).replace(/ at line \d+, column \d+:$/, ""),
        ...(error.linePos ? { position: error.linePos[0] } : {}),
      })),
    );
  }
  const locate = (path: SeedPath) => locateInDocument(document, lineCounter, path);
  return { source: file, seed: validateSeed(document.toJS(), file, locate), locate };
}

/** A seed given as an object (programmatic use); problems are located by path only. */
export function loadSeedObject(value: unknown): LoadedSeed {
  const locate = () => undefined;
  return { source: "seed", seed: validateSeed(value, "seed", locate), locate };
}

function validateSeed(value: unknown, source: string, locate: LoadedSeed["locate"]): Seed {
  const parsed = SEED_SCHEMA.safeParse(value ?? {}, {
    // Only a missing value reaches a schema as `undefined` (optional fields never fail).
    error: (issue) => (issue.input === undefined && issue.code !== "unrecognized_keys" ? "required" : undefined),
  });
  if (parsed.success) return parsed.data;
  throw new SeedError(
    source,
    parsed.error.issues.map((issue) => {
      const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
      // A typo'd key is best shown where it stands, not at the map that holds it.
      const position = locate(issue.code === "unrecognized_keys" ? [...path, ...issue.keys.slice(0, 1)] : path);
      return { path, problem: issue.message, ...(position ? { position } : {}) };
    }),
  );
}

/** The deepest node on `path` that exists (a missing key is reported at its parent). */
function locateInDocument(document: Document, lineCounter: LineCounter, path: SeedPath) {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]);
  }
  return undefined;
}

/**
 * Creates the seed's streams (with generated records), apps and checkpoints through the state's own rules,
 * so a seed is held to exactly what the API would accept. `now` anchors records without a `startTime`: they
 * end one interval before it.
 */
export function applySeed(state: EmulatorState, loaded: LoadedSeed, now: number): void {
  const { seed } = loaded;
  const at = locatedIn(loaded);
  for (const [index, stream] of (seed.streams ?? []).entries()) {
    at(["streams", index], () => {
      const records = stream.records;
      const spec = {
        name: stream.name,
        partitionCount: stream.partitions,
        ...(stream.retentionHours === undefined ? {} : { retentionHours: stream.retentionHours }),
        ...(stream.streamType === undefined ? {} : { streamType: stream.streamType }),
        ...(stream.dataType === undefined ? {} : { dataType: stream.dataType }),
      };
      state.createStream(records ? { ...spec, records: generatedRecords(records, stream.partitions, now) } : spec);
    });
  }
  for (const [index, app] of (seed.apps ?? []).entries()) {
    at(["apps", index], () => state.createApp(typeof app === "string" ? app : app.name));
  }
  for (const [index, checkpoint] of (seed.checkpoints ?? []).entries()) {
    const partitionId = String(checkpoint.partition);
    const ordinal = at(["checkpoints", index, "partition"], () => required(parsePartitionId(partitionId), `invalid partition id ${partitionId}`));
    const sequenceNumber = at(["checkpoints", index, "sequenceNumber"], () =>
      required(parseSequenceNumber(String(checkpoint.sequenceNumber)), "sequence numbers range from 0 to 9223372036854775807"),
    );
    at(["checkpoints", index], () =>
      state.commitCheckpoint(
        { app: checkpoint.app, stream: checkpoint.stream, partition: { ordinal, id: partitionId } },
        sequenceNumber,
        checkpoint.metadata,
      ),
    );
  }
}

/**
 * Starts the seed's consumers, each validated against the state as it is then (seeded or loaded from the data
 * file). A consumer naming something that does not exist stops the start with its seed position; the ones
 * already started are stopped again.
 */
export function startSeedConsumers(consumers: ConsumerRegistry, loaded: LoadedSeed): void {
  const at = locatedIn(loaded);
  try {
    for (const [index, spec] of (loaded.seed.consumers ?? []).entries()) at(["consumers", index], () => consumers.add(spec));
  } catch (error) {
    consumers.stopAll();
    throw error;
  }
}

/** Runs `action`, turning the API's errors (and the seed's own) into a SeedError located at `path`. */
function locatedIn(loaded: LoadedSeed) {
  const problemAt = (path: SeedPath, problem: string): SeedProblem => {
    const position = loaded.locate(path);
    return { path, problem, ...(position ? { position } : {}) };
  };
  return <T>(path: SeedPath, action: () => T): T => {
    try {
      return action();
    } catch (error) {
      if (error instanceof ConsumerSpecError) {
        throw new SeedError(
          loaded.source,
          error.problems.map((problem) => problemAt([...path, ...problem.path], problem.problem)),
        );
      }
      if (!(error instanceof EmulatorError) && !(error instanceof SeedInputError)) throw error;
      throw new SeedError(loaded.source, [problemAt(path, error.message)]);
    }
  };
}

class SeedInputError extends Error {}

function required<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new SeedInputError(problem);
  return value;
}

function generatedRecords(records: NonNullable<Seed["streams"]>[number]["records"] & object, partitions: number, now: number) {
  const perPartition = Array.isArray(records.perPartition)
    ? records.perPartition
    : Array.from({ length: partitions }, () => records.perPartition as number);
  if (perPartition.length > partitions) {
    throw new SeedInputError(`records.perPartition lists ${perPartition.length} counts for ${partitions} partitions`);
  }
  const intervalMs = records.intervalMs ?? DEFAULT_INTERVAL_MS;
  const longest = Math.max(0, ...perPartition);
  const startTime =
    records.startTime === undefined
      ? now - longest * intervalMs
      : typeof records.startTime === "number"
        ? records.startTime
        : Date.parse(records.startTime);
  const firstSequenceNumber = required(
    parseSequenceNumber(String(records.firstSequenceNumber ?? "0")),
    "records.firstSequenceNumber must be within 0 … 9223372036854775807",
  );
  if (firstSequenceNumber + BigInt(longest) > MAX_SEQUENCE_NUMBER) {
    throw new SeedInputError("records.firstSequenceNumber leaves no room for the records below 2^63-1");
  }
  return { perPartition, startTime, intervalMs, firstSequenceNumber };
}
