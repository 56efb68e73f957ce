/**
 * What `pulumi up` does to DIS: the provider's create and update. It commits exactly what the program's gate
 * checked (GateRecord), creates missing apps, deletes what `onDelete: delete` streams no longer declare,
 * waits the settle interval, reads the committed partitions again, and returns the applied record partition
 * by partition: a commit that failed, or that consumers overwrote, is not recorded as applied, so the next
 * run commits it (and only it) again. Failures are returned as data in the outputs, not thrown, so that
 * Pulumi records the partial progress and the program reports them (docs/architecture.md).
 */
import { ProjectError } from "../errors";
import { DisApiError, DisTransportError, type DisClient } from "../dis";
import { decodeOrdinals, decodePositions, encodeOrdinals, encodePositions, loadStream, storeStream } from "./codec";
import { runBounded } from "./concurrency";
import type { GateClock } from "./gate";
import { readCheckpointValues, readCheckpoints } from "./live";
import { loadStreams } from "./inputs";
import {
  splitStreamKey,
  STATE_SCHEMA,
  streamKey,
  type CheckpointsInputs,
  type CheckpointsOutputs,
  type Failure,
  type StoredStream,
  type StreamDeclaration,
  type StreamKey,
} from "./model";
import { declaredChanges, verifyCommit, type PlannedCommit } from "./planner";
import type { ProviderSettings } from "./settings";

export class GateMismatchError extends ProjectError {
  override name = "GateMismatchError";
  readonly code = "gate-mismatch";
}

interface Commit extends PlannedCommit {
  app: string;
  stream: string;
  replaced: string | null;
}

/** Attempts of a commit whose outcome stays unknown, each after re-reading the partition. */
const MAX_UNKNOWN_OUTCOME_ATTEMPTS = 3;

/** Codes meaning the app or the stream is gone, and its checkpoints with it. */
const GONE = new Set(["DIS.4332", "DIS.4301"]);

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One commit, built field by field: a spread (`{ ...candidate, app, … }`) gives every object a hidden class
 * of its own in V8, tens of megabytes at 100,000 commits.
 */
function gatedCommit(declaration: StreamDeclaration, candidate: PlannedCommit, replaced: string | null): Commit {
  const commit: Commit = { app: declaration.app, stream: declaration.stream, ordinal: candidate.ordinal, sequenceNumber: candidate.sequenceNumber, reason: candidate.reason, replaced };
  if (candidate.metadata !== undefined) commit.metadata = candidate.metadata;
  return commit;
}

/** The partitions of one stream that are applied whatever the commits do: unchanged ones and adopted ones. */
interface SettledBefore {
  unchanged: number[];
  adopted: Set<number>;
}

/**
 * The commits of the run: what changed since the last apply, each as the gate listed it. A candidate the gate
 * did not list means the state and the program disagree; nothing is committed then. Beyond this point a
 * stream keeps only ordinals, so that at 100,000 checkpoints the run holds one object per commit.
 */
function gatedWork(previous: ReadonlyMap<StreamKey, StreamDeclaration>, inputs: CheckpointsInputs, declared: ReadonlyMap<StreamKey, StreamDeclaration>) {
  const commits: Commit[] = [];
  const settledBefore = new Map<StreamKey, SettledBefore>();
  const ungated: string[] = [];
  const recreate = new Set(inputs.gate.createApps);
  for (const [key, declaration] of declared) {
    const applied = previous.get(key);
    const changes = declaredChanges(applied, declaration, applied !== undefined && recreate.has(declaration.app));
    const gate = inputs.gate.streams[key];
    const replace = gate?.replace === undefined ? new Map<number, string | null>() : decodePositions(gate.replace, `gate ${key}`);
    const adopted = new Set(gate?.adopt === undefined ? [] : decodeOrdinals(gate.adopt, `gate ${key}`));
    settledBefore.set(key, { unchanged: changes.unchanged, adopted });
    for (const candidate of changes.candidates) {
      if (replace.has(candidate.ordinal)) commits.push(gatedCommit(declaration, candidate, replace.get(candidate.ordinal)!));
      else if (!adopted.has(candidate.ordinal)) ungated.push(`${key} partition ${candidate.ordinal}`);
    }
  }
  if (ungated.length > 0) {
    throw new GateMismatchError(
      `the stack's state lists changes the program did not check before the run (${ungated.slice(0, 5).join(", ")}${ungated.length > 5 ? ", …" : ""}): ` +
        "its outputs and its resource state disagree, as after an interrupted run. Nothing was committed; run the same command again.",
    );
  }
  return { commits, settledBefore };
}

export interface ApplyContext {
  client: DisClient;
  settings: ProviderSettings;
  clock: GateClock;
}

type CommitOutcome = { kind: "committed" } | { kind: "failed"; failure: Failure };

