/**
 * The gate every run passes before anything is committed, in the preview as in `up`, through a plain
 * `pulumi up` as through `dis-checkpoints up`: what changed since the last apply (the declarations alone),
 * then, only for the streams with something to commit, their live positions, every refusal at once, and
 * two reads a window apart that tell whether their consumers are running. Its record (GateRecord) goes into
 * the resource's inputs, and the provider commits nothing it does not list.
 */
import { createHash } from "node:crypto";
import type { DisClient } from "../dis";
import { encodeOrdinals, encodePositions } from "./codec";
import { readCheckpointValues, readLive, type LiveRead } from "./live";
import { streamKey, type GateRecord, type LivePartition, type StreamDeclaration, type StreamKey } from "./model";
import {
  activityRefusals,
  declaredChanges,
  movedBetween,
  moveOf,
  planAgainstLive,
  type DeclaredChanges,
  type Refusal,
  type StreamPlan,
} from "./planner";
import type { ProviderSettings } from "./settings";
import type { ConsumerActivity } from "./wording";

/** A declaration together with where it was written (`file:line:col`). */
export interface LocatedDeclaration {
  declaration: StreamDeclaration;
  /** The stream's key in its file. */
  streamSource: string;
  partitionSources: ReadonlyMap<number, string>;
}

export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: GateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface GateOptions {
  declarations: readonly LocatedDeclaration[];
  /** The declarations as last applied, by `app/stream`. */
  applied: ReadonlyMap<StreamKey, StreamDeclaration>;
  settings: ProviderSettings;
  client: DisClient;
  clock?: GateClock;
  /** Progress lines while the gate reads and waits. */
  progress?: (line: string) => void;
}

export interface LocatedRefusal {
  refusal: Refusal;
  /** Where to fix it: the partition's line, else the stream's. */
  location: string;
}

export interface GateReport {
  /** Streams with something to commit, refuse or adopt, in declaration order. */
  plans: StreamPlan[];
  /** Live positions as the plans saw them. */
  live: ReadonlyMap<StreamKey, ReadonlyMap<number, LivePartition>>;
  activity: Map<StreamKey, ConsumerActivity>;
  refusals: LocatedRefusal[];
  /** Declared streams with nothing to do. */
  unchangedStreams: number;
  /** Streams applied before and declared no longer. */
  removedStreams: StreamDeclaration[];
  /** Declared apps that do not exist. */
  missingApps: string[];
  /** The token acknowledging exactly the first-apply moves refused or acknowledged here. */
  firstApplyToken?: string;
  /** Set when the first-apply refusals were acknowledged by the settings' token. */
  firstApplyAcknowledged: boolean;
  /** When the live positions were read (epoch ms). */
  readAt?: number;
  record: GateRecord;
}

/** A short token for exactly these moves: a later lost state, or consumers that moved since, get another. */
export function firstApplyToken(refusals: readonly Refusal[]): string {
  const lines = refusals
    .filter((refusal): refusal is Extract<Refusal, { code: "first-apply" }> => refusal.code === "first-apply")
    .map((refusal) => `${refusal.app}/${refusal.stream}/${refusal.ordinal}:${refusal.live}>${refusal.declared}`)
    .sort();
  return `fa-${createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 10)}`;
}

interface Candidate {
  located: LocatedDeclaration;
  changes: DeclaredChanges;
  firstApply: boolean;
}

function locate(located: LocatedDeclaration, refusal: Refusal): LocatedRefusal {
  return { refusal, location: located.partitionSources.get(refusal.ordinal) ?? located.streamSource };
}

async function findMissingApps(client: DisClient, apps: readonly string[]): Promise<string[]> {
  if (apps.length === 0) return [];
  const existing = new Set((await client.listApps()).map((app) => app.name));
  return apps.filter((app) => !existing.has(app));
}

function gateRecord(plans: readonly StreamPlan[], missingApps: readonly string[]): GateRecord {
  const streams: GateRecord["streams"] = {};
  for (const plan of plans) {
    const entry: GateRecord["streams"][string] = {};
    if (plan.commits.length > 0) entry.replace = encodePositions(new Map(plan.commits.map((commit) => [commit.ordinal, commit.live])));
    if (plan.adopted.length > 0) entry.adopt = encodeOrdinals(plan.adopted);
    if (entry.replace !== undefined || entry.adopt !== undefined) streams[streamKey(plan.declaration.app, plan.declaration.stream)] = entry;
  }
  return { streams, createApps: [...missingApps] };
}

function planAll(candidates: readonly Candidate[], live: LiveRead, settings: ProviderSettings, acknowledged: ReadonlySet<StreamKey>): StreamPlan[] {
  return candidates.map(({ located, changes, firstApply }) => {
    const key = streamKey(located.declaration.app, located.declaration.stream);
    const plan = planAgainstLive(located.declaration, changes, live.partitions.get(key)!, settings.convention, firstApply && !acknowledged.has(key));
    return { ...plan, firstApply };
  });
}

