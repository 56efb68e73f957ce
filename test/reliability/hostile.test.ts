/**
 * Hostile declarations through `dis-checkpoints preview` and `up`: the invalid corpus, and files built to hurt
 * a parser or escape the checkpoints directory. Each is refused with the file:line:col errors written out
 * below (not asked of the loader under test), and the run fails before the program reads anything: the
 * emulator sees no request at all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID_CORPUS } from "../fixtures/invalid-corpus";
import { STACK, STACK_TRACE, startWorld, type World } from "../support/world";

const CORPUS = path.join(__dirname, "..", "fixtures", "invalid");
const VALID = `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "1"\n`;
/** The size limit of a declaration file. */
const FOUR_MIB = 4 * 1024 * 1024;
const NOTHING_COMMITTED = "Nothing was committed: fix the declarations above and run again.";

function name(app: string, stream: string): string {
  return `version: 1\napp: ${JSON.stringify(app)}\nstreams:\n  ${JSON.stringify(stream)}:\n    partitions:\n      0: "1"\n`;
}

const BOMB_LEVELS = 9;
const ALIASES_PER_LEVEL = 10;

/** Billion laughs: nine levels of ten aliases each would expand to 10^9 strings if aliases were followed. */
function yamlBomb(): string {
  const lines = ['a0: &a0 "lol"'];
  for (let level = 1; level <= BOMB_LEVELS; level++) lines.push(`a${level}: &a${level} [${Array(ALIASES_PER_LEVEL).fill(`*a${level - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\nversion: 1\napp: billing\nstreams: *a9\n`;
}

const UNKNOWN_KEY = (key: string) => `unknown key "${key}" in the declaration: the keys allowed here are version, app, streams [unknown-key]`;
const NO_ANCHOR = (anchor: string) => `the anchor &${anchor} is not allowed: write every value out where it applies, so reviewers see it [anchor-or-alias]`;
const NO_ALIAS = (alias: string) => `the alias *${alias} is not allowed: write the value out here, so reviewers see it [anchor-or-alias]`;

/**
 * The bomb's refusal, by its layout: line 1 + L holds key aL (an unknown key at column 1) with anchor &aL at
 * column 5 and, from level 1, ten aliases *a(L-1) five columns apart from column 10; `streams: *a9` is line 13.
 */
function bombErrors(file: string): string[] {
  const errors: string[] = [];
  for (let level = 0; level <= BOMB_LEVELS; level++) {
    const line = level + 1;
    errors.push(`${file}:${line}:1: ${UNKNOWN_KEY(`a${level}`)}`, `${file}:${line}:5: ${NO_ANCHOR(`a${level}`)}`);
    for (let alias = 0; level > 0 && alias < ALIASES_PER_LEVEL; alias++) errors.push(`${file}:${line}:${10 + 5 * alias}: ${NO_ALIAS(`a${level - 1}`)}`);
  }
  return [...errors, `${file}:13:10: ${NO_ALIAS("a9")}`];
}

const HOSTILE: Record<string, string | Buffer> = {
  "oversized.yaml": `# ${"x".repeat(FOUR_MIB)}\n`,
  "bomb.yaml": yamlBomb(),
  "deep-flow.yaml": `version: 1\napp: billing\nstreams: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
  "deep-block.yaml": `version: 1\napp: billing\nstreams:\n${Array.from({ length: 200 }, (_, depth) => `${"  ".repeat(depth + 1)}k${depth}:`).join("\n")} 1\n`,
  "not-utf8.yaml": Buffer.concat([Buffer.from("version: 1\napp: bill"), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("ing\nstreams: {}\n")]),
  "path-traversal.yaml": name("../../etc", "orders"),
  "query-injection.yaml": name("billing", "orders?app_name=other&checkpoint_type=LAST_READ"),
  "encoded-slash.yaml": name("billing%2F..%2Fother", "orders"),
  "newline.yaml": name("billing\nX-Injected: 1", "orders"),
  "partition-injection.yaml": `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      "0&partition_id=1": "1"\n`,
};

const INVALID_APP_NAME = 'is not a valid app name: DIS app names are 1–200 letters, digits, "_" or "-" [invalid-app-name]';
const NESTING = "collections nest more than 32 levels deep here; a declaration needs about 6, so this file was not parsed [nesting-too-deep]";

function hostileErrors(dir: string): string[] {
  return [
    `${dir}/escape.yaml:1:1: this symbolic link leads outside checkpoints/test: declarations must live inside the directory given; copy the file in or give its path explicitly [symlink-outside]`,
    ...bombErrors(`${dir}/bomb.yaml`),
    `${dir}/deep-block.yaml:34:66: ${NESTING}`,
    `${dir}/deep-flow.yaml:3:40: ${NESTING}`,
    `${dir}/encoded-slash.yaml:2:6: "billing%2F..%2Fother" ${INVALID_APP_NAME}`,
    `${dir}/newline.yaml:2:6: "billing\\nX-Injected: 1" ${INVALID_APP_NAME}`,
    `${dir}/not-utf8.yaml:2:10: the file is not valid UTF-8 (byte 0xff at byte offset 20): save it as UTF-8 [invalid-utf8]`,
    `${dir}/oversized.yaml:1:1: the file is ${FOUR_MIB + 3} bytes; declaration files may be at most ${FOUR_MIB} bytes (4 MiB): split it into several files [file-too-large]`,
    `${dir}/partition-injection.yaml:6:7: "0&partition_id=1" is not a partition id of stream orders: write the ordinal (0, 1, 2 …) or "shardId-" and exactly 10 digits (shardId-0000000002) [invalid-partition-id]`,
    `${dir}/path-traversal.yaml:2:6: "../../etc" ${INVALID_APP_NAME}`,
    `${dir}/query-injection.yaml:4:3: "orders?app_name=other&checkpoint_type=LAST_READ" is not a valid stream name: DIS stream names are 1–64 letters, digits, "_" or "-" [invalid-stream-name]`,
  ];
}

/**
 * Most fixtures declare stream orders of app orders-consumer. Alone, each is refused for its own mistake
 * (INVALID_CORPUS); loaded together, every one that declares that stream after anchor.yaml (the first, by
 * path) is also refused as a duplicate of it, at the stream's key.
 */
const DECLARED_AFTER_ANCHOR: string[] = [
  "duplicate-key-app.yaml:5:3",
  "duplicate-key-partition.yaml:4:3",
  "duplicate-key-stream-option.yaml:4:3",
  "duplicate-partition-both-id-forms.yaml:4:3",
  "duplicate-stream-across-files/a.yaml:4:3",
  "duplicate-stream-across-files/b.yaml:5:3",
  "duplicate-stream-in-two-documents.yaml:4:3",
  "duplicate-stream-in-two-documents.yaml:11:3",
  "empty-document-between-separators.yaml:4:3",
  "non-scalar-key.yaml:4:3",
  "reserved-key-proto.yaml:4:3",
  "sequence-number-unquoted-above-2-53.yaml:4:3",
  "sequence-number-unquoted-exponent.yaml:4:3",
  "sequence-number-unquoted-hex.yaml:4:3",
  "sequence-number-unquoted-leading-zero.yaml:4:3",
  "yaml-directive.yaml:6:3",
  "yaml-tag.yaml:4:3",
];
/** The errors those duplicates take the place of: a duplicate stream's own contents are not checked further. */
const SUPERSEDED_TOGETHER = new Set(["duplicate-partition-both-id-forms.yaml:8:7", "duplicate-stream-across-files/b.yaml:5:3", "duplicate-stream-in-two-documents.yaml:11:3"]);

function corpusErrors(dir: string): string[] {
  const alone = INVALID_CORPUS.flatMap(([, errors]) =>
    errors.filter(([file, line, column]) => !SUPERSEDED_TOGETHER.has(`${file}:${line}:${column}`)).map(([file, line, column, code, message]) => `${dir}/${file}:${line}:${column}: ${message} [${code}]`),
  );
  const duplicates = DECLARED_AFTER_ANCHOR.map(
    (place) => `${dir}/${place}: stream orders of app orders-consumer is already declared at ${dir}/anchor.yaml:4:3: declare each app and stream once [duplicate-stream]`,
  );
  return [...alone, ...duplicates];
}

/** The declaration errors of a refused run, from the first block of Pulumi's diagnostics that lists them. */
function refusedWith(stdout: string): string[] {
  const diagnostics = stdout.slice(stdout.indexOf("\nDiagnostics:\n")).split("\n");
  const first = diagnostics.findIndex((line) => line.startsWith("    error: "));
  const last = diagnostics.indexOf(`    ${NOTHING_COMMITTED}`, first);
  expect(first, "a refusal in the diagnostics").toBeGreaterThan(0);
  expect(last, "the refusal's last line").toBeGreaterThan(first);
  return diagnostics.slice(first, last).map((line) => line.replace(/^ {4}(error: )?/, ""));
}

describe("hostile declarations are refused before any request", () => {
  let world: World;
  const checkpointsDir = () => path.join(world.project.dir, "checkpoints", STACK);

  beforeAll(async () => {
    world = await startWorld({ seed: { streams: [{ name: "orders", partitions: 2, records: { perPartition: 10 } }], apps: ["billing"] }, declarations: {} });
  });
  afterAll(async () => world?.close());

  async function expectRefusedWithoutRequests(command: "preview" | "up", errors: string[]): Promise<void> {
    const result = await world.dis(command, "--stack", STACK);
    expect(result.code).toBe(1);
    expect(refusedWith(result.stdout).sort()).toEqual([...errors].sort());
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    // The CLI's own line; the errors it repeats after it are asserted in stdout above.
    expect(result.stderr.startsWith(`dis-checkpoints ${command}: pulumi ${command} failed for stack '${STACK}'`)).toBe(true);
    expect(world.takeRequests()).toEqual([]);
  }

  it("the whole invalid corpus at once: every fixture's errors, no request", async () => {
    fs.cpSync(CORPUS, path.join(checkpointsDir(), "corpus"), { recursive: true });
    await expectRefusedWithoutRequests("preview", corpusErrors(`checkpoints/${STACK}/corpus`));
    fs.rmSync(path.join(checkpointsDir(), "corpus"), { recursive: true });
  });

  it("oversized, bomb, deep nesting, non-UTF-8, an escaping symlink and injected names: refused by preview and up, no request", async () => {
    const dir = path.join(checkpointsDir(), "hostile");
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(HOSTILE)) fs.writeFileSync(path.join(dir, file), content);
    // A valid declaration outside the checkpoints directory, reached through a link inside it.
    fs.writeFileSync(path.join(world.project.dir, "outside.yaml"), VALID);
    fs.symlinkSync(path.join("..", "..", "..", "outside.yaml"), path.join(dir, "escape.yaml"));

    const errors = hostileErrors(`checkpoints/${STACK}/hostile`);
    await expectRefusedWithoutRequests("preview", errors);
    await expectRefusedWithoutRequests("up", errors);
  });
});