/**
 * One commit, never retried blindly: when an attempt may have been applied but no success came back, the
 * partition is read again first. Already at the declared value: done. Moved off the value it was planned
 * to replace: something else wrote it (a consumer), so it is not committed again.
 */
function commitFailure(commit: Commit, code: Failure["code"]): Failure {
  return { code, app: commit.app, stream: commit.stream, partition: commit.ordinal, committed: commit.sequenceNumber, replaced: commit.replaced };
}

async function commitOnce(client: DisClient, commit: Commit): Promise<CommitOutcome> {
  const failure = (code: Failure["code"], error: unknown, now?: string | null): CommitOutcome => ({
    kind: "failed",
    failure: { ...commitFailure(commit, code), ...(now !== undefined ? { now } : {}), error: describeError(error) },
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await client.commitCheckpoint(
        {
          app: commit.app,
          stream: commit.stream,
          partition: commit.ordinal,
          sequenceNumber: commit.sequenceNumber,
          ...(commit.metadata !== undefined ? { metadata: commit.metadata } : {}),
        },
        { onUnknownOutcome: "fail" },
      );
      return { kind: "committed" };
    } catch (error) {
      const unknown = (error instanceof DisApiError || error instanceof DisTransportError) && error.outcomeUnknown;
      if (!unknown || attempt >= MAX_UNKNOWN_OUTCOME_ATTEMPTS) return failure("commit-failed", error);
      let now: string | null;
      try {
        now = (await readCheckpoints(client, commit.app, commit.stream)).get(commit.ordinal)?.sequenceNumber ?? null;
      } catch (readError) {
        return failure("commit-failed", readError);
      }
      if (now === commit.sequenceNumber) return { kind: "committed" };
      if (now !== commit.replaced) return failure("moved-before-retry", error, now);
    }
  }
}

/** The applied record of one stream after the run: declared values where they were applied, earlier ones elsewhere. */
function appliedStream(declaration: StreamDeclaration, previous: StreamDeclaration | undefined, settled: ReadonlySet<number>): StreamDeclaration | undefined {
  const partitions: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  const partitionRevisions: Record<string, number> = {};
  for (const key of Object.keys(declaration.partitions)) {
    if (settled.has(Number(key))) {
      partitions[key] = declaration.partitions[key]!;
      if (declaration.metadata[key] !== undefined) metadata[key] = declaration.metadata[key]!;
      continue;
    }
    const before = previous?.partitions[key];
    if (previous === undefined || before === undefined) continue;
    partitions[key] = before;
    if (previous.metadata[key] !== undefined) metadata[key] = previous.metadata[key]!;
    const revision = previous.partitionRevisions[key] ?? previous.revision;
    if (revision !== declaration.revision) partitionRevisions[key] = revision;
  }
  if (Object.keys(partitions).length === 0) return undefined;
  return { ...declaration, partitions, metadata, partitionRevisions };
}

