/**
 * The Pulumi program: load the stack's declarations, refuse bad ones before anything is registered, show
 * the impact of what would change, and register one App per app and one StreamCheckpoints per (app, stream).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { formatDeclarationError, loadDeclarations, type DesiredState } from "../desired";
import { DisApiError, DisEndpointError, DisInputError, DisProtocolError, DisTransportError } from "../dis";
import {
  clientFromSettings,
  CONFIG_NAMESPACE,
  PartialFailure,
  planCommits,
  readLivePartitions,
  readSettings,
  runBounded,
  SettingsError,
  type LivePartition,
  type ProviderSettings,
  type StreamDeclaration,
} from "../provider";
import type { RestoredStream } from "../replay";
import { formatImpactTable } from "./impact";
import { RESTORE_POINT_OUTPUT, streamCheckpointsName, toDeclarations, type LocatedDeclaration } from "./declarations";
import { App, StreamCheckpoints } from "./resources";


export interface ProgramContext {
  /**
   * The declarations as last applied, keyed by `app/stream`, read from the stack's state before the run.
   * Known when the program runs through `dis-checkpoints`; unknown under a plain `pulumi up`, where the
   * provider's `check` alone guards the commits.
   */
  previous?: ReadonlyMap<string, StreamDeclaration>;
  /** Environment overrides given to the run (the provider process sees them too). */
  env?: Readonly<Record<string, string>>;
  /** The `restorePoint` output as last applied: kept as it is by a run that commits nothing. */
  previousRestorePoint?: unknown;
}

function isUserFacing(error: unknown): error is Error {
  return [DisApiError, DisTransportError, DisProtocolError, DisEndpointError, DisInputError, SettingsError].some((type) => error instanceof type);
}

function readProgramSettings(env: Readonly<Record<string, string>> = {}): ProviderSettings {
  return readSettings((key) => pulumi.runtime.getConfig(key), { ...process.env, ...env });
}

/**
 * Reads live positions for the declarations that would commit, logs their impact (preview and up), and
 * stops the run with every refusal (each at its file:line:col) before a resource is registered. Returns the
 * names (`app/stream`) of the streams with commits planned, whose replaced positions form the restore point.
 */
async function gate(located: LocatedDeclaration[], previous: ReadonlyMap<string, StreamDeclaration>, settings: ProviderSettings): Promise<Set<string>> {
  const previousOf = ({ declaration }: LocatedDeclaration) => previous.get(streamCheckpointsName(declaration.app, declaration.stream));
  const candidates = located.filter((entry) => planCommits(previousOf(entry), entry.declaration).commits.length > 0);
  if (candidates.length === 0) {
    pulumi.log.info("No declared checkpoint changed: nothing will be committed.");
    return new Set();
  }
  const lives: Array<Map<number, LivePartition>> = [];
  try {
    const client = clientFromSettings(settings);
    try {
      await runBounded([...candidates.keys()], settings.concurrency, async (index) => {
        const { declaration } = candidates[index]!;
        lives[index] = await readLivePartitions(client, declaration.app, declaration.stream);
      });
    } finally {
      await client.close();
    }
  } catch (failure) {
    const error = failure instanceof PartialFailure ? failure.cause : failure;
    // Settings, endpoint and DIS failures are the user's to fix: their message, not a stack trace.
    if (!isUserFacing(error)) throw error;
    throw new pulumi.RunError(`${error.message}\nNothing was committed.`);
  }
  const refusals: string[] = [];
  const committing = new Set<string>();
  candidates.forEach((entry, index) => {
    const { declaration, partitionSources } = entry;
    const live = lives[index]!;
    const plan = planCommits(previousOf(entry), declaration, live);
    for (const refusal of plan.refusals) refusals.push(`${partitionSources.get(refusal.ordinal)}: ${refusal.message}`);
    if (plan.commits.length > 0) committing.add(streamCheckpointsName(declaration.app, declaration.stream));
    pulumi.log.info(formatImpactTable(declaration, plan, live, settings.convention));
  });
  if (refusals.length > 0) {
    throw new pulumi.RunError(`${refusals.join("\n")}\nNothing was committed: fix the declarations above and run again.`);
  }
  return committing;
}

export function createProgram(context: ProgramContext = {}): () => Promise<Record<string, unknown>> {
  return async () => {
    const settings = readProgramSettings(context.env);
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const cwd = process.cwd();
    const directory = config.get("checkpointsDir") ?? path.join("checkpoints", pulumi.getStack());
    const loaded = await loadDeclarations([directory], { cwd });
    if (!loaded.ok) {
      const lines = loaded.errors.map(formatDeclarationError);
      throw new pulumi.RunError(`${lines.join("\n")}\nNothing was committed: fix the declarations above and run again.`);
    }
    const located = toDeclarations(loaded.state);
    const committing = context.previous ? await gate(located, context.previous, settings) : new Set<string>();

    const apps = new Map<string, App>();
    for (const app of loaded.state.apps) apps.set(app.name, new App({ app: app.name }));
    let checkpoints = 0;
    const replaced: pulumi.Output<RestoredStream>[] = [];
    for (const { declaration } of located) {
      const resource = new StreamCheckpoints(declaration, { dependsOn: apps.get(declaration.app) });
      checkpoints += Object.keys(declaration.partitions).length;
      if (committing.has(streamCheckpointsName(declaration.app, declaration.stream))) {
        replaced.push(resource.previous.apply((previous) => ({ app: declaration.app, stream: declaration.stream, previous })));
      }
    }
    // The live positions this run's commits replace: `dis-checkpoints up` writes them to .restore/. A run
    // that commits nothing keeps the last restore point, so the output does not churn on every no-op run.
    const restorePoint =
      replaced.length > 0 || context.previousRestorePoint === undefined
        ? pulumi.all(replaced).apply((streams) => ({ streams }))
        : context.previousRestorePoint;
    return { apps: apps.size, streams: located.length, checkpoints, [RESTORE_POINT_OUTPUT]: restorePoint };
  };
}
