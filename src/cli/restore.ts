/**
 * `dis-checkpoints restore DIR | --stack S`: a restore point back into declarations, for one reviewed undo.
 * DIR is one that `dis-checkpoints up` wrote under .restore/; `--stack` alone reads the stack's `restorePoint`
 * output instead, so a runner without the checkout that ran `up` (a pipeline) can undo the last committing run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadDeclarations, formatDeclarationError, parseDeclarations } from "../desired";
import { OUTPUTS } from "../program/declarations";
import {
  readRestorePoint,
  ReplayError,
  restoreDeclarations,
  restorePointFromOutput,
  rewriteDeclarations,
  unrestorable,
  writeDeclarationFiles,
  type RestorePoint,
} from "../replay";
import { parseArgs, UsageError, type OptionSpec } from "./args";
import { EXIT, type Command, type CommandIo } from "./command";
import { commandHelp, projectDirOrUndefined, readStackConfig, reportFailure, runPulumi, STACK_OPTION } from "./connection";

const OPTIONS = {
  stack: {
    ...STACK_OPTION.stack,
    description: "Without DIR: restore the stack's last restore point (its restorePoint output). With DIR: rewrite this stack's declarations",
  },
  checkpoints: { type: "string", valueName: "DIR", description: "The declarations to rewrite (default: the stack's checkpointsDir or checkpoints/<stack>)" },
  out: { type: "string", valueName: "DIR", description: "Write <app>.yaml files there instead of rewriting the stack's declarations" },
  "allow-skip": { type: "boolean", description: "Set allowSkip: true on the restored streams (undoing a replay moves consumers forward)" },
  force: { type: "boolean", description: "With --out: replace existing files" },
} satisfies OptionSpec;

export const restoreCommand: Command = {
  name: "restore",
  summary: "Turn a restore point written by `up` back into declarations (undo a bad apply in one reviewed change)",
  help: commandHelp(
    [
      "Usage: dis-checkpoints restore DIR [--stack NAME | --checkpoints DIR] [--allow-skip]",
      "       dis-checkpoints restore --stack NAME [--checkpoints DIR] [--allow-skip]",
      "       dis-checkpoints restore (DIR | --stack NAME) --out DIR [--allow-skip] [--force]",
      "",
      "Every `dis-checkpoints up` that commits writes a restore point, .restore/<stack>/<time>/, holding the live",
      "checkpoints its commits replaced (restore-point.json, plus one declaration file per app). The last committing",
      "run's restore point is also the stack output `restorePoint`, kept in the stack's state whichever way `up` ran:",
      "without DIR, `--stack NAME` reads it from there (secrets decrypted: PULUMI_CONFIG_PASSPHRASE as for `up`).",
      "By default, rewrites the affected partitions of the stack's own declaration files in place (other lines and",
      "comments kept; long-form partitions get metadata naming the restore point), so the undo is one diff to review",
      "and one `up`. The stack defaults to the one the restore point was taken from. With --out, writes separate",
      "<app>.yaml files instead. Undoing a replay moves consumers forward, which `up` refuses unless the stream allows",
      "skipping: --allow-skip sets allowSkip: true on the restored streams (review it; remove it afterwards).",
      "Partitions that had no checkpoint before cannot be restored by a commit: they are listed (exit 0).",
      "Fails with nothing written when a restored partition is not declared in the stack's files (use --out) or the",
      "result would not validate. Run `dis-checkpoints plan` before `up` to see what the restore will move.",
    ],
    "0 written, 1 failed (nothing written), 2 usage error",
    OPTIONS,
  ),
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
    const dir = positionals[0];
    if (dir === undefined && options.stack === undefined) {
      throw new UsageError("give the restore point's directory, or --stack NAME to restore the stack's last one (its restorePoint output)");
    }
    // With DIR, --stack names the stack whose files to rewrite; --out rewrites none.
    if (options.out !== undefined && (options.checkpoints !== undefined || (dir !== undefined && options.stack !== undefined))) {
      throw new UsageError("--out writes separate files; it takes no --checkpoints, and --stack only without DIR");
    }
    try {
      const point = dir !== undefined ? readRestorePoint(path.resolve(io.cwd, dir)) : await stackRestorePoint(options.stack!, io);
      const status = options.out !== undefined
        ? writeSeparate(point, options.out, options, io)
        : await rewriteInPlace(point, options, io);
      const lost = unrestorable(point);
      if (status === EXIT.ok && lost.length > 0) {
        io.stdout(`Had no checkpoint before the commit, so no commit can restore them (reset those consumers yourself):\n${lost.map((entry) => `  ${entry}\n`).join("")}`);
      }
      return status;
    } catch (error) {
      return reportFailure("restore", error, io);
    }
  },
};

/** The stack's `restorePoint` output: what its last committing `up` replaced. */
async function stackRestorePoint(stack: string, io: CommandIo): Promise<RestorePoint> {
  let text: string;
  try {
    text = await runPulumi(["stack", "output", "--stack", stack, "--show-secrets", "--json", OUTPUTS.restorePoint], stack, io);
  } catch (error) {
    if (error instanceof ReplayError && /does not have output property/.test(error.message)) {
      throw new ReplayError(`stack '${stack}' has no restorePoint output: no \`up\` of it has finished yet, so there is nothing to restore`);
    }
    throw error;
  }
  return restorePointFromOutput(stack, JSON.parse(text));
}

