import type { OperationName } from "../contract";

/** One handled request. Never holds headers: credentials stay out of the log by construction. */
export interface RequestLogEntry {
  seq: number;
  /** ISO-8601, on the emulator's clock. */
  time: string;
  requestId: string;
  method: string;
  path: string;
  /** Decoded query parameters (first value per key). */
  query: Record<string, string>;
  /** Absent when no DIS operation matched the request. */
  operation?: OperationName;
  /** 0 when a fault reset the connection or never answered. */
  status: number;
  errorCode?: string;
  /** The parsed JSON body of a write; bodies above the log's size cap are left out (see `bodyBytes`). */
  body?: unknown;
  bodyBytes?: number;
  /** The id of the fault that shaped the response, if any. */
  fault?: string;
}

export interface OperationMetrics {
  count: number;
  /** Responses by HTTP status (`"0"` for reset or unanswered). */
  statuses: Record<string, number>;
}

export interface EmulatorMetrics {
  connectionsAccepted: number;
  requests: number;
  /** Per operation name; requests that matched none count under `unknown`. */
  operations: Record<string, OperationMetrics>;
}

/** Bodies larger than this are not kept in the log (PutRecords batches can be megabytes). */
export const MAX_LOGGED_BODY_BYTES = 64 * 1024;
const UNKNOWN_OPERATION = "unknown";

/** The request log (a bounded window of the most recent entries) and cumulative counts. */
export class Recorder {
  private entries: RequestLogEntry[] = [];
  private nextSeq = 1;
  private connections = 0;
  private requestCount = 0;
  private operations = new Map<string, OperationMetrics>();

  constructor(private readonly capacity: number) {}

  connectionAccepted(): void {
    this.connections += 1;
  }

  record(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const logged: RequestLogEntry = { seq: this.nextSeq++, ...entry };
    this.entries.push(logged);
    // Trimming in batches keeps recording O(1) amortised.
    if (this.entries.length >= this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
    this.requestCount += 1;
    const key = entry.operation ?? UNKNOWN_OPERATION;
    let metrics = this.operations.get(key);
    if (!metrics) this.operations.set(key, (metrics = { count: 0, statuses: {} }));
    metrics.count += 1;
    metrics.statuses[entry.status] = (metrics.statuses[entry.status] ?? 0) + 1;
    return logged;
  }

  /** The most recent entries (at most the capacity), oldest first; `afterSeq` keeps only newer ones. */
  requests(afterSeq = 0): RequestLogEntry[] {
    return this.entries.slice(-this.capacity).filter((entry) => entry.seq > afterSeq);
  }

  metrics(): EmulatorMetrics {
    const operations: Record<string, OperationMetrics> = {};
    for (const [name, metrics] of this.operations) operations[name] = { count: metrics.count, statuses: { ...metrics.statuses } };
    return { connectionsAccepted: this.connections, requests: this.requestCount, operations };
  }

  /** Forgets the log and the counts; sequence numbers keep increasing so `afterSeq` polling stays valid. */
  clear(): void {
    this.entries = [];
    this.connections = 0;
    this.requestCount = 0;
    this.operations = new Map();
  }
}
