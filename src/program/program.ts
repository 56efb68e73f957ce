/**
 * The Pulumi program, the same through both doors (a plain `pulumi preview`/`up` with Pulumi.yaml, and
 * `dis-checkpoints preview`/`up`): load the stack's declarations, read what was last applied from the
 * stack's own outputs, pass the gate (every refusal at once, each at its file:line:col, before anything is
 * registered), show the impact, and register the one Checkpoints resource that commits exactly what the gate
 * checked. A run that committed part of its plan records that part and then fails, saying what is left.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { formatDeclarationError, loadDeclarations } from "../desired";
import { resolveEndpoint } from "../dis";
import { isUserError } from "../errors";
import {
  clientFromSettings,
  CONFIG_NAMESPACE,
  explainLegacyState,
  readSettings,
  runGate,
  STATE_SCHEMA,
  storeStream,
  streamKey,
  type GateReport,
  type LocatedDeclaration,
  type ProviderSettings,
  type StreamDeclaration,
  type StreamKey,
} from "../provider";
import { describeBackend, type Backend } from "./backend";
import { appliedFromOutputs, OUTPUTS, restorePointOutput, toDeclarations, type AppliedRecord } from "./declarations";
import { formatGateReport, formatRefusals, formatRunFailures } from "./report";
import { Checkpoints } from "./resources";

/**
 * The exit status the SDK's runner uses for "exited after logging a user-actionable message"
 * (@pulumi/pulumi cmd/run): through the language host an error diagnostic alone does not fail the run.
 */
const LOGGED_USER_ACTIONABLE_MESSAGE = 32;

/** Fails a run whose outputs are already recorded (commits that did not settle): a message, then the status. */
function failRun(message: string): void {
  void pulumi.log.error(message);
  process.exitCode = LOGGED_USER_ACTIONABLE_MESSAGE;
}

/**
 * Ends the run with a message and no stack trace. The SDK's runner formats the stack of every uncaught error
 * even when it shows only the message, and mapping it through the source maps costs seconds of CPU under the
 * language host: a RunError's stack is never shown, so it is the message.
 */
function stop(message: string): never {
  const error = new pulumi.RunError(message);
  error.stack = message;
  throw error;
}

/** Settings, endpoint and DIS failures are the user's to fix: their message, not a stack trace. */
async function userFacing<T>(body: () => Promise<T>, suffix = "\nNothing was committed."): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isUserError(error)) stop(`${(error as Error).message}${suffix}`);
    throw error;
  }
}

/**
 * The engine's built-in function behind StackReference: the named stack's outputs, decrypted. Called as an
 * invoke, not through a StackReference resource, because a read resource is kept in the state with every
 * output it read: the stack's whole applied record a second time, written on every run.
 */
const READ_STACK_OUTPUTS = "pulumi:pulumi:readStackOutputs";

/** The stack's own last outputs: what was last applied (nothing at all for a new stack). */
async function readApplied(): Promise<AppliedRecord> {
  const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const result = (await pulumi.runtime.invoke(READ_STACK_OUTPUTS, { name })) as { outputs?: Record<string, unknown> } | undefined;
  // Secret outputs arrive wrapped in the engine's secret marker; their values are what the program reads.
  const outputs = Object.fromEntries(Object.entries(result?.outputs ?? {}).map(([key, value]) => [key, pulumi.runtime.unwrapRpcSecret(value)]));
  return appliedFromOutputs(outputs);
}

function isLoopbackEndpoint(settings: ProviderSettings): boolean {
  if (settings.endpoint === undefined) return false;
  const host = new URL(resolveEndpoint({ endpoint: settings.endpoint, allowInsecureHttp: true }).origin).hostname;
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

/**
 * State on one machine's disk is lost with the machine: the next runner starts with none, and the first-
 * apply guard is then all that stands between consumers and a rewind. Against real DIS it is refused.
 */
function refuseLocalBackend(backend: Backend, settings: ProviderSettings, stack: string): void {
  if (!backend.local || settings.allowLocalBackend || isLoopbackEndpoint(settings)) return;
  stop(
    `stack '${stack}' keeps its state in ${backend.url}, on this machine's disk, but commits to DIS at ${settings.endpoint ?? `region ${settings.region}`}: ` +
      "a CI runner or a new machine would start without it. Use a shared backend that outlives the machine: OBS through Pulumi's " +
      "S3-compatible backend (`pulumi login 's3://<bucket>?endpoint=obs.<region>.myhuaweicloud.com&region=<region>'`, see README.md), " +
      `or Pulumi Cloud. To accept a local state anyway, set ${CONFIG_NAMESPACE}:allowLocalBackend to "true".\nNothing was committed.`,
  );
}

function storedStreams(located: readonly LocatedDeclaration[]) {
  return Object.fromEntries(located.map(({ declaration }) => [streamKey(declaration.app, declaration.stream), storeStream(declaration)]));
}

export function createProgram(): () => Promise<Record<string, unknown>> {
  return async () => {
    const env = process.env;
    const stack = pulumi.getStack();
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const settings = await userFacing(async () => readSettings((key) => pulumi.runtime.getConfig(key), env));
    // The language host runs the program in the project's root.
    const root = process.cwd();
    const directory = config.get("checkpointsDir") ?? path.join("checkpoints", stack);
    // Asked first: the engine reads and decrypts the stack's state while the declarations are parsed here.
    const reading = userFacing(readApplied);
    // Settled in any case, so that a refused declaration does not leave the read's rejection unhandled.
    reading.catch(() => undefined);
    const loaded = await loadDeclarations([directory], { cwd: root });
    if (!loaded.ok) {
      stop(`${loaded.errors.map(formatDeclarationError).join("\n")}\nNothing was committed: fix the declarations above and run again.`);
    }
    const located = toDeclarations(loaded.state);
    const applied = await reading;
    if (applied.kind === "legacy") {
      stop(`${explainLegacyState(stack)}.\nNothing was committed.`);
    }
    const backend = describeBackend(env);
    if (located.length > 0) refuseLocalBackend(backend, settings, stack);
    const previous: ReadonlyMap<StreamKey, StreamDeclaration> = applied.kind === "applied" ? applied.streams : new Map();
    const report: GateReport = await userFacing(async () => {
      const client = clientFromSettings(settings);
      try {
        return await runGate({ declarations: located, applied: previous, settings, client, progress: (line) => pulumi.log.info(line) });
      } finally {
        await client.close();
      }
    });
    pulumi.log.info(formatGateReport(report, settings.convention));
    if (report.refusals.length > 0) stop(formatRefusals(report, stack, backend.url));

    const resource = new Checkpoints({ schema: STATE_SCHEMA, streams: storedStreams(located), gate: report.record });
    const lastRun = pulumi.all([resource.lastRun, resource.failures]).apply(([summary, failures]) => {
      if (failures.length > 0) failRun(formatRunFailures(failures, summary));
      return summary;
    });
    // Secret not because they are sensitive: Pulumi then prints `[secret]` instead of every declared
    // checkpoint at the end of each run (the next run's program reads them back, decrypted, all the same).
    return {
      [OUTPUTS.schema]: STATE_SCHEMA,
      [OUTPUTS.applied]: pulumi.secret(resource.applied),
      [OUTPUTS.restorePoint]: pulumi.secret(resource.restorePoint.apply(restorePointOutput)),
      apps: loaded.state.apps.length,
      streams: located.length,
      checkpoints: located.reduce((sum, { declaration }) => sum + Object.keys(declaration.partitions).length, 0),
      lastRun,
    };
  };
}
