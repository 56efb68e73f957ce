/** The loader's file-system shell: which files are read, in what order, and what is refused before parsing. */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDeclarations, MAX_FILE_BYTES, type DeclarationError } from "../../src/desired";

const declaration = (app: string, stream = "orders", sequenceNumber = "1") =>
  `version: 1\napp: ${app}\nstreams:\n  ${stream}:\n    partitions:\n      0: "${sequenceNumber}"\n`;

let root: string;
let outside: string;

beforeEach(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), "declarations-"));
  root = path.join(base, "work");
  outside = path.join(base, "elsewhere");
  await fs.mkdir(path.join(root, "checkpoints"), { recursive: true });
  await fs.mkdir(outside);
});

afterEach(async () => {
  await fs.rm(path.dirname(root), { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<void> {
  const target = path.join(root, relative);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, content);
}

const load = (paths: string[]) => loadDeclarations(paths, { cwd: root });

function errorsOf(result: Awaited<ReturnType<typeof load>>): Omit<DeclarationError, "path">[] {
  if (result.ok) throw new Error("expected errors, got a valid state");
  return result.errors.map(({ path: _path, ...rest }) => rest);
}

describe("loadDeclarations: finding files", () => {
  it("reads *.yaml and *.yml recursively, in byte order of the relative path, ignoring other files", async () => {
    for (const name of ["a/b.yaml", "a.yaml", "a-b.yml", "_.yaml", "B.yaml"]) {
      await write(`checkpoints/${name}`, declaration(name.replace(/[^A-Za-z]/g, "") || "underscore"));
    }
    await write("checkpoints/README.md", "not: [yaml");
    await write("checkpoints/backup.yaml.orig", "not: [yaml");
    const result = await load(["checkpoints"]);
    expect(result.ok && result.files).toEqual([
      "checkpoints/B.yaml",
      "checkpoints/_.yaml",
      "checkpoints/a-b.yml",
      "checkpoints/a.yaml",
      "checkpoints/a/b.yaml",
    ]);
  });

  it("loads a file reached twice once, whatever the order of the paths given", async () => {
    await write("checkpoints/one.yaml", declaration("one"));
    await write("checkpoints/two.yaml", declaration("two"));
    const forward = await load(["checkpoints", "checkpoints/two.yaml"]);
    const backward = await load(["./checkpoints/two.yaml", path.join(root, "checkpoints")]);
    expect(forward.ok && forward.files).toEqual(["checkpoints/one.yaml", "checkpoints/two.yaml"]);
    expect(backward).toEqual(forward);
  });

  it("reads a file given explicitly whatever its extension, and names files outside cwd relatively", async () => {
    await fs.writeFile(path.join(outside, "declaration.txt"), declaration("outsider"));
    const result = await load([path.join(outside, "declaration.txt")]);
    expect(result.ok && result.files).toEqual(["../elsewhere/declaration.txt"]);
    expect(result.ok && result.state.apps[0]?.source).toEqual({ file: "../elsewhere/declaration.txt", line: 2, column: 6 });
  });

  it("returns an empty state for an empty directory", async () => {
    expect(await load(["checkpoints"])).toEqual({
      ok: true,
      state: { apps: [] },
      files: [],
      stats: { files: 0, documents: 0, apps: 0, streams: 0, checkpoints: 0 },
    });
  });

  it("reports a path that does not exist", async () => {
    expect(errorsOf(await load(["checkpoints/prod"]))).toEqual([
      {
        code: "path-not-found",
        file: "checkpoints/prod",
        line: 1,
        column: 1,
        message: "no such file or directory: give an existing declarations file or directory",
      },
    ]);
  });

  it("reports the errors of every file at once, ordered by file, line and column", async () => {
    await write("checkpoints/b.yaml", 'version: 1\napp: "b b"\nstreams:\n  orders:\n    partitions:\n      0: "-1"\n');
    await write("checkpoints/a.yaml", "version: 2\n");
    expect(errorsOf(await load(["checkpoints"])).map(({ file, line, column, code }) => [file, line, column, code])).toEqual([
      ["checkpoints/a.yaml", 1, 10, "unsupported-version"],
      ["checkpoints/b.yaml", 2, 6, "invalid-app-name"],
      ["checkpoints/b.yaml", 6, 10, "invalid-sequence-number"],
    ]);
  });
});

describe("loadDeclarations: refusing hostile files before parsing", () => {
  it("refuses a file over 4 MiB, and parses one of exactly 4 MiB", async () => {
    await write("checkpoints/at-limit.yaml", `#${"x".repeat(MAX_FILE_BYTES - 1)}`);
    await write("checkpoints/over-limit.yaml", `#${"x".repeat(MAX_FILE_BYTES)}`);
    expect(errorsOf(await load(["checkpoints"]))).toEqual([
      {
        code: "empty-file",
        file: "checkpoints/at-limit.yaml",
        line: 1,
        column: 1,
        message: "the file holds no declaration: write version, app and streams, or delete the file",
      },
      {
        code: "file-too-large",
        file: "checkpoints/over-limit.yaml",
        line: 1,
        column: 1,
        message: "the file is 4194305 bytes; declaration files may be at most 4194304 bytes (4 MiB): split it into several files",
      },
    ]);
  });

  it("locates the first byte that is not UTF-8, in characters on its line", async () => {
    const text = Buffer.concat([Buffer.from('version: 1\napp: "café-'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]);
    await write("checkpoints/latin1.yaml", text);
    expect(errorsOf(await load(["checkpoints"]))).toEqual([
      {
        code: "invalid-utf8",
        file: "checkpoints/latin1.yaml",
        line: 2,
        column: 12,
        message: "the file is not valid UTF-8 (byte 0xc3 at byte offset 23): save it as UTF-8",
      },
    ]);
  });

  it("ignores a UTF-8 byte order mark: positions are those an editor shows", async () => {
    await write("checkpoints/bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("version: 3\n")]));
    expect(errorsOf(await load(["checkpoints"]))).toMatchObject([{ code: "unsupported-version", line: 1, column: 10 }]);
  });
});

describe("loadDeclarations: symbolic links", () => {
  it("refuses a link to a declaration file outside the directory given", async () => {
    await fs.writeFile(path.join(outside, "stray.yaml"), declaration("stray"));
    await fs.symlink(path.join(outside, "stray.yaml"), path.join(root, "checkpoints", "stray.yaml"));
    expect(errorsOf(await load(["checkpoints"]))).toEqual([
      {
        code: "symlink-outside",
        file: "checkpoints/stray.yaml",
        line: 1,
        column: 1,
        message:
          "this symbolic link leads outside checkpoints: declarations must live inside the directory given; copy the file in or give its path explicitly",
      },
    ]);
  });

  it("refuses a link to a directory outside, and one that climbs out with ..", async () => {
    await fs.symlink(outside, path.join(root, "checkpoints", "shared"));
    await fs.symlink("../../elsewhere", path.join(root, "checkpoints", "up"));
    expect(errorsOf(await load(["checkpoints"])).map(({ file, code }) => [file, code])).toEqual([
      ["checkpoints/shared", "symlink-outside"],
      ["checkpoints/up", "symlink-outside"],
    ]);
  });

  it("ignores links to non-declaration files, wherever they lead", async () => {
    await fs.writeFile(path.join(outside, "README.md"), "docs");
    await fs.symlink(path.join(outside, "README.md"), path.join(root, "checkpoints", "README.md"));
    expect(await load(["checkpoints"])).toMatchObject({ ok: true, files: [] });
  });

  it("follows links that stay inside, under the link's own name, and ends link loops", async () => {
    await write("checkpoints/real/app.txt", declaration("linked"));
    await fs.symlink("real/app.txt", path.join(root, "checkpoints", "alias.yaml"));
    await fs.symlink("..", path.join(root, "checkpoints", "real", "loop"));
    const result = await load(["checkpoints"]);
    expect(result.ok && result.files).toEqual(["checkpoints/alias.yaml"]);
  });

  it("reads a file reached by two names twice, so its declarations are reported as duplicates", async () => {
    await write("checkpoints/app.yaml", declaration("linked"));
    await fs.symlink("app.yaml", path.join(root, "checkpoints", "same.yaml"));
    expect(errorsOf(await load(["checkpoints"]))).toEqual([
      {
        code: "duplicate-stream",
        file: "checkpoints/same.yaml",
        line: 4,
        column: 3,
        message: "stream orders of app linked is already declared at checkpoints/app.yaml:4:3: declare each app and stream once",
      },
    ]);
  });

  it("follows a link inside the directory to a directory inside it", async () => {
    await write("checkpoints/prod/app.yaml", declaration("linked"));
    await fs.symlink("prod", path.join(root, "checkpoints", "current"));
    const result = await load(["checkpoints/current"]);
    expect(result.ok && result.files).toEqual(["checkpoints/current/app.yaml"]);
  });

  it("reports a broken link to a declaration file", async () => {
    await fs.symlink("missing.yaml", path.join(root, "checkpoints", "broken.yaml"));
    expect(errorsOf(await load(["checkpoints"]))).toEqual([
      {
        code: "read-failed",
        file: "checkpoints/broken.yaml",
        line: 1,
        column: 1,
        message: "cannot follow this symbolic link (ENOENT)",
      },
    ]);
  });
});
