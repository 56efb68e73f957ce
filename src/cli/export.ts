/** `dis-checkpoints export`: live checkpoints of apps as declaration files (backups, adopting existing apps). */
import * as path from "node:path";
import { exportApp, renderableApp, writeDeclarationFiles, type ExportedApp } from "../replay";
import { UsageError, type OptionSpec } from "./args";
import { EXIT, type Command } from "./command";
import { commandHelp, CONNECTION_OPTIONS, parseOptions, projectDirOrUndefined, STREAMS_AND_OUTPUT_OPTIONS, withConnection } from "./connection";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  app: { type: "strings", valueName: "APP", description: "An app to export" },
  all: { type: "boolean", description: "Export every app of the project" },
  ...STREAMS_AND_OUTPUT_OPTIONS,
} satisfies OptionSpec;

export const exportCommand: Command = {
  name: "export",
  summary: "Write live checkpoints of apps as declaration files (backup, adoption, DR hand-over)",
  help: commandHelp(
    [
      "Usage: dis-checkpoints export (--stack NAME | --endpoint URL --project-id ID) (--app APP... | --all) [--stream S...] [--out DIR]",
      "",
      "Reads each app's live checkpoints (consumer state, every page) on its committed streams (or --stream) and",
      "writes one declaration file per app, <DIR>/<app>.yaml, with the stored metadata. `validate` accepts the files,",
      "and `up` with them unchanged commits nothing: the reconciler adopts positions that are already live.",
      "Partitions without a checkpoint are left out and listed. Progress goes to stderr, the summary to stdout.",
      "Apply an export promptly, or stop the consumers first: consumers that move on after the export are rewound",
      "to the exported positions by the first `up`.",
      "Existing files are not replaced without --force; nothing is written when anything fails.",
    ],
    "0 written, 1 failed (nothing written), 2 usage error",
    OPTIONS,
  ),
  async run(argv, io) {
    const options = parseOptions(argv, OPTIONS);
    if (options.all && options.app) throw new UsageError("give --app or --all, not both");
    if (!options.all && !options.app) throw new UsageError("name the apps to export with --app (repeatable), or --all");
    const outDir = path.resolve(io.cwd, options.out ?? ".");
    return withConnection("export", options, io, async ({ client }) => {
      const apps = options.all ? (await client.listApps()).map((app) => app.name).sort() : [...new Set(options.app)];
      const exported: ExportedApp[] = [];
      for (const app of apps) exported.push(await exportApp(client, app, options.stream ?? [], (line) => io.stderr(`${line}\n`), options.all === true));
      const written = writeDeclarationFiles(outDir, exported.map(renderableApp), { force: options.force === true, projectDir: projectDirOrUndefined(io.cwd) });
      for (const app of exported) {
        for (const stream of app.streams) {
          const count = stream.declaration.partitions.length;
          const missing = stream.withoutCheckpoint.length > 0 ? `; no checkpoint on partitions ${stream.withoutCheckpoint.join(", ")} (left out)` : "";
          io.stdout(`${app.app} / ${stream.stream}: ${count} checkpoint${count === 1 ? "" : "s"}${missing}\n`);
        }
      }
      const skipped = exported.filter((app) => !written.some((file) => path.basename(file) === `${app.app}.yaml`)).map((app) => app.app);
      if (skipped.length > 0) io.stdout(`No checkpoints at all (no file written): ${skipped.join(", ")}\n`);
      io.stdout(`Wrote ${written.map((file) => path.relative(io.cwd, file)).join(", ") || "nothing"}\n`);
      return EXIT.ok;
    });
  },
};
