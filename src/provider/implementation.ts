/**
 * The provider implementation, loaded at run time by the serialized stub (stub.ts) from the project's
 * compiled `dist/`, so every resource, old or new, runs the current code. It must stay compatible with
 * every state shape it ever wrote: the Checkpoints resource (schema 2) and, until `dis-checkpoints migrate`
 * has run, the per-stream resources of schema 1 (legacy.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DisClient } from "../dis";
import { isUserError } from "../errors";
import { applyCheckpoints } from "./apply";
import { clientFromSettings } from "./client";
import { runBounded } from "./concurrency";
import { encodePositions, sameStoredStreams } from "./codec";
import { REAL_CLOCK } from "./gate";
import { boundHeapGrowth } from "./heap";
import { checkInputs, loadStreams, parseInputs, parseOutputs } from "./inputs";
import { legacyKinds } from "./legacy";
import { checkpointValues, readCheckpoints } from "./live";
import { checkpointsResourceId, streamKey, type CheckpointsInputs, type CheckpointsOutputs } from "./model";
import { declarationChanged } from "./planner";
import { readSettings, type ProviderSettings } from "./settings";
import { exitWhenEngineDies } from "./watchdog";

/** Pulumi's marker for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * What the provider throws for a failure the user can act on. The SDK's provider process prints every error
 * of check/diff/read/delete as `${error}: ${error.stack}`; this one prints as one line with no stack trace.
 */
class ProviderFailure extends Error {
  override name = "ProviderFailure";
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
  override toString(): string {
    return "dis-checkpoints provider";
  }
}

/** User mistakes and DIS failures become ProviderFailures; defects keep their stack trace. */
async function surfaced<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isUserError(error)) throw new ProviderFailure((error as Error).message);
    throw error;
  }
}

const clients = new WeakMap<ProviderSettings, DisClient>();

/** One pooled client per configured provider. */
function client(settings: ProviderSettings): DisClient {
  let existing = clients.get(settings);
  if (!existing) {
    existing = clientFromSettings(settings);
    clients.set(settings, existing);
  }
  return existing;
}

/** Whether the run has anything to do: a changed declaration, a removed stream, an app to create. */
export function needsUpdate(outputs: CheckpointsOutputs, inputs: CheckpointsInputs): boolean {
  if (inputs.gate.createApps.length > 0) return true;
  const applied = loadStreams(outputs.applied);
  const declared = loadStreams(inputs.streams);
  if ([...applied.keys()].some((key) => !declared.has(key))) return true;
  return [...declared].some(([key, declaration]) => declarationChanged(applied.get(key), declaration));
}

/** Whether the gate asks for no app to be created (which is a change even when every declaration is the same). */
function noCreatedApps(news: Record<string, unknown>): boolean {
  const createApps = (news.gate as { createApps?: unknown } | undefined)?.createApps;
  return Array.isArray(createApps) && createApps.length === 0;
}

async function check(_settings: ProviderSettings, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  if (containsUnknown(news)) return { inputs: news };
  const parsed = checkInputs(news);
  if (!parsed.ok) return { failures: parsed.issues.map((issue) => ({ property: issue.property, reason: issue.message })) };
  return { inputs: parsed.value as unknown as Record<string, unknown> };
}

async function diff(_settings: ProviderSettings, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  if (containsUnknown(news)) return { changes: true };
  // The everyday case, an unchanged stack, is told from the stored text alone: nothing is decoded.
  if (noCreatedApps(news) && sameStoredStreams(olds.applied, news.streams)) return { changes: false };
  return surfaced(async () => ({ changes: needsUpdate(parseOutputs(olds), parseInputs(news)) }));
}

/** Inputs reach the methods with Pulumi's `__provider` text, which the outputs must carry too (for refresh and delete). */
function withProviderText(outputs: CheckpointsOutputs, inputs: Record<string, unknown>): Record<string, unknown> {
  return { ...outputs, __provider: inputs.__provider };
}

async function create(settings: ProviderSettings, inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  return surfaced(async () => {
    const dis = client(settings);
    const outputs = await applyCheckpoints({ client: dis, settings, clock: REAL_CLOCK }, undefined, parseInputs(inputs));
    return { id: checkpointsResourceId(dis.projectId), outs: withProviderText(outputs, inputs) };
  });
}

