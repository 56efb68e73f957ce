/**
 * Writing declaration files for review (`export`, `resolve`, `restore --out`): one file per app, named
 * `<app>.yaml`, rendered by the shared renderer. Existing files are never overwritten unless asked, and
 * nothing is written when any target exists, so a refused run leaves the directory as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_SCHEMA_PATH, renderDeclarations, type RenderableApp } from "../desired";
import { ReplayError } from "./errors";

export interface WriteOptions {
  /** Replace existing files. */
  force?: boolean;
  /** The project root, to point each file's schema comment at `checkpoints.schema.json` there. */
  projectDir?: string;
}

/** Writes one file per app that has at least one partition; returns the paths written (as given + name). */
export function writeDeclarationFiles(outDir: string, apps: readonly RenderableApp[], options: WriteOptions = {}): string[] {
  const written = apps.filter((app) => app.streams.some((stream) => stream.partitions.length > 0));
  const targets = written.map((app) => path.join(outDir, `${app.name}.yaml`));
  const existing = targets.filter((target) => fs.existsSync(target));
  if (existing.length > 0 && !options.force) {
    throw new ReplayError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}: choose another --out directory, or pass --force to replace`);
  }
  const schemaPath = options.projectDir
    ? path.relative(path.resolve(outDir), path.join(options.projectDir, "checkpoints.schema.json")).split(path.sep).join("/")
    : DEFAULT_SCHEMA_PATH;
  if (written.length > 0) fs.mkdirSync(outDir, { recursive: true });
  written.forEach((app, index) => {
    const streams = app.streams.filter((stream) => stream.partitions.length > 0);
    fs.writeFileSync(targets[index]!, renderDeclarations({ ...app, streams }, { schemaPath }));
  });
  return targets;
}
