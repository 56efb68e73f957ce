import { readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import { describeIssues } from "./issues";
import type { EmulatorState, StateSnapshot } from "./state";

const FORMAT = "dis-emulator-state";
const VERSION = 1;

const DECIMAL = z.string().regex(/^\d+$/);
const SNAPSHOT_FILE = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(VERSION),
    savedAt: z.string(),
    streams: z.array(
      z.object({
        name: z.string(),
        id: z.string(),
        createTime: z.number(),
        lastModifiedTime: z.number(),
        retentionHours: z.number().int(),
        streamType: z.enum(["COMMON", "ADVANCED"]),
        dataType: z.enum(["BLOB", "JSON", "CSV"]),
        partitions: z.array(
          z.object({
            firstSequenceNumber: DECIMAL,
            expired: z.number().int().min(0),
            generated: z.object({
              count: z.number().int().min(0),
              startTime: z.number(),
              intervalMs: z.number().min(0),
            }),
            written: z.array(z.union([z.tuple([z.number(), z.string()]), z.tuple([z.number(), z.string(), z.string()])])),
          }),
        ),
      }),
    ),
    apps: z.array(
      z.object({
        name: z.string(),
        id: z.string(),
        createTime: z.number(),
        checkpoints: z.array(z.tuple([z.string(), z.number().int().min(0), DECIMAL, z.string()])),
      }),
    ),
  })
  .strict();

/** The data file cannot be used; the message names the file and what is wrong with it. */
export class PersistenceError extends Error {
  override name = "PersistenceError";
}

/** The state saved in `file`, `undefined` when there is no such file yet. */
export function loadStateFile(file: string): StateSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PersistenceError(`${file}: cannot read the data file: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PersistenceError(`${file}: not JSON (${(error as Error).message}); move it away or pass another --data file`);
  }
  const parsed = SNAPSHOT_FILE.safeParse(json);
  if (!parsed.success) {
    throw new PersistenceError(`${file}: not a ${FORMAT} v${VERSION} file: ${describeIssues(parsed.error, "file")}`);
  }
  const { format: _format, version: _version, savedAt: _savedAt, ...snapshot } = parsed.data;
  return snapshot;
}

/**
 * Saves the state to `file` shortly after it changes (debounced), atomically: the content goes to a temporary
 * file beside it, which is then renamed over the old one, so a crash never leaves half a file.
 */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly file: string,
    private readonly state: EmulatorState,
    private readonly debounceMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.unsubscribe = state.onChange(() => this.schedule());
  }

  /** Saves now if anything changed since the last save. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    this.saving = this.write().finally(() => (this.saving = undefined));
    await this.saving;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.flush();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.log(`cannot save the state to ${this.file}: ${(error as Error).message}`));
    }, this.debounceMs);
  }

  private async write(): Promise<void> {
    const content = JSON.stringify({ format: FORMAT, version: VERSION, savedAt: new Date().toISOString(), ...this.state.snapshot() });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, content, "utf8");
    await rename(temporary, this.file);
  }
}