function writeSeparate(point: RestorePoint, out: string, options: { "allow-skip"?: boolean; force?: boolean }, io: CommandIo): number {
  const apps = restoreDeclarations(point).map((app) => ({
    ...app,
    streams: app.streams.map((stream) => (options["allow-skip"] ? { ...stream, allowSkip: true } : stream)),
  }));
  const written = writeDeclarationFiles(path.resolve(io.cwd, out), apps, { force: options.force === true, projectDir: projectDirOrUndefined(io.cwd) });
  io.stdout(`Wrote ${written.map((file) => path.relative(io.cwd, file)).join(", ") || "nothing (no partition had a checkpoint before)"}\n`);
  return EXIT.ok;
}

async function rewriteInPlace(point: RestorePoint, options: { stack?: string; checkpoints?: string; "allow-skip"?: boolean }, io: CommandIo): Promise<number> {
  const stack = options.stack ?? point.stack;
  const root = projectDirOrUndefined(io.cwd) ?? io.cwd;
  const directory = options.checkpoints ?? (await readStackConfig(stack, io, false))["dis-checkpoints:checkpointsDir"] ?? path.join("checkpoints", stack);
  const loaded = await loadDeclarations([directory], { cwd: root });
  if (!loaded.ok) {
    io.stderr(loaded.errors.map((error) => `${formatDeclarationError(error)}\n`).join(""));
    io.stderr("dis-checkpoints restore: the stack's declarations do not validate; fix them first (nothing was written)\n");
    return EXIT.failed;
  }
  const files = loaded.files.map((file) => ({ path: file, text: fs.readFileSync(path.resolve(root, file), "utf8") }));
  const result = rewriteDeclarations(files, point, options["allow-skip"] === true);
  if (result.undeclared.length > 0) {
    io.stderr(
      `dis-checkpoints restore: not declared in ${directory}: ${result.undeclared.join(", ")}; ` +
        "declare them, or use --out DIR to write separate files (nothing was written)\n",
    );
    return EXIT.failed;
  }
  const changedPaths = new Set(result.changed.map((file) => file.path));
  const checked = parseDeclarations([...files.filter((file) => !changedPaths.has(file.path)), ...result.changed]);
  if (!checked.ok) {
    io.stderr(checked.errors.map((error) => `${formatDeclarationError(error)}\n`).join(""));
    io.stderr("dis-checkpoints restore: the rewritten declarations would not validate (nothing was written)\n");
    return EXIT.failed;
  }
  for (const file of result.changed) fs.writeFileSync(path.resolve(root, file.path), file.text);
  io.stdout(`Restored ${point.createdAt} of stack ${point.stack} in ${result.changed.map((file) => file.path).join(", ") || "no file (nothing to restore)"}\n`);
  return EXIT.ok;
}
