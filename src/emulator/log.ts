import { shardId } from "./identifiers";

/** One record as the API returns it; `data` is base64, as on the wire. */
export interface StoredRecord {
  sequenceNumber: bigint;
  data: string;
  timestamp: number;
  partitionKey?: string;
}

/**
 * Records that exist only as a formula: `count` records, the i-th written at `startTime + i * intervalMs`,
 * with a payload derived from its position. Seeding a million records costs nothing until they are read.
 */
export interface GeneratedRecords {
  count: number;
  startTime: number;
  intervalMs: number;
}

/** A written record's stored form: timestamp, base64 payload and, when the producer gave one, its key. */
export type WrittenRecord = [timestamp: number, data: string, partitionKey?: string];

/** What a partition log holds, in a form that survives JSON (persistence) and rebuilds the log exactly. */
export interface PartitionLogSnapshot {
  firstSequenceNumber: string;
  expired: number;
  generated: GeneratedRecords;
  written: WrittenRecord[];
}

/** Dropping expired written records one by one would be quadratic; they are removed in batches this large. */
const COMPACTION_THRESHOLD = 1024;

/**
 * One partition's ordered records. Positions are indices from `first` (the sequence number of the very first
 * record ever written): generated records take indices [0, generated.count), written ones follow. Expiry
 * only ever removes a prefix, so the retained records are always [earliestIndex, size).
 */
export class PartitionLog {
  private earliestIndex: number;
  /** The index of `timestamps[0]`: written records before it expired and were reclaimed. */
  private arrayBase: number;
  private readonly timestamps: number[] = [];
  private readonly payloads: string[] = [];
  private readonly partitionKeys: (string | undefined)[] = [];
  private writtenInOrder = true;

  constructor(
    readonly ordinal: number,
    readonly first: bigint,
    private readonly generated: GeneratedRecords = { count: 0, startTime: 0, intervalMs: 0 },
    expired = 0,
  ) {
    this.earliestIndex = expired;
    this.arrayBase = Math.max(generated.count, expired);
  }

  static fromSnapshot(ordinal: number, snapshot: PartitionLogSnapshot): PartitionLog {
    const log = new PartitionLog(ordinal, BigInt(snapshot.firstSequenceNumber), snapshot.generated, snapshot.expired);
    for (const [timestamp, data, partitionKey] of snapshot.written) log.append(data, timestamp, partitionKey);
    return log;
  }

  snapshot(): PartitionLogSnapshot {
    const written: WrittenRecord[] = [];
    for (let index = Math.max(this.earliestIndex, this.arrayBase); index < this.size; index++) {
      const slot = index - this.arrayBase;
      const key = this.partitionKeys[slot];
      const timestamp = this.timestamps[slot] as number;
      const data = this.payloads[slot] as string;
      written.push(key === undefined ? [timestamp, data] : [timestamp, data, key]);
    }
    return {
      firstSequenceNumber: String(this.first),
      expired: this.earliestIndex,
      generated: { ...this.generated },
      written,
    };
  }

  /** The earliest retained sequence number (equal to `next` when nothing is retained). */
  get earliest(): bigint {
    return this.first + BigInt(this.earliestIndex);
  }

  /** The sequence number the next record will get: the exclusive right end of the range. */
  get next(): bigint {
    return this.first + BigInt(this.size);
  }

  private get size(): number {
    return this.arrayBase + this.timestamps.length;
  }

  append(data: string, timestamp: number, partitionKey?: string): bigint {
    const sequenceNumber = this.next;
    const previous = this.timestamps[this.timestamps.length - 1];
    if (previous !== undefined && timestamp < previous) this.writtenInOrder = false;
    this.timestamps.push(timestamp);
    this.payloads.push(data);
    this.partitionKeys.push(partitionKey);
    return sequenceNumber;
  }

