import { z } from "zod";
import type { Clock } from "./clock";
import { EmulatorError } from "./errors";
import type { CheckpointKey, EmulatorState } from "./state";

/**
 * Simulated consumers: in-process stand-ins for the DIS Kafka adapter and raw-API clients, which keep their
 * position in memory and commit it every few seconds, so a checkpoint committed while they run (a replay) is
 * overwritten at their next commit. They commit straight into the state, never over HTTP, so they never
 * appear in the request log (tests assert the exact API requests a run made). Behaviour: docs/emulator.md,
 * "Simulated consumers".
 */

export const CONSUMER_DEFAULTS = { intervalMs: 1000, recordsPerSecond: 10, mode: "overwrite" } as const;
/** A shorter period would turn the emulator into a busy loop; tests that want speed use tens of ms. */
const MIN_INTERVAL_MS = 10;
const MAX_INTERVAL_MS = 3_600_000;
const MAX_RECORDS_PER_SECOND = 1_000_000;
const MS_PER_SECOND = 1000;

export const CONSUMER_SPEC = z
  .object({
    app: z.string().min(1),
    stream: z.string().min(1),
    partitions: z
      .array(z.number().int().min(0))
      .min(1)
      .refine((ordinals) => new Set(ordinals).size === ordinals.length, "each partition may be listed once")
      .optional(),
    intervalMs: z.number().int().min(MIN_INTERVAL_MS).max(MAX_INTERVAL_MS).default(CONSUMER_DEFAULTS.intervalMs),
    recordsPerSecond: z.number().min(0).max(MAX_RECORDS_PER_SECOND).default(CONSUMER_DEFAULTS.recordsPerSecond),
    mode: z.enum(["overwrite", "reread"]).default(CONSUMER_DEFAULTS.mode),
  })
  .strict();

/** What a consumer is asked to do; absent fields take CONSUMER_DEFAULTS, absent partitions mean all of them. */
export type ConsumerSpec = z.input<typeof CONSUMER_SPEC>;
type ConsumerSettings = Required<z.output<typeof CONSUMER_SPEC>>;

/** A running consumer as tests and the admin surface see it. Sequence numbers are decimal strings. */
export interface ConsumerView extends ConsumerSettings {
  id: string;
  /** Intervals that have elapsed (each commits every partition once, or counts its failures). */
  ticks: number;
  /** Successful commits, one per partition per tick. */
  commits: number;
  /** Commits that failed (app or stream deleted, partition gone, value refused). */
  failures: number;
  /** `<code> <message>` of the latest failure. */
  lastError?: string;
  /** Partition ordinal → the position held in memory: the next sequence number to read. */
  positions: Record<string, string>;
  /** Partition ordinal → the value this consumer last committed there; absent before its first commit. */
  lastCommitted: Record<string, string>;
}

export interface ConsumerProblem {
  /** Where in the spec (`["partitions", 1]`); empty for the spec as a whole. */
  path: (string | number)[];
  problem: string;
}

/** A consumer spec that does not validate, or names an app, stream or partition that does not exist. */
export class ConsumerSpecError extends Error {
  override name = "ConsumerSpecError";

  constructor(readonly problems: readonly ConsumerProblem[]) {
    const described = problems.map(({ path, problem }) => (path.length === 0 ? problem : `${path.join(".")}: ${problem}`));
    super(`invalid consumer: ${described.join("; ")}`);
  }
}

export class ConsumerRegistry {
  private readonly consumers = new Map<string, SimulatedConsumer>();
  private nextId = 1;

