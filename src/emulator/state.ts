import { randomBytes } from "node:crypto";
import {
  MAX_APP_NAME_LENGTH,
  MAX_METADATA_LENGTH,
  MAX_SEQUENCE_NUMBER,
  MAX_STREAM_NAME_LENGTH,
  NAME_PATTERN,
  type CursorType,
  type DataType,
  type StreamType,
} from "../contract";
import type { Clock } from "./clock";
import type { Cursor } from "./cursor";
import { errors } from "./errors";
import { formatRange, hashPartitionKey, partitionForHashKey, shardId } from "./identifiers";
import { PartitionLog, type PartitionLogSnapshot, type StoredRecord } from "./log";

const HOUR_MS = 3_600_000;
export const RETENTION_HOURS = { min: 24, max: 72, default: 24 } as const;

/** A partition as a request named it: the ordinal, and the id as given (error messages quote it). */
export interface PartitionRef {
  ordinal: number;
  id: string;
}

export interface StreamSpec {
  name: string;
  partitionCount: number;
  streamType?: StreamType;
  dataType?: DataType;
  retentionHours?: number;
  /** Generated records (seeding): per-partition counts, evenly spaced timestamps, a first sequence number. */
  records?: { perPartition: number[]; startTime: number; intervalMs: number; firstSequenceNumber: bigint };
}

/**
 * A record to append. The partition is `partition` when given, else the one whose hash range holds
 * `explicitHashKey`, else the one `partitionKey` hashes to, else the next in round-robin order.
 */
export interface RecordInput {
  /** Base64 of the payload. */
  data: string;
  partition?: PartitionRef;
  explicitHashKey?: bigint;
  partitionKey?: string;
  /** Epoch ms; the emulator clock when absent. */
  timestamp?: number;
}

export type CursorRequest =
  | { type: Extract<CursorType, "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER">; sequenceNumber: bigint }
  | { type: "AT_TIMESTAMP"; timestamp: number }
  | { type: "TRIM_HORIZON" | "LATEST" };

export interface CheckpointKey {
  app: string;
  stream: string;
  partition: PartitionRef;
}

export interface Checkpoint {
  sequenceNumber: bigint;
  metadata: string;
}

export interface StreamView {
  name: string;
  id: string;
  createTime: number;
  lastModifiedTime: number;
  retentionHours: number;
  streamType: StreamType;
  dataType: DataType;
  partitionCount: number;
}

export interface PartitionView {
  ordinal: number;
  /** The retained range: `earliest` … `next` (exclusive); equal when nothing is retained. */
  earliest: bigint;
  next: bigint;
}

export interface AppView {
  name: string;
  id: string;
  createTime: number;
  /** Streams this app holds checkpoints on, sorted. */
  committedStreams: string[];
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  total: number;
}

export interface ConsumerPartitionState extends PartitionView {
  checkpoint?: Checkpoint;
}

/** Choices where DIS's documentation is silent (see docs/emulator.md). */
export interface StateBehaviour {
  /** Refuse commits outside [earliest retained, next] with DIS.4224. */
  commitRangeCheck: boolean;
  /** ShowCheckpoint when nothing was committed: 200 with `"-1"`, or 400 DIS.4375. */
  missingCheckpoint: "minus-one" | "DIS.4375";
  /** ShowConsumerState for an app that never committed on the stream: 400 DIS.4375, or `-1` rows. */
  consumerStateWithoutCommit: "DIS.4375" | "minus-one";
}

export interface StateLimits {
  maxApps: number;
  maxPartitionsPerStream: number;
}

export const DEFAULT_BEHAVIOUR: StateBehaviour = {
  commitRangeCheck: true,
  missingCheckpoint: "minus-one",
  consumerStateWithoutCommit: "DIS.4375",
};

export const DEFAULT_LIMITS: StateLimits = { maxApps: 10_000, maxPartitionsPerStream: 1_000 };