  /** Expire the prefix of records written before `cutoff` (ms). Amortised O(1) per record. */
  expireBefore(cutoff: number): void {
    const { count } = this.generated;
    if (this.earliestIndex < count) {
      const firstKept = firstGeneratedAtOrAfter(this.generated, cutoff);
      this.earliestIndex = Math.max(this.earliestIndex, Math.min(firstKept, count));
      // Generated timestamps never decrease: a kept generated record ends the expired prefix.
      if (this.earliestIndex < count) return;
    }
    while (this.earliestIndex < this.size && this.timestampAt(this.earliestIndex) < cutoff) this.earliestIndex++;
    this.reclaimExpired();
  }

  /** Timestamp of the earliest retained record, if any. */
  earliestTimestamp(): number | undefined {
    return this.earliestIndex < this.size ? this.timestampAt(this.earliestIndex) : undefined;
  }

  /** The first retained position whose record was written at or after `time`; `next` when there is none. */
  positionAtTime(time: number): bigint {
    let index = this.earliestIndex;
    if (index < this.generated.count) {
      const candidate = Math.max(index, firstGeneratedAtOrAfter(this.generated, time));
      if (candidate < this.generated.count) return this.first + BigInt(candidate);
      index = this.generated.count;
    }
    index = this.writtenInOrder ? this.firstWrittenAtOrAfterSorted(index, time) : this.firstWrittenAtOrAfter(index, time);
    return this.first + BigInt(index);
  }

  /**
   * Records from `from` on, stopping before the byte budget or the record count would be exceeded. A first
   * record larger than the budget is never returned (as documented for `max_fetch_bytes`).
   */
  read(from: bigint, maxBytes: number, maxRecords: number): StoredRecord[] {
    const records: StoredRecord[] = [];
    let bytes = 0;
    for (let index = Number(from - this.first); index < this.size && records.length < maxRecords; index++) {
      const record = this.recordAt(index);
      bytes += decodedLength(record.data);
      if (bytes > maxBytes) break;
      records.push(record);
    }
    return records;
  }

  private recordAt(index: number): StoredRecord {
    const sequenceNumber = this.first + BigInt(index);
    if (index < this.generated.count) {
      const timestamp = this.generated.startTime + index * this.generated.intervalMs;
      const payload = { partition_id: shardId(this.ordinal), sequence_number: String(sequenceNumber), timestamp };
      return { sequenceNumber, timestamp, data: Buffer.from(JSON.stringify(payload)).toString("base64") };
    }
    const slot = index - this.arrayBase;
    const record: StoredRecord = {
      sequenceNumber,
      timestamp: this.timestamps[slot] as number,
      data: this.payloads[slot] as string,
    };
    const partitionKey = this.partitionKeys[slot];
    if (partitionKey !== undefined) record.partitionKey = partitionKey;
    return record;
  }

  private timestampAt(index: number): number {
    return index < this.generated.count
      ? this.generated.startTime + index * this.generated.intervalMs
      : (this.timestamps[index - this.arrayBase] as number);
  }

  private firstWrittenAtOrAfter(from: number, time: number): number {
    let index = from;
    while (index < this.size && this.timestampAt(index) < time) index++;
    return index;
  }

  private firstWrittenAtOrAfterSorted(from: number, time: number): number {
    let low = from;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.timestampAt(middle) < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Expiry is logical (`earliestIndex`); the arrays are trimmed in batches so each record is moved O(1) times. */
  private reclaimExpired(): void {
    const expired = this.earliestIndex - this.arrayBase;
    if (expired < COMPACTION_THRESHOLD || expired * 2 < this.timestamps.length) return;
    this.timestamps.splice(0, expired);
    this.payloads.splice(0, expired);
    this.partitionKeys.splice(0, expired);
    this.arrayBase += expired;
  }
}

/** Index of the first generated record written at or after `time` (may be ≥ count). */
function firstGeneratedAtOrAfter({ startTime, intervalMs }: GeneratedRecords, time: number): number {
  if (time <= startTime) return 0;
  if (intervalMs <= 0) return Number.MAX_SAFE_INTEGER;
  return Math.ceil((time - startTime) / intervalMs);
}

/** Bytes a base64 string decodes to (the payload size `max_fetch_bytes` budgets). */
export function decodedLength(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}