export async function runGate(options: GateOptions): Promise<GateReport> {
  const { declarations, applied, settings, client } = options;
  const clock = options.clock ?? REAL_CLOCK;
  const progress = options.progress ?? (() => undefined);
  const declaredKeys = new Set(declarations.map(({ declaration }) => streamKey(declaration.app, declaration.stream)));
  const removedStreams = [...applied].filter(([key]) => !declaredKeys.has(key)).map(([, declaration]) => declaration);
  const apps = [...new Set(declarations.map(({ declaration }) => declaration.app))];
  const missingApps = await findMissingApps(client, apps);
  const missing = new Set(missingApps);

  const candidates: Candidate[] = [];
  let unchangedStreams = 0;
  for (const located of declarations) {
    const { app, stream } = located.declaration;
    const previous = applied.get(streamKey(app, stream));
    // An app deleted since its last apply took its checkpoints with it: commit them all again.
    const changes = declaredChanges(previous, located.declaration, previous !== undefined && missing.has(app));
    if (changes.candidates.length > 0) candidates.push({ located, changes, firstApply: previous === undefined });
    else unchangedStreams++;
  }
  const report: GateReport = {
    plans: [],
    live: new Map(),
    activity: new Map(),
    refusals: [],
    unchangedStreams,
    removedStreams,
    missingApps,
    firstApplyAcknowledged: false,
    record: gateRecord([], missingApps),
  };
  if (candidates.length === 0) return report;

  const pairs = candidates.map(({ located }) => ({ app: located.declaration.app, stream: located.declaration.stream }));
  progress(`Reading live positions of ${pairs.length} stream${pairs.length === 1 ? "" : "s"} with declared changes`);
  const readAt = clock.now();
  const live = await readLive(client, pairs, settings.concurrency);
  let plans = planAll(candidates, live, settings, new Set());
  const firstApplyRefusals = plans.flatMap((plan) => plan.refusals.filter((refusal) => refusal.code === "first-apply"));
  if (firstApplyRefusals.length > 0) {
    report.firstApplyToken = firstApplyToken(firstApplyRefusals);
    if (settings.acknowledgeFirstApply === report.firstApplyToken) {
      report.firstApplyAcknowledged = true;
      plans = planAll(candidates, live, settings, new Set(firstApplyRefusals.map((refusal) => streamKey(refusal.app, refusal.stream))));
    }
  }
  report.live = live.partitions;
  report.readAt = readAt;
  const locatedOf = new Map(candidates.map(({ located }) => [streamKey(located.declaration.app, located.declaration.stream), located]));
  const refusalsOf = (plan: StreamPlan) => plan.refusals.map((refusal) => locate(locatedOf.get(streamKey(plan.declaration.app, plan.declaration.stream))!, refusal));
  report.refusals = plans.flatMap(refusalsOf);
  report.plans = plans;

  const committing = plans.filter((plan) => plan.commits.length > 0);
  for (const plan of plans) report.activity.set(streamKey(plan.declaration.app, plan.declaration.stream), { kind: "not-sampled" });
  // A run with refusals commits nothing, and one that commits nothing waits for nothing.
  if (report.refusals.length > 0 || committing.length === 0 || settings.activityWindowMs === 0) {
    report.record = gateRecord(plans, missingApps);
    return report;
  }
  const seconds = settings.activityWindowMs / 1000;
  progress(`Watching ${committing.length} stream${committing.length === 1 ? "" : "s"} for ${seconds} s for running consumers before committing`);
  await clock.sleep(Math.max(0, readAt + settings.activityWindowMs - clock.now()));
  const second = await readCheckpointValues(client, committing.map((plan) => plan.declaration), settings.concurrency);
  const windowMs = settings.activityWindowMs;
  plans = plans.map((plan) => {
    const key = streamKey(plan.declaration.app, plan.declaration.stream);
    const after = second.get(key);
    if (plan.commits.length === 0 || after === undefined) return plan;
    const partitions = live.partitions.get(key)!;
    const moved = movedBetween(new Map([...partitions].map(([ordinal, partition]) => [ordinal, partition.checkpoint])), after);
    report.activity.set(
      key,
      moved.length === 0 ? { kind: "idle", windowMs } : { kind: "active", windowMs, moved: moved.map(({ ordinal, before, after: to }) => ({ partition: ordinal, from: before, to })) },
    );
    const refusals = activityRefusals(plan, moved, windowMs);
    if (refusals.length > 0) return { ...plan, refusals: [...plan.refusals, ...refusals] };
    // Consumers may run here: the commits replace what they hold now, as the restore point must record.
    if (moved.length === 0) return plan;
    const commits = plan.commits.map((commit) => {
      const now = after.get(commit.ordinal) ?? null;
      return { ...commit, live: now, move: moveOf(now, commit.sequenceNumber) };
    });
    return { ...plan, commits };
  });
  report.plans = plans;
  report.refusals = plans.flatMap(refusalsOf);
  report.record = gateRecord(plans, missingApps);
  return report;
}
