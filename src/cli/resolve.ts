/** `dis-checkpoints resolve --at TIME`: the positions at an instant, per partition, as declaration files for review. */
import * as path from "node:path";
import { formatResolution, parseInstant, resolveApps, resolutionErrors, resolvedDeclarations, writeDeclarationFiles } from "../replay";
import { UsageError, type OptionSpec } from "./args";
import { EXIT, type Command } from "./command";
import { commandHelp, CONNECTION_OPTIONS, parseOptions, projectDirOrUndefined, STREAMS_AND_OUTPUT_OPTIONS, withConnection } from "./connection";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  at: { type: "string", valueName: "TIME", description: "RFC 3339 time with offset (2026-11-20T10:00:00+08:00), or how long ago (6h, 90m, 2d)" },
  app: { type: "strings", valueName: "APP", description: "An app to resolve for; required" },
  earliest: { type: "boolean", description: "When the instant is before retention, use the earliest retained record instead of failing" },
  ...STREAMS_AND_OUTPUT_OPTIONS,
} satisfies OptionSpec;

export const resolveCommand: Command = {
  name: "resolve",
  summary: "Find the checkpoint of every partition at an instant; write them as declarations for review",
  help: commandHelp(
    [
      "Usage: dis-checkpoints resolve --at TIME --app APP... (--stack NAME | --endpoint URL --project-id ID) [--stream S...] [--out DIR]",
      "",
      "For each partition, finds the first record written at or after TIME (GetCursor AT_TIMESTAMP, then GetRecords)",
      "and declares the checkpoint that makes the consumer start there, by the stack's convention:",
      "  next (default): the record's sequence number;  last: the one before it.",
      "Each checkpoint's metadata records the instant and the record reached. The report prints the convention used",
      "and, per partition, the record's sequence number and write time.",
      "Never guessed, and not declared: empty partitions, partitions with no record at or after TIME (both reported).",
      "Errors (exit 1, nothing written): TIME in the future or without a time-zone offset; TIME before the retained",
      "range (pass --earliest to use the earliest retained record); convention `last` at the first retained record.",
    ],
    "0 written, 1 failed (nothing written), 2 usage error",
    OPTIONS,
  ),
  async run(argv, io) {
    const options = parseOptions(argv, OPTIONS);
    if (options.at === undefined) throw new UsageError("--at is required");
    if (!options.app) throw new UsageError("name the apps with --app (repeatable)");
    const instant = parseInstant(options.at, Date.now());
    if (!instant.ok) {
      io.stderr(`dis-checkpoints resolve: --at ${instant.message}\n`);
      return EXIT.failed;
    }
    const outDir = path.resolve(io.cwd, options.out ?? ".");
    return withConnection("resolve", options, io, async ({ client, settings }) => {
      const request = { apps: [...new Set(options.app)], streams: options.stream ?? [], atMs: instant.ms, convention: settings.convention, earliest: options.earliest === true, concurrency: settings.concurrency };
      const results = await resolveApps(client, request, (line) => io.stderr(`${line}\n`));
      io.stdout(`${formatResolution(results, instant.ms, settings.convention)}\n`);
      const errors = resolutionErrors(results);
      if (errors > 0) {
        io.stderr(`dis-checkpoints resolve: ${errors} partition${errors === 1 ? "" : "s"} could not be resolved (ERROR above); nothing was written\n`);
        return EXIT.failed;
      }
      const written = writeDeclarationFiles(outDir, resolvedDeclarations(results, instant.ms, settings.convention), {
        force: options.force === true,
        projectDir: projectDirOrUndefined(io.cwd),
      });
      io.stdout(`Wrote ${written.map((file) => path.relative(io.cwd, file)).join(", ") || "nothing (no partition resolved)"}\n`);
      return EXIT.ok;
    });
  },
};
