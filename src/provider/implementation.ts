/**
 * The provider implementation, loaded at run time by the serialized stubs (stub.ts) from the project's
 * compiled `dist/`, so every resource, old or new, runs the current code. It must stay compatible with
 * every state shape it ever wrote.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DisApiError, type DisClient } from "../dis";
import { clientFromSettings } from "./client";
import { runBounded, PartialFailure } from "./concurrency";
import { readCheckpoints, readLivePartitions } from "./live";
import {
  streamResourceId,
  type AppInputs,
  type AppState,
  type StreamCheckpointsState,
  type StreamDeclaration,
} from "./model";
import { declarationChanged, planCommits, type PlannedCommit, type Refusal } from "./planner";
import { parseAppInputs, parseStreamDeclaration, InputError } from "./inputs";
import { readSettings, type ProviderSettings } from "./settings";
import { exitWhenEngineDies } from "./watchdog";

/** Pulumi's marker for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const clients = new WeakMap<ProviderSettings, DisClient>();
let environmentSettings: ProviderSettings;

/** One pooled client per configured provider. */
function client(settings: ProviderSettings): DisClient {
  let existing = clients.get(settings);
  if (!existing) {
    existing = clientFromSettings(settings);
    clients.set(settings, existing);
  }
  return existing;
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** A one-line message for any failure, never a stack trace or a secret. */
function describe(error: unknown): string {
  if (error instanceof PartialFailure) {
    return `${describe(error.cause)} (${error.completed} of ${error.total} commits were made before the failure; run again to finish)`;
  }
  return error instanceof Error ? error.message : String(error);
}

function refusalMessage(refusals: readonly Refusal[]): string {
  return refusals.map((refusal) => refusal.message).join("\n");
}

function now(): string {
  return new Date().toISOString();
}

// ---- StreamCheckpoints ------------------------------------------------------------------------

async function checkStream(settings: ProviderSettings, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  if (containsUnknown(news)) return { inputs: news };
  let declaration: StreamDeclaration;
  try {
    declaration = parseStreamDeclaration(news);
  } catch (error) {
    return { failures: [{ property: "", reason: describe(error) }] };
  }
  const previous = olds && typeof olds.app === "string" ? parseStreamDeclaration(olds) : undefined;
  if (planCommits(previous, declaration).commits.length === 0) return { inputs: declaration as unknown as Record<string, unknown> };
  try {
    const live = await readLivePartitions(client(settings), declaration.app, declaration.stream);
    const plan = planCommits(previous, declaration, live);
    if (plan.refusals.length > 0) {
      return { failures: plan.refusals.map((refusal) => ({ property: "", reason: refusal.message })) };
    }
  } catch (error) {
    return { failures: [{ property: "", reason: describe(error) }] };
  }
  return { inputs: declaration as unknown as Record<string, unknown> };
}

async function diffStream(_settings: ProviderSettings, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  if (containsUnknown(news)) return { changes: true };
  return { changes: declarationChanged(parseStreamDeclaration(olds), parseStreamDeclaration(news)) };
}

/** Commits what the plan asks for and builds the outputs; refuses everything if any partition is refused. */
async function apply(
  settings: ProviderSettings,
  previous: StreamDeclaration | undefined,
  declaration: StreamDeclaration,
  carried: Pick<StreamCheckpointsState, "previous"> | undefined,
): Promise<StreamCheckpointsState> {
  const dis = client(settings);
  const live = await readLivePartitions(dis, declaration.app, declaration.stream);
  const plan = planCommits(previous, declaration, live);
  if (plan.refusals.length > 0) throw new InputError(refusalMessage(plan.refusals));
  await runBounded(plan.commits, settings.concurrency, (commit: PlannedCommit) =>
    dis.commitCheckpoint({
      app: declaration.app,
      stream: declaration.stream,
      partition: commit.ordinal,
      sequenceNumber: commit.sequenceNumber,
      ...(commit.metadata !== undefined ? { metadata: commit.metadata } : {}),
    }),
  );
  const observed: Record<string, string | null> = {};
  for (const key of Object.keys(declaration.partitions)) observed[key] = live.get(Number(key))?.checkpoint ?? null;
  const replaced: Record<string, string | null> = {};
  for (const commit of plan.commits) {
    replaced[String(commit.ordinal)] = commit.live ?? null;
    observed[String(commit.ordinal)] = commit.sequenceNumber;
  }
  return {
    ...declaration,
    observed,
    observedAt: now(),
    previous: plan.commits.length > 0 ? replaced : (carried?.previous ?? {}),
  };
}

async function createStream(settings: ProviderSettings, inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const declaration = parseStreamDeclaration(inputs);
  const projectId = client(settings).projectId;
  try {
    const outs = await apply(settings, undefined, declaration, undefined);
    return { id: streamResourceId(projectId, declaration.app, declaration.stream), outs };
  } catch (error) {
    throw new Error(describe(error));
  }
}

async function updateStream(
  settings: ProviderSettings,
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  const previous = parseStreamDeclaration(olds);
  try {
    const outs = await apply(settings, previous, parseStreamDeclaration(news), olds as unknown as StreamCheckpointsState);
    return { outs };
  } catch (error) {
    throw new Error(describe(error));
  }
}

/** Refresh: live positions go to `observed`; the declaration is left alone, so consumer progress never commits. */
async function readStream(settings: ProviderSettings, id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const declaration = parseStreamDeclaration(props);
  try {
    const checkpoints = await readCheckpoints(client(settings), declaration.app, declaration.stream);
    const observed: Record<string, string | null> = {};
    for (const key of Object.keys(declaration.partitions)) observed[key] = checkpoints.get(Number(key))?.sequenceNumber ?? null;
    return { id, props: { ...props, observed, observedAt: now() } };
  } catch (error) {
    throw new Error(describe(error));
  }
}

/** Retains checkpoints unless the stream said `onDelete: delete`; then deletes the declared partitions'. */
async function deleteStream(settings: ProviderSettings, _id: string, props: Record<string, unknown>): Promise<void> {
  const declaration = parseStreamDeclaration(props);
  if (declaration.onDelete !== "delete") return;
  const dis = client(settings);
  try {
    await runBounded(Object.keys(declaration.partitions).map(Number), settings.concurrency, async (partition) => {
      try {
        await dis.deleteCheckpoint({ app: declaration.app, stream: declaration.stream, partition });
      } catch (error) {
        // The app or the stream is gone, and its checkpoints with it.
        if (error instanceof DisApiError && (error.code === "DIS.4332" || error.code === "DIS.4301")) return;
        throw error;
      }
    });
  } catch (error) {
    throw new Error(describe(error));
  }
}

export const streamCheckpoints = {
  check: checkStream,
  diff: diffStream,
  create: createStream,
  update: updateStream,
  read: readStream,
  delete: deleteStream,
};

// ---- App --------------------------------------------------------------------------------------

async function checkApp(_settings: ProviderSettings, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  if (containsUnknown(news)) return { inputs: news };
  try {
    return { inputs: parseAppInputs(news) as unknown as Record<string, unknown> };
  } catch (error) {
    return { failures: [{ property: "", reason: describe(error) }] };
  }
}

async function diffApp(_settings: ProviderSettings, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  return { changes: olds.app !== news.app };
}

/** Creates the app when missing and adopts it when present; another writer creating it first is adoption too. */
async function createApp(settings: ProviderSettings, inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const { app } = parseAppInputs(inputs);
  const dis = client(settings);
  try {
    let adopted = (await dis.showApp(app)) !== null;
    if (!adopted) {
      try {
        await dis.createApp(app);
      } catch (error) {
        if (!(error instanceof DisApiError && error.code === "DIS.4330")) throw error;
        adopted = true;
      }
    }
    const outs: AppState = { app, adopted };
    return { id: `${dis.projectId}/${app}`, outs };
  } catch (error) {
    throw new Error(describe(error));
  }
}

async function updateApp(_settings: ProviderSettings, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const inputs: AppInputs = parseAppInputs(news);
  return { outs: { ...inputs, adopted: olds.adopted === true } };
}

/** Refresh keeps the app as it is: the reconciler adopts apps and never removes them. */
async function readApp(_settings: ProviderSettings, id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

/** The reconciler never deletes an app: other consumers may still use it. */
async function deleteApp(): Promise<void> {}

export const apps = {
  check: checkApp,
  diff: diffApp,
  create: createApp,
  update: updateApp,
  read: readApp,
  delete: deleteApp,
};

export function providerKinds() {
  return { streamCheckpoints, apps };
}

type Kinds = ReturnType<typeof providerKinds>;
type Bound<M> = { [K in keyof M]: M[K] extends (settings: never, ...args: infer A) => infer R ? (...args: A) => R : never };

/**
 * The methods a stub installs in `configure`, bound to the settings read from stack config (region,
 * endpoint, project, secrets). Settings that fail to parse make every method fail with the reason.
 */
export function providerMethods<K extends keyof Kinds>(kind: K, config: { get(key: string): string | undefined } | undefined): Bound<Kinds[K]> {
  exitWhenEngineDies();
  const methods = providerKinds()[kind] as Record<string, (settings: ProviderSettings, ...args: unknown[]) => Promise<unknown>>;
  let settings: ProviderSettings | Error;
  try {
    settings = readSettings((key) => config?.get(key));
  } catch (error) {
    settings = error instanceof Error ? error : new Error(String(error));
  }
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(methods)) {
    bound[name] = (...args) => (settings instanceof Error ? Promise.reject(settings) : method(settings, ...args));
  }
  return bound as Bound<Kinds[K]>;
}