interface Stream extends Omit<StreamView, "partitionCount"> {
  partitions: PartitionLog[];
  /** Where the next record without any routing hint goes. */
  roundRobin?: number;
}

interface App {
  name: string;
  id: string;
  createTime: number;
  /** stream name → partition ordinal → checkpoint. Commit and lookup are two Map hits. */
  checkpoints: Map<string, Map<number, Checkpoint>>;
}

export interface StreamSnapshot extends Omit<StreamView, "partitionCount"> {
  partitions: PartitionLogSnapshot[];
}

/** One checkpoint in a snapshot: stream, partition ordinal, sequence number, metadata. */
export type CheckpointTuple = [stream: string, partition: number, sequenceNumber: string, metadata: string];

export interface AppSnapshot {
  name: string;
  id: string;
  createTime: number;
  checkpoints: CheckpointTuple[];
}

export interface StateSnapshot {
  streams: StreamSnapshot[];
  apps: AppSnapshot[];
}

const newId = (): string => randomBytes(16).toString("hex");

/**
 * The emulated tenant: streams with their records, apps and their checkpoints. Pure in-memory model with the
 * clock injected; every method validates what it owns (existence, ranges, quotas, name rules) and throws the
 * API's own errors. Requests reach it already parsed (validation.ts); tests may call it directly to act "as a
 * consumer would" without HTTP or signing.
 */
