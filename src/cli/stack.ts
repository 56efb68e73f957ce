/**
 * `dis-checkpoints preview|up|refresh|destroy [--stack S]`: the Pulumi program run through the real
 * Pulumi CLI (Automation API), with the previous declarations known so that refusals name file:line:col
 * and the preview shows each stream's impact.
 */
import * as path from "node:path";
import type { StackOperation, StackRunResult } from "../program";
import { ACKNOWLEDGE_FIRST_APPLY_ENV, plural, type RunSummary } from "../provider";
import { describeError } from "../errors";
import { fallbackPassphraseFor, findProjectDir } from "../workspace";
import { formatOptionsHelp, HELP_OPTION, parseArgs, UsageError, type OptionSpec } from "./args";
import { EXIT, type Command } from "./command";

export interface StackCommandOptions {
  operation: StackOperation;
  stack: string;
  cwd: string;
  write: (text: string) => void;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export async function runStackCommand(options: StackCommandOptions): Promise<StackRunResult> {
  // Loaded on use: the Pulumi SDK takes a second to load, and `validate` must stay instant.
  const { runStack } = await import("../program");
  return runStack({
    operation: options.operation,
    stack: options.stack,
    projectDir: findProjectDir(options.cwd),
    onOutput: options.write,
    ...fallbackPassphraseFor(options.stack),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** One line per kind of change, e.g. `2 created, 1 updated, 3 unchanged`. */
export function describeChanges(changes: Record<string, number>): string {
  const words: Record<string, string> = { create: "created", update: "updated", delete: "deleted", same: "unchanged", replace: "replaced" };
  const parts = Object.entries(changes)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${words[kind] ?? kind}`);
  return parts.length > 0 ? parts.join(", ") : "no resources";
}

const OPTIONS = {
  stack: { type: "string", short: "s", valueName: "NAME", description: "The stack (stacks/Pulumi.<NAME>.yaml); required" },
} satisfies OptionSpec;

/** preview and up: the one-run acknowledgement of a first apply (the token its refusal prints). */
const COMMIT_OPTIONS = {
  ...OPTIONS,
  "acknowledge-first-apply": {
    type: "string",
    valueName: "TOKEN",
    description: "Acknowledge exactly the first-apply moves a refusal listed with this token, for this run",
  },
} satisfies OptionSpec;

const DESCRIPTIONS: Record<StackOperation, { summary: string; details: string[] }> = {
  preview: {
    summary: "Show what `up` would commit, per stream: live → declared → records replayed or skipped",
    details: [
      "Loads the stack's declarations, reads the live positions of every stream whose declaration changed, watches",
      "those with commits for the activity window (consumers that keep committing would overwrite a replay), prints",
      "each one's impact, and fails (exit 1) on anything that would be refused, naming file:line:col. Writes nothing.",
    ],
  },
  up: {
    summary: "Commit the declared checkpoints that changed (pulumi up)",
    details: [
      "Commits only the partitions whose declaration changed (or whose stream's revision was bumped); consumer",
      "progress is never undone. Refusals stop the run before the first commit. After committing it waits the",
      "settle interval and reads the partitions again: a commit that did not hold fails the run, is not recorded",
      "as applied, and is committed again by the next up.",
    ],
  },
  refresh: {
    summary: "Record live positions as `observed` in the state, and apps that no longer exist; commits nothing",
    details: ["The next up creates missing apps again and commits their declared checkpoints."],
  },
  destroy: {
    summary: "Forget every declaration (pulumi destroy); checkpoints are retained unless onDelete: delete",
    details: ["Apps are never deleted. Streams declared with `onDelete: delete` have their checkpoints deleted."],
  },
};

function stackCommand(operation: StackOperation): Command {
  const { summary, details } = DESCRIPTIONS[operation];
  const spec = operation === "preview" || operation === "up" ? COMMIT_OPTIONS : OPTIONS;
  return {
    name: operation,
    summary,
    help: [
      `Usage: dis-checkpoints ${operation} --stack NAME${spec === COMMIT_OPTIONS ? " [--acknowledge-first-apply TOKEN]" : ""}`,
      "",
      ...details,
      "Runs the same Pulumi program as a plain `pulumi " + operation + "`, through the Pulumi CLI; state is kept in",
      ".pulumi/state unless PULUMI_BACKEND_URL is set. Secrets in stack config need PULUMI_CONFIG_PASSPHRASE (or _FILE);",
      "the `local` demo stack has its own.",
      "",
      "Options:",
      formatOptionsHelp({ ...spec, ...HELP_OPTION }),
    ].join("\n"),
    async run(argv, io) {
      const { options, positionals } = parseArgs(argv, spec);
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      if (!options.stack) throw new UsageError("--stack is required");
      const acknowledgement = (options as { "acknowledge-first-apply"?: string })["acknowledge-first-apply"];
      const env = Object.fromEntries(Object.entries(io.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
      if (acknowledgement !== undefined) env[ACKNOWLEDGE_FIRST_APPLY_ENV] = acknowledgement;
      const interrupt = watchInterrupt(io);
      try {
        const result = await runStackCommand({ operation, stack: options.stack, cwd: io.cwd, write: interrupt.write, env, signal: interrupt.signal });
        io.stdout(`\n${operation} of stack '${options.stack}' done: ${describeRun(result)}\n`);
        if (result.restorePoint) {
          const where = path.relative(io.cwd, result.restorePoint) || ".";
          io.stdout(`Restore point: ${where} (undo with: dis-checkpoints restore ${where} --stack ${options.stack})\n`);
        }
        return EXIT.ok;
      } catch (error) {
        const message = interrupt.interrupted
          ? `interrupted: Pulumi stopped after the operations in flight and saved what was done. Run \`dis-checkpoints ${operation} --stack ${options.stack}\` again to finish.`
          : await failureMessage(operation, options.stack, error, interrupt.sawError);
        io.stderr(`dis-checkpoints ${operation}: ${message}\n`);
        return EXIT.failed;
      } finally {
        interrupt.dispose();
      }
    },
  };
}

/** `3 checkpoints committed (3 held), 1 app created`, or Pulumi's resource changes when nothing was committed. */
export function describeRun(result: StackRunResult): string {
  const run = (result.changes.create ?? 0) + (result.changes.update ?? 0) > 0 ? (result.outputs.lastRun as RunSummary | undefined) : undefined;
  if (run === undefined || run.commits + run.appsCreated + run.deletes === 0) return describeChanges(result.changes);
  const parts = [`${plural(run.commits, "checkpoint")} committed (${run.verified} held)`];
  if (run.appsCreated > 0) parts.push(`${plural(run.appsCreated, "app")} created`);
  if (run.deletes > 0) parts.push(`${plural(run.deletes, "checkpoint")} deleted`);
  return parts.join(", ");
}

/** What Pulumi prints when it receives SIGINT itself. */
const PULUMI_SAW_INTERRUPT = "^C received";
/** How long Pulumi gets to show that the interrupt reached it too, before it is forwarded. */
const FORWARD_INTERRUPT_AFTER_MS = 2_000;

/**
 * SIGINT during a run. Ctrl-C in a terminal reaches the whole process group, Pulumi included, which then
 * stops gracefully (no new operations; those in flight finish; state and lock are saved and released). This
 * process must not die first (the inline program runs here), and must not send a second SIGINT, which makes
 * Pulumi quit at once and leave its lock behind. So it stays alive and forwards the interrupt only when
 * Pulumi has not said it saw one (a SIGINT sent to this process alone, e.g. by a CI runner).
 */
function watchInterrupt(io: { stdout(text: string): void; stderr(text: string): void }) {
  const controller = new AbortController();
  let interrupted = false;
  let pulumiSaw = false;
  let sawError = false;
  let timer: NodeJS.Timeout | undefined;
  const onInterrupt = () => {
    // A second Ctrl-C means "stop now", as it does for Pulumi, which gets it too; its lock may then stay behind.
    if (interrupted) process.exit(130);
    interrupted = true;
    io.stderr("\nInterrupted: Pulumi is stopping; operations in flight finish and the state is saved. Please wait.\n");
    timer = setTimeout(() => {
      if (!pulumiSaw) controller.abort();
    }, FORWARD_INTERRUPT_AFTER_MS);
  };
  process.on("SIGINT", onInterrupt);
  return {
    signal: controller.signal,
    get interrupted() {
      return interrupted;
    },
    /** Whether Pulumi's streamed output already showed an error. */
    get sawError() {
      return sawError;
    },
    write(text: string) {
      if (text.includes(PULUMI_SAW_INTERRUPT)) pulumiSaw = true;
      if (/\berror: /.test(text)) sawError = true;
      io.stdout(text);
    },
    dispose() {
      clearTimeout(timer);
      process.off("SIGINT", onInterrupt);
    },
  };
}

/** One paragraph for the user: Pulumi's own diagnostics were already streamed to stdout. */
async function failureMessage(operation: StackOperation, stack: string, error: unknown, streamedError: boolean): Promise<string> {
  const { CommandError, ConcurrentUpdateError } = await import("@pulumi/pulumi/automation");
  if (error instanceof ConcurrentUpdateError) {
    return `stack '${stack}' is locked by another update; nothing was changed. Wait for it to finish (or, if it died, run \`npm run pulumi -- cancel --stack ${stack}\`).`;
  }
  if (error instanceof CommandError) {
    // Pulumi's own messages were streamed above as it ran, and its stderr repeats them; they are said again
    // only when nothing was streamed (Pulumi failed before it ran the program).
    if (streamedError) return `pulumi ${operation} failed for stack '${stack}' (see the messages above)`;
    const stderr = (error as unknown as { commandResult?: { stderr?: string } }).commandResult?.stderr ?? "";
    const errors = [...new Set(stderr.split("\n").map((line) => line.trim()).filter((line) => /^error: /.test(line)))];
    return `pulumi ${operation} failed for stack '${stack}'${errors.length > 0 ? `:\n${errors.join("\n")}` : ""}`;
  }
  return describeError(error);
}

export const stackCommands: readonly Command[] = (["preview", "up", "refresh", "destroy"] as const).map(stackCommand);
