/** `dis-checkpoints plan`: live → declared for every declared partition, as Markdown (PR comment) or JSON. */
import * as path from "node:path";
import { formatDeclarationError, loadDeclarations } from "../desired";
import { appliedFromOutputs, toDeclarations } from "../program/declarations";
import { explainLegacyState, groupDigits, runGate } from "../provider";
import { DEFAULT_MAX_CHARS, firstApplyOf, hasRefusals, planStreams, renderJson, renderMarkdown, ReplayError, type PlanReport } from "../replay";
import { UsageError, type OptionSpec } from "./args";
import { EXIT, type Command, type CommandIo } from "./command";
import { commandHelp, CONNECTION_OPTIONS, parseOptions, projectDirOrUndefined, readStackOutputs, withConnection } from "./connection";

/** Exit status when something would be refused: distinct from failures, so CI can tell them apart. */
export const EXIT_REFUSED = 3;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  checkpoints: { type: "string", valueName: "DIR", description: "The declarations (default with --stack: its checkpointsDir or checkpoints/<stack>)" },
  format: { type: "string", valueName: "markdown|json", description: "Output format (default markdown)" },
  "acknowledge-first-apply": {
    type: "string",
    valueName: "TOKEN",
    description: "Plan the first-apply moves a refusal listed with this token as commits, as `up --acknowledge-first-apply TOKEN` would",
  },
  "max-chars": {
    type: "string",
    valueName: "N",
    description: `Markdown: at most N characters (default ${groupDigits(DEFAULT_MAX_CHARS)}, a GitHub comment with room for a marker line)`,
  },
} satisfies OptionSpec;

export const planCommand: Command = {
  name: "plan",
  summary: "Show live → declared per partition with replay/skip counts, refusals and retention margins",
  help: commandHelp(
    [
      "Usage: dis-checkpoints plan (--stack NAME | --endpoint URL --project-id ID --checkpoints DIR) [--format markdown|json] [--max-chars N]",
      "                            [--acknowledge-first-apply TOKEN]",
      "",
      "Runs the checks `up` runs before committing, and commits nothing. For every declared partition: the live",
      "checkpoint, the declared one, the move (replay / skip / none / initial) with its record count, whether `up`",
      "would commit it, leave it (already live, or declaration unchanged since the last up of the stack) or refuse",
      "it (out of range, skip without allowSkip, no such partition, first apply, consumers active), and the",
      "retention margin: how long until the record the consumer would read next from the declared position expires.",
      "Per stream, whether its consumers look active: when nothing is refused, the streams with commits are read",
      "twice, the stack's activityWindow apart. A first apply that moves live checkpoints prints the token that",
      "acknowledges exactly those moves.",
      "Markdown is made for a pull-request comment: the summary, refusals first, then only the partitions that move or",
      "are refused, with the unchanged ones counted, in at most --max-chars characters (it says what it left out).",
      "JSON has every partition, for machines and as the full plan (shape in docs/disaster-recovery.md). Writes nothing.",
    ],
    `0 nothing refused, ${EXIT_REFUSED} something would be refused, 1 failed, 2 usage error`,
    OPTIONS,
  ),
  async run(argv, io) {
    const options = parseOptions(argv, OPTIONS);
    const format = options.format ?? "markdown";
    if (format !== "markdown" && format !== "json") throw new UsageError(`--format must be markdown or json, not ${JSON.stringify(format)}`);
    const maxChars = parseMaxChars(options["max-chars"], format);
    if (options.stack === undefined && options.checkpoints === undefined) throw new UsageError("--checkpoints DIR is required without --stack");
    const acknowledgement = options["acknowledge-first-apply"];
    return withConnection("plan", options, io, async ({ client, settings: configured, config, stack }) => {
      const applied = stack !== undefined ? appliedFromOutputs(await readStackOutputs(stack, io)) : ({ kind: "none" } as const);
      if (applied.kind === "legacy") {
        throw new ReplayError(`${explainLegacyState(stack!)}, then plan again`);
      }
      const root = stack !== undefined ? (projectDirOrUndefined(io.cwd) ?? io.cwd) : io.cwd;
      const directory = options.checkpoints ?? config["dis-checkpoints:checkpointsDir"] ?? path.join("checkpoints", stack ?? "");
      const loaded = await loadDeclarations([directory], { cwd: root });
      if (!loaded.ok) {
        io.stderr(loaded.errors.map((error) => `${formatDeclarationError(error)}\n`).join(""));
        return EXIT.failed;
      }
      const located = toDeclarations(loaded.state);
      const settings = acknowledgement !== undefined ? { ...configured, acknowledgeFirstApply: acknowledgement } : configured;
      const progress = (line: string) => io.stderr(`${line}\n`);
      const gate = await runGate({ declarations: located, applied: applied.kind === "applied" ? applied.streams : new Map(), settings, client, progress });
      const firstApply = firstApplyOf(gate, settings.acknowledgeFirstApply);
      const report: PlanReport = {
        ...(stack !== undefined ? { stack } : {}),
        convention: settings.convention,
        generatedAt: new Date(gate.readAt ?? Date.now()).toISOString(),
        streams: await planStreams(client, located, gate, settings.convention, Date.now(), settings.concurrency),
        ...(firstApply !== undefined ? { firstApply } : {}),
      };
      io.stdout(format === "json" ? renderJson(report) : renderMarkdown(report, { maxChars }));
      return hasRefusals(report) ? EXIT_REFUSED : EXIT.ok;
    });
  },
};

function parseMaxChars(value: string | undefined, format: string): number | undefined {
  if (value === undefined) return undefined;
  // JSON is the full plan: bounding it would drop partitions machines rely on.
  if (format !== "markdown") throw new UsageError("--max-chars applies to --format markdown only");
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--max-chars must be a positive whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