export class EmulatorState {
  private readonly streams = new Map<string, Stream>();
  private readonly apps = new Map<string, App>();
  private sortedStreamNames: string[] | undefined;
  private sortedAppNames: string[] | undefined;
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly behaviour: StateBehaviour = DEFAULT_BEHAVIOUR,
    private readonly limits: StateLimits = DEFAULT_LIMITS,
  ) {}

  /** Called after every mutation (persistence debounces on it). Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  // ---- streams --------------------------------------------------------------------------------

  createStream(spec: StreamSpec): void {
    checkName("stream_name", spec.name, MAX_STREAM_NAME_LENGTH);
    const { partitionCount } = spec;
    if (!Number.isInteger(partitionCount) || partitionCount < 1) {
      throw errors.invalidRequest(`partition_count must be a positive integer, got ${partitionCount}`);
    }
    if (partitionCount > this.limits.maxPartitionsPerStream) {
      throw errors.insufficientQuota(
        `partition_count ${partitionCount} exceeds the emulator's limit of ${this.limits.maxPartitionsPerStream}`,
      );
    }
    const retentionHours = spec.retentionHours ?? RETENTION_HOURS.default;
    if (!Number.isInteger(retentionHours) || retentionHours < RETENTION_HOURS.min || retentionHours > RETENTION_HOURS.max) {
      throw errors.invalidRequest(
        `data_duration must be an integer from ${RETENTION_HOURS.min} to ${RETENTION_HOURS.max} hours, got ${retentionHours}`,
      );
    }
    if (this.streams.has(spec.name)) throw errors.streamAlreadyExists(spec.name);
    const now = this.clock.now();
    const records = spec.records;
    const partitions = Array.from({ length: partitionCount }, (_, ordinal) => {
      if (!records) return new PartitionLog(ordinal, 0n);
      const count = records.perPartition[ordinal] ?? 0;
      return new PartitionLog(ordinal, records.firstSequenceNumber, {
        count,
        startTime: records.startTime,
        intervalMs: records.intervalMs,
      });
    });
    this.streams.set(spec.name, {
      name: spec.name,
      id: newId(),
      createTime: now,
      lastModifiedTime: now,
      retentionHours,
      streamType: spec.streamType ?? "COMMON",
      dataType: spec.dataType ?? "BLOB",
      partitions,
    });
    this.sortedStreamNames = undefined;
    this.changed();
  }

  /** Deleting a stream also deletes every app's checkpoints on it: a recreated stream starts clean. */
  deleteStream(name: string): void {
    this.requireStream(name);
    this.streams.delete(name);
    for (const app of this.apps.values()) app.checkpoints.delete(name);
    this.sortedStreamNames = undefined;
    this.changed();
  }

  listStreams(startAfter: string | undefined, limit: number): Page<StreamView> {
    this.sortedStreamNames ??= [...this.streams.keys()].sort();
    const names = pageAfter(this.sortedStreamNames, startAfter, limit);
    return {
      items: names.items.map((name) => streamView(this.streams.get(name) as Stream)),
      hasMore: names.hasMore,
      total: this.streams.size,
    };
  }

  /** The stream's partition count, `undefined` when there is no such stream. */
  partitionCount(name: string): number | undefined {
    return this.streams.get(name)?.partitions.length;
  }

  describeStream(name: string): StreamView {
    return streamView(this.requireStream(name));
  }

  /** Partitions after `startAfter` (an ordinal, exclusive), with their retained ranges. */
  describePartitions(name: string, startAfter: number | undefined, limit: number): Page<PartitionView> {
    const stream = this.requireStream(name);
    const first = startAfter === undefined ? 0 : startAfter + 1;
    const logs = stream.partitions.slice(first, first + limit);
    return {
      items: logs.map((log) => this.partitionView(stream, log)),
      hasMore: first + limit < stream.partitions.length,
      total: stream.partitions.length,
    };
  }

  partitionRange(name: string, partition: PartitionRef): PartitionView {
    const stream = this.requireStream(name);
    return this.partitionView(stream, this.requirePartition(stream, partition));
  }

  // ---- records and cursors --------------------------------------------------------------------

  /** Appends all records or none: every target is resolved before the first write. */
  putRecords(streamName: string, records: RecordInput[]): { partition: number; sequenceNumber: bigint }[] {
    const stream = this.requireStream(streamName);
    const logs = records.map((record) => this.routeRecord(stream, record));
    const added = new Map<PartitionLog, bigint>();
    for (const log of logs) added.set(log, (added.get(log) ?? 0n) + 1n);
    for (const [log, count] of added) {
      if (log.next + count - 1n > MAX_SEQUENCE_NUMBER) {
        throw errors.invalidRequest(`partition ${shardId(log.ordinal)} of ${streamName} is full: sequence numbers end at 2^63-1`);
      }
    }
    const now = this.clock.now();
    const results = records.map((record, index) => {
      const log = logs[index] as PartitionLog;
      const sequenceNumber = log.append(record.data, record.timestamp ?? now, record.partitionKey);
      return { partition: log.ordinal, sequenceNumber };
    });
    if (results.length > 0) this.changed();
    return results;
  }

  private routeRecord(stream: Stream, record: RecordInput): PartitionLog {
    if (record.partition) return this.requirePartition(stream, record.partition);
    const count = stream.partitions.length;
    let ordinal: number;
    if (record.explicitHashKey !== undefined) ordinal = partitionForHashKey(record.explicitHashKey, count);
    else if (record.partitionKey !== undefined) ordinal = partitionForHashKey(hashPartitionKey(record.partitionKey), count);
    else ordinal = stream.roundRobin = ((stream.roundRobin ?? -1) + 1) % count;
    return stream.partitions[ordinal] as PartitionLog;
  }

  issueCursor(streamName: string, partition: PartitionRef, request: CursorRequest): Cursor {
    const stream = this.requireStream(streamName);
    const log = this.requirePartition(stream, partition);
    const issuedAt = this.clock.now();
    const cursor = (position: bigint, followsTrimHorizon = false): Cursor => ({
      stream: streamName,
      partition: log.ordinal,
      position,
      followsTrimHorizon,
      issuedAt,
    });
    switch (request.type) {
      case "TRIM_HORIZON":
        return cursor(log.earliest, true);
      case "LATEST":
        return cursor(log.next);
      case "AT_TIMESTAMP": {
        const cutoff = this.retentionCutoff(stream);
        if (request.timestamp < cutoff) throw errors.timestampExpired(log.earliestTimestamp() ?? cutoff);
        return cursor(log.positionAtTime(request.timestamp));
      }
      case "AT_SEQUENCE_NUMBER":
      case "AFTER_SEQUENCE_NUMBER": {
        const after = request.type === "AFTER_SEQUENCE_NUMBER";
        const last = after ? log.next - 1n : log.next;
        if (request.sequenceNumber < log.earliest || request.sequenceNumber > last) {
          throw errors.sequenceNumberOutOfRange(
            streamName,
            partition.id,
            request.sequenceNumber,
            formatRange(log.earliest, log.next),
          );
        }
        return cursor(after ? request.sequenceNumber + 1n : request.sequenceNumber);
      }
    }
  }

  /** Records at the cursor and the cursor to continue from. DIS.4226 when the cursor fell behind retention. */
  readRecords(cursor: Cursor, maxBytes: number, maxRecords: number): { records: StoredRecord[]; next: Cursor } {
    const stream = this.requireStream(cursor.stream);
    const log = this.requirePartition(stream, { ordinal: cursor.partition, id: shardId(cursor.partition) });
    let position = cursor.position;
    if (position < log.earliest) {
      if (!cursor.followsTrimHorizon) throw errors.cursorBehindRetention();
      position = log.earliest;
    }
    // A position beyond `next` means the cursor predates a deletion and recreation of the stream.
    if (position > log.next) throw errors.cursorBehindRetention();
    const records = log.read(position, maxBytes, maxRecords);
    const last = records[records.length - 1];
    const nextPosition = last === undefined ? position : last.sequenceNumber + 1n;
    return {
      records,
      next: { ...cursor, position: nextPosition, followsTrimHorizon: false, issuedAt: this.clock.now() },
    };
  }

  // ---- apps -----------------------------------------------------------------------------------

  createApp(name: string): void {
    checkName("app_name", name, MAX_APP_NAME_LENGTH);
    if (this.apps.has(name)) throw errors.appAlreadyExists(name);
    if (this.apps.size >= this.limits.maxApps) throw errors.appQuotaExceeded(this.limits.maxApps);
    this.apps.set(name, { name, id: newId(), createTime: this.clock.now(), checkpoints: new Map() });
    this.sortedAppNames = undefined;
    this.changed();
  }

  hasApp(name: string): boolean {
    return this.apps.has(name);
  }

  showApp(name: string): AppView {
    return appView(this.requireApp(name));
  }

  /** Apps sorted by name after `startAfter`; with `stream`, only apps holding checkpoints on it. */
  listApps(startAfter: string | undefined, limit: number, stream?: string): Page<AppView> {
    if (stream !== undefined) this.requireStream(stream);
    this.sortedAppNames ??= [...this.apps.keys()].sort();
    const names =
      stream === undefined
        ? this.sortedAppNames
        : this.sortedAppNames.filter((name) => this.apps.get(name)?.checkpoints.has(stream));
    const page = pageAfter(names, startAfter, limit);
    return {
      items: page.items.map((name) => appView(this.apps.get(name) as App)),
      hasMore: page.hasMore,
      total: names.length,
    };
  }

  /** Deleting an app deletes its checkpoints (DIS.4331 "app is using" is never raised). */
  deleteApp(name: string): void {
    this.requireApp(name);
    this.apps.delete(name);
    this.sortedAppNames = undefined;
    this.changed();
  }

  consumerState(
    appName: string,
    streamName: string,
    startAfter: number | undefined,
    limit: number,
  ): Page<ConsumerPartitionState> {
    const app = this.requireApp(appName);
    const stream = this.requireStream(streamName);
    const checkpoints = app.checkpoints.get(streamName);
    if (!checkpoints && this.behaviour.consumerStateWithoutCommit === "DIS.4375") {
      throw errors.appHasNoCheckpoint(appName, streamName);
    }
    const page = this.describePartitions(streamName, startAfter, limit);
    return {
      ...page,
      items: page.items.map((partition) => {
        const checkpoint = checkpoints?.get(partition.ordinal);
        return checkpoint ? { ...partition, checkpoint } : partition;
      }),
    };
  }

  // ---- checkpoints ----------------------------------------------------------------------------

  /** Sets the checkpoint (absolute, idempotent). O(1): three Map lookups and one insert. */
  commitCheckpoint(key: CheckpointKey, sequenceNumber: bigint, metadata = ""): void {
    if (metadata.length > MAX_METADATA_LENGTH) {
      throw errors.invalidRequest(`metadata is ${metadata.length} characters, at most ${MAX_METADATA_LENGTH} allowed`);
    }
    const { app, log } = this.resolveCheckpointKey(key);
    if (this.behaviour.commitRangeCheck && !isCommittable(log, sequenceNumber)) {
      throw errors.sequenceNumberOutOfRange(key.stream, key.partition.id, sequenceNumber, formatRange(log.earliest, log.next));
    }
    let perStream = app.checkpoints.get(key.stream);
    if (!perStream) {
      perStream = new Map();
      app.checkpoints.set(key.stream, perStream);
    }
    perStream.set(log.ordinal, { sequenceNumber, metadata });
    this.changed();
  }

  /** The stored checkpoint, `undefined` when none (or DIS.4375, see StateBehaviour.missingCheckpoint). */
  showCheckpoint(key: CheckpointKey): Checkpoint | undefined {
    const checkpoint = this.storedCheckpoint(key);
    if (!checkpoint && this.behaviour.missingCheckpoint === "DIS.4375") {
      throw errors.appHasNoCheckpoint(key.app, key.stream);
    }
    return checkpoint;
  }

  /**
   * The stored checkpoint, `undefined` when none, whatever `missingCheckpoint` says: simulated consumers
   * (consumers.ts) read their checkpoint in-process, not through the API's answer to ShowCheckpoint.
   */
  storedCheckpoint(key: CheckpointKey): Checkpoint | undefined {
    const { app, log } = this.resolveCheckpointKey(key);
    return app.checkpoints.get(key.stream)?.get(log.ordinal);
  }

  /** Deletes one partition's checkpoint, or every partition's when `partition` is absent. Idempotent. */
  deleteCheckpoint(key: Omit<CheckpointKey, "partition"> & { partition?: PartitionRef }): void {
    const stream = this.requireStream(key.stream);
    const app = this.requireApp(key.app);
    const perStream = app.checkpoints.get(key.stream);
    if (key.partition === undefined) {
      app.checkpoints.delete(key.stream);
    } else {
      const log = this.requirePartition(stream, key.partition);
      perStream?.delete(log.ordinal);
      if (perStream?.size === 0) app.checkpoints.delete(key.stream);
    }
    this.changed();
  }

  /** Total checkpoints held, over all apps (cheap enough for metrics and tests). */
  checkpointCount(): number {
    let count = 0;
    for (const app of this.apps.values()) for (const perStream of app.checkpoints.values()) count += perStream.size;
    return count;
  }

  // ---- whole state ----------------------------------------------------------------------------

  clear(): void {
    this.streams.clear();
    this.apps.clear();
    this.sortedStreamNames = undefined;
    this.sortedAppNames = undefined;
    this.changed();
  }

  snapshot(): StateSnapshot {
    const streams = [...this.streams.values()].map(({ partitions, roundRobin: _, ...stream }) => ({
      ...stream,
      partitions: partitions.map((log) => {
        log.expireBefore(this.retentionCutoff(stream));
        return log.snapshot();
      }),
    }));
    const apps = [...this.apps.values()].map(({ checkpoints, ...app }) => ({
      ...app,
      checkpoints: [...checkpoints].flatMap(([stream, perStream]) =>
        [...perStream].map(
          ([ordinal, checkpoint]): CheckpointTuple => [stream, ordinal, String(checkpoint.sequenceNumber), checkpoint.metadata],
        ),
      ),
    }));
    return { streams, apps };
  }

  /** Replaces everything with a snapshot's content (loading persisted state). */
  restore(snapshot: StateSnapshot): void {
    this.streams.clear();
    this.apps.clear();
    for (const { partitions, ...stream } of snapshot.streams) {
      this.streams.set(stream.name, {
        ...stream,
        partitions: partitions.map((partition, ordinal) => PartitionLog.fromSnapshot(ordinal, partition)),
      });
    }
    for (const { checkpoints, ...app } of snapshot.apps) {
      const byStream = new Map<string, Map<number, Checkpoint>>();
      for (const [stream, ordinal, sequenceNumber, metadata] of checkpoints) {
        let perStream = byStream.get(stream);
        if (!perStream) byStream.set(stream, (perStream = new Map()));
        perStream.set(ordinal, { sequenceNumber: BigInt(sequenceNumber), metadata });
      }
      this.apps.set(app.name, { ...app, checkpoints: byStream });
    }
    this.sortedStreamNames = undefined;
    this.sortedAppNames = undefined;
    this.changed();
  }

  // ---- lookups --------------------------------------------------------------------------------

  private resolveCheckpointKey(key: CheckpointKey): { app: App; log: PartitionLog } {
    const stream = this.requireStream(key.stream);
    const app = this.requireApp(key.app);
    const log = this.requirePartition(stream, key.partition);
    return { app, log };
  }

  private requireStream(name: string): Stream {
    const stream = this.streams.get(name);
    if (!stream) throw errors.streamNotFound(name);
    return stream;
  }

  private requireApp(name: string): App {
    const app = this.apps.get(name);
    if (!app) throw errors.appNotFound(name);
    return app;
  }

  /** The partition, with records older than the stream's retention expired as of now. */
  private requirePartition(stream: Stream, partition: PartitionRef): PartitionLog {
    const log = stream.partitions[partition.ordinal];
    if (!log) throw errors.partitionNotFound(stream.name, partition.id);
    log.expireBefore(this.retentionCutoff(stream));
    return log;
  }

  private partitionView(stream: Stream, log: PartitionLog): PartitionView {
    log.expireBefore(this.retentionCutoff(stream));
    return { ordinal: log.ordinal, earliest: log.earliest, next: log.next };
  }

  private retentionCutoff(stream: Omit<Stream, "partitions">): number {
    return this.clock.now() - stream.retentionHours * HOUR_MS;
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

/** A commit may name any retained position or `next` itself (the Kafka adapter commits the next position). */
function isCommittable(log: PartitionLog, sequenceNumber: bigint): boolean {
  return sequenceNumber >= log.earliest && sequenceNumber <= log.next;
}

function checkName(field: string, name: string, maxLength: number): void {
  if (name.length < 1 || name.length > maxLength || !NAME_PATTERN.test(name)) {
    throw errors.invalidRequest(
      `${field} must be 1 to ${maxLength} characters of letters, digits, '_' and '-', got ${JSON.stringify(name)}`,
    );
  }
}

/** The names after `startAfter` (exclusive, need not exist) in a sorted list, at most `limit` of them. */
function pageAfter(sorted: string[], startAfter: string | undefined, limit: number): { items: string[]; hasMore: boolean } {
  let low = 0;
  if (startAfter !== undefined) {
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sorted[middle] as string) <= startAfter) low = middle + 1;
      else high = middle;
    }
  }
  return { items: sorted.slice(low, low + limit), hasMore: low + limit < sorted.length };
}

function streamView({ partitions, roundRobin: _, ...stream }: Stream): StreamView {
  return { ...stream, partitionCount: partitions.length };
}

function appView(app: App): AppView {
  return {
    name: app.name,
    id: app.id,
    createTime: app.createTime,
    committedStreams: [...app.checkpoints.keys()].sort(),
  };
}