export async function applyCheckpoints(context: ApplyContext, previousOutputs: CheckpointsOutputs | undefined, inputs: CheckpointsInputs): Promise<CheckpointsOutputs> {
  const { client, settings, clock } = context;
  const declared = loadStreams(inputs.streams);
  const previous = previousOutputs ? loadStreams(previousOutputs.applied) : new Map<StreamKey, StreamDeclaration>();
  const { commits, settledBefore } = gatedWork(previous, inputs, declared);
  const failures: Failure[] = [];
  const apps: CheckpointsOutputs["apps"] = { ...previousOutputs?.apps };

  // Apps first: a commit needs its app.
  const failedApps = new Set<string>();
  let appsCreated = 0;
  for (const app of inputs.gate.createApps) {
    try {
      await client.createApp(app);
      apps[app] = "created";
      appsCreated++;
    } catch (error) {
      if (error instanceof DisApiError && error.code === "DIS.4330") apps[app] ??= "adopted";
      else {
        failedApps.add(app);
        failures.push({ code: "app-create-failed", app, error: describeError(error) });
      }
    }
  }
  for (const declaration of declared.values()) if (!failedApps.has(declaration.app)) apps[declaration.app] ??= "adopted";

  // The commits, one pool for every stream; after a failure no new commit starts.
  const committed: Commit[] = [];
  const attempted = new Set<Commit>();
  const runnable = commits.filter((commit) => !failedApps.has(commit.app));
  let stopped = false;
  await runBounded(
    runnable,
    settings.concurrency,
    async (commit) => {
      if (stopped) return;
      attempted.add(commit);
      const outcome = await commitOnce(client, commit);
      if (outcome.kind === "committed") committed.push(commit);
      else {
        failures.push(outcome.failure);
        stopped = true;
      }
    },
  );

  // Named, so the run's report lists every partition it leaves for the next run.
  const notAttempted = new Map<StreamKey, number[]>();
  for (const commit of runnable) {
    if (attempted.has(commit)) continue;
    const key = streamKey(commit.app, commit.stream);
    notAttempted.set(key, [...(notAttempted.get(key) ?? []), commit.ordinal]);
  }
  for (const [key, ordinals] of notAttempted) {
    const { app, stream } = splitStreamKey(key);
    failures.push({ code: "not-attempted", app, stream, partitions: encodeOrdinals(ordinals) });
  }

  // Deletes: partitions an `onDelete: delete` stream no longer declares, and whole streams removed.
  const deletes: Array<{ app: string; stream: string; ordinal: number }> = [];
  for (const [key, applied] of previous) {
    const declaration = declared.get(key);
    const onDelete = declaration?.onDelete ?? applied.onDelete;
    if (onDelete !== "delete") continue;
    for (const ordinal of Object.keys(applied.partitions).map(Number)) {
      if (declaration?.partitions[String(ordinal)] === undefined) deletes.push({ app: applied.app, stream: applied.stream, ordinal });
    }
  }
  const undeleted = new Set<string>();
  await runBounded(deletes, settings.concurrency, async ({ app, stream, ordinal }) => {
    try {
      await client.deleteCheckpoint({ app, stream, partition: ordinal });
    } catch (error) {
      if (error instanceof DisApiError && error.code !== undefined && GONE.has(error.code)) return;
      undeleted.add(`${streamKey(app, stream)}/${ordinal}`);
      failures.push({ code: "delete-failed", app, stream, partition: ordinal, error: describeError(error) });
    }
  });

  // Did the commits hold? Consumers that kept running put their own position back within seconds.
  const held = new Map<StreamKey, Set<number>>();
  if (committed.length > 0) {
    await clock.sleep(settings.settleIntervalMs);
    const pairs = [...new Map(committed.map((commit) => [streamKey(commit.app, commit.stream), { app: commit.app, stream: commit.stream }])).values()];
    let after: Map<StreamKey, Map<number, string | null>> | undefined;
    try {
      after = await readCheckpointValues(client, pairs, settings.concurrency);
    } catch (error) {
      // Unverified is not applied: the next run checks and commits these partitions again.
      const reason = `the commit could not be verified: ${describeError(error)}`;
      for (const commit of committed) failures.push({ ...commitFailure(commit, "commit-failed"), error: reason });
    }
    for (const commit of after ? committed : []) {
      const key = streamKey(commit.app, commit.stream);
      const now = after!.get(key)?.get(commit.ordinal) ?? null;
      if (verifyCommit(commit.sequenceNumber, commit.replaced, now) === "overwritten") failures.push({ ...commitFailure(commit, "overwritten"), now });
      else {
        const ordinals = held.get(key) ?? new Set<number>();
        held.set(key, ordinals);
        ordinals.add(commit.ordinal);
      }
    }
  }

  const applied: Record<StreamKey, StoredStream> = {};
  for (const [key, declaration] of declared) {
    const { unchanged, adopted } = settledBefore.get(key)!;
    const stream = appliedStream(declaration, previous.get(key), new Set([...unchanged, ...adopted, ...(held.get(key) ?? [])]));
    if (stream) applied[key] = storeStream(stream);
  }
  // A checkpoint whose delete failed stays in the applied record (though no longer declared), so the next
  // run deletes it again.
  for (const [key, stream] of previous) {
    const left = Object.keys(stream.partitions).filter((ordinal) => undeleted.has(`${key}/${ordinal}`));
    if (left.length === 0) continue;
    const current = applied[key] === undefined ? { ...stream, partitions: {} } : loadStream(stream.app, stream.stream, applied[key]!);
    applied[key] = storeStream({ ...current, partitions: { ...current.partitions, ...Object.fromEntries(left.map((ordinal) => [ordinal, stream.partitions[ordinal]!])) } });
  }

  const restorePoint: CheckpointsOutputs["restorePoint"] =
    committed.length === 0
      ? (previousOutputs?.restorePoint ?? null)
      : { at: new Date(clock.now()).toISOString(), streams: restoreStreams(committed) };
  return {
    schema: STATE_SCHEMA,
    applied,
    apps,
    restorePoint,
    failures,
    lastRun: { planned: commits.length, commits: committed.length, appsCreated, deletes: deletes.length - undeleted.size, verified: [...held.values()].reduce((sum, ordinals) => sum + ordinals.size, 0) },
  };
}

function restoreStreams(committed: readonly Commit[]): Record<StreamKey, string> {
  const byStream = new Map<StreamKey, Map<number, string | null>>();
  for (const commit of committed) {
    const key = streamKey(commit.app, commit.stream);
    const positions = byStream.get(key) ?? new Map<number, string | null>();
    byStream.set(key, positions);
    positions.set(commit.ordinal, commit.replaced);
  }
  return Object.fromEntries([...byStream].map(([key, positions]) => [key, encodePositions(positions)]));
}