  constructor(
    private readonly state: EmulatorState,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Validates the spec against the state as it is now, then starts the consumer's timer. */
  add(spec: unknown): ConsumerView {
    const settings = resolveSettings(this.state, spec);
    const consumer = new SimulatedConsumer(`consumer-${this.nextId++}`, settings, this.state, this.clock, this.log);
    this.consumers.set(consumer.id, consumer);
    return consumer.view();
  }

  list(): ConsumerView[] {
    return [...this.consumers.values()].map((consumer) => consumer.view());
  }

  remove(id: string): boolean {
    const consumer = this.consumers.get(id);
    consumer?.stop();
    return this.consumers.delete(id);
  }

  stopAll(): void {
    for (const consumer of this.consumers.values()) consumer.stop();
    this.consumers.clear();
  }
}

function resolveSettings(state: EmulatorState, spec: unknown): ConsumerSettings {
  const parsed = CONSUMER_SPEC.safeParse(spec);
  if (!parsed.success) {
    throw new ConsumerSpecError(
      parsed.error.issues.map((issue) => ({
        path: issue.path.filter((part): part is string | number => typeof part !== "symbol"),
        problem: issue.message,
      })),
    );
  }
  const { app, stream, partitions } = parsed.data;
  const problems: ConsumerProblem[] = [];
  if (!state.hasApp(app)) problems.push({ path: ["app"], problem: `no app named ${JSON.stringify(app)}; create it first` });
  const partitionCount = state.partitionCount(stream);
  if (partitionCount === undefined) {
    problems.push({ path: ["stream"], problem: `no stream named ${JSON.stringify(stream)}; create it first` });
  } else {
    for (const [index, ordinal] of (partitions ?? []).entries()) {
      if (ordinal >= partitionCount) {
        problems.push({
          path: ["partitions", index],
          problem: `stream ${JSON.stringify(stream)} has partitions 0 to ${partitionCount - 1}, not ${ordinal}`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ConsumerSpecError(problems);
  return {
    ...parsed.data,
    partitions: partitions ?? Array.from({ length: partitionCount as number }, (_, ordinal) => ordinal),
  };
}

/**
 * One consumer: a position per partition and a timer. Each tick, per partition: in `reread` mode adopt the
 * stored checkpoint when someone else changed it; move up to the earliest retained record if the position
 * expired; advance by the records due since the start (rate × elapsed emulator-clock time, so fractions
 * carry over between ticks and a clock jump moves the consumer too), capped at the end of the partition;
 * commit it.
 */
class SimulatedConsumer {
  private readonly positions = new Map<number, bigint>();
  private readonly lastCommitted = new Map<number, bigint>();
  private readonly timer: NodeJS.Timeout;
  private lastTickAt: number;
  private elapsedMs = 0;
  /** Records advanced so far, over all ticks; `rate × elapsedMs` minus this is what is due. */
  private advanced = 0;
  private ticks = 0;
  private commits = 0;
  private failures = 0;
  private lastError: string | undefined;

  constructor(
    readonly id: string,
    private readonly settings: ConsumerSettings,
    private readonly state: EmulatorState,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {
    for (const ordinal of settings.partitions) {
      const key = this.keyOf(ordinal);
      const stored = state.storedCheckpoint(key)?.sequenceNumber;
      this.positions.set(ordinal, stored ?? state.partitionRange(settings.stream, key.partition).earliest);
    }
    this.lastTickAt = clock.now();
    // Unref'ed: a forgotten consumer must never keep a test process (or the CLI after close) alive.
    this.timer = setInterval(() => this.tick(), settings.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  view(): ConsumerView {
    const decimals = (values: Map<number, bigint>) =>
      Object.fromEntries([...values].map(([ordinal, value]) => [String(ordinal), String(value)]));
    return {
      id: this.id,
      ...this.settings,
      partitions: [...this.settings.partitions],
      ticks: this.ticks,
      commits: this.commits,
      failures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      positions: decimals(this.positions),
      lastCommitted: decimals(this.lastCommitted),
    };
  }

  private tick(): void {
    const now = this.clock.now();
    // A clock set back does not move a consumer backwards; it just earns nothing until time catches up.
    this.elapsedMs += Math.max(0, now - this.lastTickAt);
    this.lastTickAt = now;
    this.ticks += 1;
    const due = Math.floor((this.settings.recordsPerSecond * this.elapsedMs) / MS_PER_SECOND) - this.advanced;
    this.advanced += due;
    for (const ordinal of this.settings.partitions) {
      try {
        this.consumeAndCommit(ordinal, BigInt(due));
        this.commits += 1;
      } catch (error) {
        // A timer must never throw: the failure is counted and the next tick tries again.
        this.failures += 1;
        this.lastError = error instanceof EmulatorError ? `${error.code} ${error.message}` : String(error);
        if (!(error instanceof EmulatorError)) this.log(`consumer ${this.id}: unexpected failure: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  private consumeAndCommit(ordinal: number, due: bigint): void {
    const key = this.keyOf(ordinal);
    let position = this.positions.get(ordinal) as bigint;
    if (this.settings.mode === "reread") {
      const stored = this.state.storedCheckpoint(key)?.sequenceNumber;
      if (stored !== undefined && stored !== this.lastCommitted.get(ordinal)) position = stored;
    }
    const { earliest, next } = this.state.partitionRange(this.settings.stream, key.partition);
    position = minimum(maximum(position, earliest) + due, next);
    this.positions.set(ordinal, position);
    // Metadata stays empty, as the Kafka adapter leaves it.
    this.state.commitCheckpoint(key, position, "");
    this.lastCommitted.set(ordinal, position);
  }

  private keyOf(ordinal: number): CheckpointKey {
    return { app: this.settings.app, stream: this.settings.stream, partition: { ordinal, id: String(ordinal) } };
  }
}

const minimum = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maximum = (a: bigint, b: bigint): bigint => (a > b ? a : b);