async function update(settings: ProviderSettings, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  return surfaced(async () => {
    const outputs = await applyCheckpoints({ client: client(settings), settings, clock: REAL_CLOCK }, parseOutputs(olds), parseInputs(news));
    return { outs: withProviderText(outputs, news) };
  });
}

/**
 * Refresh: the live checkpoints of the applied partitions go to `observed`, and apps that no longer exist to
 * `missingApps`; the applied record is left alone, so consumer progress never becomes a commit.
 */
async function read(settings: ProviderSettings, id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  return surfaced(async () => {
    const outputs = parseOutputs(props);
    const dis = client(settings);
    const applied = loadStreams(outputs.applied);
    const observed: Record<string, string> = {};
    await runBounded([...applied.values()], settings.concurrency, async (declaration) => {
      const values = checkpointValues(await readCheckpoints(dis, declaration.app, declaration.stream));
      const ordinals = Object.keys(declaration.partitions).map(Number);
      observed[streamKey(declaration.app, declaration.stream)] = encodePositions(new Map(ordinals.map((ordinal) => [ordinal, values.get(ordinal) ?? null])));
    });
    const existing = new Set((await dis.listApps()).map((app) => app.name));
    const missingApps = Object.keys(outputs.apps).filter((app) => !existing.has(app));
    for (const app of missingApps) {
      // The provider's output lines reach the engine's diagnostics, which the refresh prints.
      process.stdout.write(`app '${app}' no longer exists in DIS: the next up creates it again and commits its declared checkpoints\n`);
    }
    const refreshed = { ...props, observed: { at: new Date().toISOString(), streams: observed }, missingApps };
    return { id, props: refreshed };
  });
}

/** Destroy: checkpoints of `onDelete: delete` streams are deleted; the rest are retained, apps always. */
async function destroy(settings: ProviderSettings, _id: string, props: Record<string, unknown>): Promise<void> {
  await surfaced(async () => {
    const outputs = parseOutputs(props);
    const dis = client(settings);
    const targets = [...loadStreams(outputs.applied).values()]
      .filter((declaration) => declaration.onDelete === "delete")
      .flatMap((declaration) => Object.keys(declaration.partitions).map((key) => ({ app: declaration.app, stream: declaration.stream, partition: Number(key) })));
    await runBounded(targets, settings.concurrency, (target) => deleteRetained(dis, target));
  });
}

async function deleteRetained(dis: DisClient, target: { app: string; stream: string; partition: number }): Promise<void> {
  try {
    await dis.deleteCheckpoint(target);
  } catch (error) {
    // The app or the stream is gone, and its checkpoints with it.
    const code = (error as { code?: unknown }).code;
    if (code === "DIS.4332" || code === "DIS.4301") return;
    throw error;
  }
}

export const checkpoints = { check, diff, create, update, read, delete: destroy };

export function providerKinds() {
  return { checkpoints, ...legacyKinds(deleteRetained) };
}

type Kinds = ReturnType<typeof providerKinds>;
type Bound<M> = { [K in keyof M]: M[K] extends (settings: never, ...args: infer A) => infer R ? (...args: A) => R : never };

/**
 * The methods a stub installs in `configure`, bound to the settings read from stack config (region,
 * endpoint, project, secrets). Settings that fail to parse make every method fail with the reason.
 */
export function providerMethods<K extends keyof Kinds>(kind: K, config: { get(key: string): string | undefined } | undefined): Bound<Kinds[K]> {
  exitWhenEngineDies();
  boundHeapGrowth();
  const methods = providerKinds()[kind] as Record<string, (settings: ProviderSettings, ...args: unknown[]) => Promise<unknown>>;
  let settings: ProviderSettings | Error;
  try {
    settings = readSettings((key) => config?.get(key));
  } catch (error) {
    settings = isUserError(error) ? new ProviderFailure((error as Error).message) : (error as Error);
  }
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(methods)) {
    bound[name] = (...args) => (settings instanceof Error ? Promise.reject(settings) : method(settings, ...args));
  }
  return bound as Bound<Kinds[K]>;
}
