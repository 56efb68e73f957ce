/**
 * How the replay commands (`export`, `resolve`, `plan`, `restore`) reach DIS: a stack's config (including
 * decrypted secrets, read through the Pulumi CLI) or explicit `--endpoint`/`--region` + `--project-id` with
 * credentials from the environment. Settings and the client come from the provider's own readSettings and
 * clientFromSettings, so every command sees the configuration `up` sees.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { DisClient } from "../dis";
import { isUserError } from "../errors";
import { clientFromSettings, CONFIG_NAMESPACE, readSettings, type ProviderSettings } from "../provider";
import { ReplayError } from "../replay";
import { fallbackPassphraseFor, findProjectDir, ProjectNotFoundError, pulumiEnvironment, requirePulumiCli } from "../workspace";
import { formatOptionsHelp, HELP_OPTION, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from "./args";
import { EXIT, type CommandIo } from "./command";


export const STACK_OPTION = {
  stack: { type: "string", short: "s", valueName: "NAME", description: "Read settings and secrets from this stack's config" },
} satisfies OptionSpec;

export const CONNECTION_OPTIONS = {
  ...STACK_OPTION,
  endpoint: { type: "string", valueName: "URL", description: "DIS endpoint (instead of --stack); credentials from HUAWEICLOUD_SDK_AK/_SK" },
  region: { type: "string", valueName: "REGION", description: "DIS region, for https://dis.<REGION>.myhuaweicloud.com (instead of --stack)" },
  "project-id": { type: "string", valueName: "ID", description: "The project owning the streams (with --endpoint or --region)" },
  convention: { type: "string", valueName: "next|last", description: "Checkpoint convention with --endpoint/--region (default next); a stack's comes from its config" },
} satisfies OptionSpec;

/** The options of commands that read apps' streams and write declaration files (`export`, `resolve`). */
export const STREAMS_AND_OUTPUT_OPTIONS = {
  stream: { type: "strings", valueName: "STREAM", description: "Only these streams (default: each app's committed streams)" },
  out: { type: "string", valueName: "DIR", description: "Where to write <app>.yaml files (default: the current directory)" },
  force: { type: "boolean", description: "Replace existing files" },
} satisfies OptionSpec;

type ConnectionFlags = { stack?: string; endpoint?: string; region?: string; "project-id"?: string; convention?: string };

export interface Connection {
  settings: ProviderSettings;
  client: DisClient;
  stack?: string;
  /** The stack's `dis-checkpoints:*` config (only with --stack). */
  config: Record<string, string>;
}

/** A stack's config (`pulumi config --json`, in the project), secrets decrypted when asked. */
export async function readStackConfig(stack: string, io: CommandIo, secrets = true): Promise<Record<string, string>> {
  const text = await runPulumi(["config", "--json", ...(secrets ? ["--show-secrets"] : []), "--stack", stack], stack, io);
  const parsed = JSON.parse(text) as Record<string, { value?: unknown }>;
  return Object.fromEntries(
    Object.entries(parsed).flatMap(([key, entry]) => (entry.value === undefined ? [] : [[key, String(entry.value)]])),
  );
}

/** The stack named is not in the backend: a user's mistake for most commands, "no outputs yet" for some. */
class StackNotFoundError extends ReplayError {
  override name = "StackNotFoundError";
}

/** `pulumi <args>` in the project with the project's environment; its stdout, or a one-line error. */
export function runPulumi(args: readonly string[], stack: string, io: CommandIo): Promise<string> {
  const projectDir = findProjectDir(io.cwd);
  const cli = requirePulumiCli();
  const env = pulumiEnvironment({
    root: projectDir,
    cliDir: path.dirname(cli.command),
    base: io.env as NodeJS.ProcessEnv,
    ...fallbackPassphraseFor(stack),
  });
  return new Promise((resolve, reject) => {
    execFile(cli.command, [...args, "--non-interactive"], { cwd: projectDir, env, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const detail = stderr.trim().split("\n").filter(Boolean).at(-1) ?? error.message;
      if (/no stack named/.test(detail)) {
        return reject(new StackNotFoundError(`stack '${stack}' does not exist yet: create it with \`dis-checkpoints preview --stack ${stack}\`, or connect with --endpoint/--region and --project-id`));
      }
      reject(new ReplayError(`pulumi ${args[0]} for stack '${stack}' failed: ${detail.replace(/^error: /, "")}`));
    });
  });
}

/**
 * The stack's outputs as last applied, decrypted (`applied` is a secret output, docs/architecture.md), as the
 * program reads them back; empty before the stack's first update, or before it exists.
 */
export async function readStackOutputs(stack: string, io: CommandIo): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await runPulumi(["stack", "output", "--stack", stack, "--show-secrets", "--json"], stack, io)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof StackNotFoundError) return {};
    throw error;
  }
}

export async function connect(flags: ConnectionFlags, io: CommandIo): Promise<Connection> {
  const direct = flags.endpoint !== undefined || flags.region !== undefined;
  if (flags.stack !== undefined && (direct || flags["project-id"] !== undefined || flags.convention !== undefined)) {
    throw new UsageError("give either --stack, or --endpoint/--region with --project-id, not both");
  }
  if (flags.stack === undefined && !direct) throw new UsageError("give --stack NAME, or --endpoint URL (or --region R) with --project-id ID");
  if (direct && flags["project-id"] === undefined) throw new UsageError("--project-id is required with --endpoint or --region");
  const config: Record<string, string> = flags.stack !== undefined
    ? await readStackConfig(flags.stack, io)
    : Object.fromEntries(
        Object.entries({ endpoint: flags.endpoint, region: flags.region, projectId: flags["project-id"], convention: flags.convention })
          .filter((entry): entry is [string, string] => entry[1] !== undefined)
          .map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]),
      );
  const settings = readSettings((key) => config[key], io.env as NodeJS.ProcessEnv);
  return { settings, client: clientFromSettings(settings), config, ...(flags.stack !== undefined ? { stack: flags.stack } : {}) };
}

/** Exit 1 with one line for anything the user can act on; anything else is an internal error (the dispatcher's). */
export function reportFailure(command: string, error: unknown, io: CommandIo): number {
  if (!isUserError(error)) throw error;
  io.stderr(`dis-checkpoints ${command}: ${(error as Error).message}\n`);
  return EXIT.failed;
}

/** Runs `body` with a connection, closing the client afterwards and turning user errors into exit 1. */
export async function withConnection(command: string, flags: ConnectionFlags, io: CommandIo, body: (connection: Connection) => Promise<number>): Promise<number> {
  let connection: Connection | undefined;
  try {
    connection = await connect(flags, io);
    return await body(connection);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return reportFailure(command, error, io);
  } finally {
    await connection?.client.close();
  }
}

/** The project root when run inside one (written files then point at its JSON Schema). */
export function projectDirOrUndefined(cwd: string): string | undefined {
  try {
    return findProjectDir(cwd);
  } catch (error) {
    if (error instanceof ProjectNotFoundError) return undefined;
    throw error;
  }
}

/** The help of a replay command: its description lines, the exit statuses, then the options. */
export function commandHelp(lines: readonly string[], exitStatus: string, spec: OptionSpec): string {
  return [...lines, "", `Exit status: ${exitStatus}.`, "", "Options:", formatOptionsHelp({ ...spec, ...HELP_OPTION })].join("\n");
}

/** Options of a command that takes no positional argument. */
export function parseOptions<S extends OptionSpec>(argv: readonly string[], spec: S): ParsedArgs<S>["options"] {
  const { options, positionals } = parseArgs(argv, spec);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  return options;
}
