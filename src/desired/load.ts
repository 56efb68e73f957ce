/**
 * The loader's I/O shell: finds declaration files, refuses what must not be parsed (too large, not UTF-8,
 * symbolic links leading out of the directory given), and hands the text to the pure `parseDeclarations`.
 * Every user mistake comes back as an error; nothing here throws for one.
 */
import { promises as fs, type Dirent } from "node:fs";
import * as path from "node:path";
import { MAX_FILE_BYTES, sortErrors, type DeclarationError, type DeclarationErrorCode } from "./errors";
import type { DeclarationStats, DesiredState } from "./model";
import { parseDeclarations, type DeclarationFile } from "./parse";
import { decodeUtf8 } from "./utf8";

export interface LoadOptions {
  /** Relative paths are resolved against it, and file names in errors and sources are relative to it. */
  cwd: string;
}

export type LoadResult =
  | { ok: true; state: DesiredState; files: string[]; stats: DeclarationStats }
  | { ok: false; errors: DeclarationError[] };

const DECLARATION_EXTENSIONS = [".yaml", ".yml"];

/**
 * Loads declaration files and directories (searched recursively for *.yaml and *.yml). Files load in byte
 * order of their path relative to `cwd`, whatever the order of `paths`; a file reached twice loads once.
 */
export async function loadDeclarations(paths: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const finder = new FileFinder(options.cwd);
  for (const given of paths) await finder.add(given);
  const displayPaths = [...finder.files.keys()].sort(compareBytes);
  const errors = [...finder.errors];
  const files: DeclarationFile[] = [];
  for (const display of displayPaths) {
    const text = await readDeclarationText(finder.files.get(display) ?? display, display, errors);
    if (text !== undefined) files.push({ path: display, text });
  }
  const parsed = parseDeclarations(files);
  if (!parsed.ok || errors.length > 0) {
    return { ok: false, errors: sortErrors([...errors, ...(parsed.ok ? [] : parsed.errors)], displayPaths) };
  }
  return { ok: true, state: parsed.state, files: displayPaths, stats: parsed.stats };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function fileError(file: string, code: DeclarationErrorCode, message: string): DeclarationError {
  return { code, message, file, line: 1, column: 1 };
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}` : String(error);
}

async function readDeclarationText(absolute: string, display: string, errors: DeclarationError[]): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const { size } = await fs.stat(absolute);
    if (size > MAX_FILE_BYTES) {
      errors.push(fileError(display, "file-too-large", tooLargeMessage(size)));
      return undefined;
    }
    bytes = await fs.readFile(absolute);
  } catch (error) {
    errors.push(fileError(display, "read-failed", `cannot read the file (${describeIoError(error)})`));
    return undefined;
  }
  // The file may have grown between stat and read.
  if (bytes.length > MAX_FILE_BYTES) {
    errors.push(fileError(display, "file-too-large", tooLargeMessage(bytes.length)));
    return undefined;
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded.text;
  const byte = (bytes[decoded.byteOffset] ?? 0).toString(16).padStart(2, "0");
  errors.push({
    code: "invalid-utf8",
    file: display,
    line: decoded.line,
    column: decoded.column,
    message: `the file is not valid UTF-8 (byte 0x${byte} at byte offset ${decoded.byteOffset}): save it as UTF-8`,
  });
  return undefined;
}

function tooLargeMessage(size: number): string {
  return `the file is ${size} bytes; declaration files may be at most ${MAX_FILE_BYTES} bytes (4 MiB): split it into several files`;
}

interface WalkRoot {
  /** The directory given, with symbolic links resolved: links may not lead outside it. */
  real: string;
  display: string;
}

class FileFinder {
  /** Display path (relative to cwd) → absolute path. */
  readonly files = new Map<string, string>();
  readonly errors: DeclarationError[] = [];
  private readonly visitedDirectories = new Set<string>();

  constructor(private readonly cwd: string) {}

  async add(given: string): Promise<void> {
    const absolute = path.resolve(this.cwd, given);
    const display = this.display(absolute);
    try {
      const stats = await fs.stat(absolute);
      if (!stats.isDirectory()) {
        this.files.set(display, absolute);
        return;
      }
      await this.walk(absolute, { real: await fs.realpath(absolute), display });
    } catch (error) {
      const notFound = (error as NodeJS.ErrnoException).code === "ENOENT";
      this.errors.push(
        notFound
          ? fileError(display, "path-not-found", "no such file or directory: give an existing declarations file or directory")
          : fileError(display, "read-failed", `cannot read this path (${describeIoError(error)})`),
      );
    }
  }

  private display(absolute: string): string {
    return path.relative(this.cwd, absolute) || ".";
  }

  /** Directories are walked once each (by real path), so symbolic-link loops end. */
  private async walk(directory: string, root: WalkRoot): Promise<void> {
    let entries: Dirent[];
    try {
      const real = await fs.realpath(directory);
      if (this.visitedDirectories.has(real)) return;
      this.visitedDirectories.add(real);
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error) {
      this.errors.push(fileError(this.display(directory), "read-failed", `cannot read this directory (${describeIoError(error)})`));
      return;
    }
    for (const entry of entries) {
      const entryPath = path.join(directory, entry.name);
      if (entry.isDirectory()) await this.walk(entryPath, root);
      else if (entry.isSymbolicLink()) await this.followLink(entry, entryPath, root);
      else if (entry.isFile() && isDeclarationFile(entry.name)) this.files.set(this.display(entryPath), entryPath);
    }
  }

  private async followLink(entry: Dirent, linkPath: string, root: WalkRoot): Promise<void> {
    let target: string;
    let isDirectory: boolean;
    try {
      target = await fs.realpath(linkPath);
      isDirectory = (await fs.stat(target)).isDirectory();
    } catch (error) {
      if (isDeclarationFile(entry.name)) {
        this.errors.push(fileError(this.display(linkPath), "read-failed", `cannot follow this symbolic link (${describeIoError(error)})`));
      }
      return;
    }
    if (!isDirectory && !isDeclarationFile(entry.name)) return;
    const fromRoot = path.relative(root.real, target);
    if (fromRoot === ".." || fromRoot.startsWith(`..${path.sep}`) || path.isAbsolute(fromRoot)) {
      this.errors.push(
        fileError(
          this.display(linkPath),
          "symlink-outside",
          `this symbolic link leads outside ${root.display}: declarations must live inside the directory given; copy the file in or give its path explicitly`,
        ),
      );
      return;
    }
    if (isDirectory) await this.walk(linkPath, root);
    else this.files.set(this.display(linkPath), linkPath);
  }
}

function isDeclarationFile(name: string): boolean {
  return DECLARATION_EXTENSIONS.some((extension) => name.endsWith(extension));
}
