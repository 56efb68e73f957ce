/**
 * The fast block-mapping reader must be indistinguishable from the general YAML path: whenever it reads a
 * file, it gives exactly what the general path gives (values, every source offset, line starts); whenever
 * the file holds anything else, it declines and the general path decides.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random";
import { renderDeclarations } from "../../src/desired";
import { readBlockMappings } from "../../src/desired/block-mappings";
import { countLines, readWithYamlParser, type SourceFile } from "../../src/desired/yaml-source";

const repository = path.resolve(__dirname, "../..");

function comparable(file: SourceFile) {
  return { documents: file.documents, problems: file.problems, lineStarts: file.lineCounter.lineStarts };
}

/** The fast reader's result (undefined when it declines), after checking it against the general path. */
function readBoth(text: string): SourceFile | undefined {
  const fast = readBlockMappings(text, countLines(text));
  if (fast !== undefined) expect(comparable(fast), JSON.stringify(text)).toEqual(comparable(readWithYamlParser(text, countLines(text))));
  return fast;
}

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const entry = path.join(directory, name);
    if (statSync(entry).isDirectory()) return yamlFilesUnder(entry);
    return /\.ya?ml$/.test(name) ? [entry] : [];
  });
}

describe("readBlockMappings", () => {
  it("reads every valid fixture and example declaration exactly as the general path does", () => {
    const files = [
      ...yamlFilesUnder(path.join(repository, "test/fixtures/valid")),
      ...yamlFilesUnder(path.join(repository, "checkpoints")),
    ];
    expect(files.length).toBeGreaterThan(5);
    const declined = files.filter((file) => readBoth(readFileSync(file, "utf8")) === undefined);
    // These two use flow mappings, "...", escapes and multi-line scalars on purpose.
    expect(declined.map((file) => path.relative(repository, file))).toEqual([
      "test/fixtures/valid/edge-values.yaml",
      "test/fixtures/valid/multi-document.yaml",
    ]);
  });

  it("declines every invalid fixture with a YAML-level problem, and reads the others it reads exactly", () => {
    const files = yamlFilesUnder(path.join(repository, "test/fixtures/invalid"));
    expect(files.length).toBeGreaterThanOrEqual(40);
    const read: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const general = readWithYamlParser(text, countLines(text));
      const fast = readBoth(text);
      // Problems found while reading YAML (duplicate keys, empty documents, aliases …) are the general path's to report.
      if (general.problems.length > 0) expect(fast, path.basename(file)).toBeUndefined();
      if (fast !== undefined) read.push(path.basename(file));
    }
    // Files whose mistakes only the schema sees are plain YAML: the fast reader takes them (compared above).
    expect(read).toContain("unknown-key-root-typo.yaml");
    expect(read).toContain("sequence-number-negative-string.yaml");
    expect(read.length).toBeGreaterThan(10);
  });

  it.each([
    ["a mapping nested under a key with a comment", 'a: # why\n  b: "c"\n'],
    ["comments at any indentation and blank lines", "# top\na:\n\n    # deep\n  b: 1\n# between\nc: 2\n"],
    ["comments holding tabs and carriage returns", "# a\tb\r\na: 1 # c\td\n"],
    ["CRLF line ends", 'a:\r\n  b: "x"\r\n\r\n  c: y # z\r\n---\r\nd:\r\n'],
    ["a key with no value before a sibling", "a:\nb: x\n"],
    ["a key with no value at the end of the file", "a: 1\nb:"],
    ["the core schema's booleans and nulls", "a: true\nb: False\nc: NULL\nd: yes\ne: no\nf: on\ng: NaN\nh: inf\n"],
    ["quoted strings, empty and with spaces, #, : and non-ASCII", "a: \"\"\nb: ''\nc: \" x # y: z \"\nd: 'caf\u00e9 \u2603'\n"],
    ["documents started and separated by ---", "# head\n---\na: 1\n--- # second\nb: 2\n---\nc: 3\n"],
    ["canonical integers up to 2^53 - 1", "a: 0\nb: 9007199254740991\n"],
    ["keys that look like other types", "0: a\ntrue: b\nnull: c\nshardId-0000000001: d\n_x-: e\n"],
  ])("reads %s", (_name, text) => {
    expect(readBoth(text)).toBeDefined();
  });

  it.each([
    ["an empty file", ""],
    ["a file of comments only", "# nothing\n\n"],
    ["an empty document between separators", "a: 1\n---\n---\nb: 2\n"],
    ["an empty document at the end", "a: 1\n---\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["the key __proto__", "__proto__: 1\n"],
    ["an unquoted integer above 2^53 - 1", "a: 9007199254740992\n"],
    ["leading zeros, signs, fractions, exponents and hex", "a: 007\n"],
    ["a negative number", "a: -1\n"],
    ["an exponent", "a: 1e3\n"],
    ["a hexadecimal number", "a: 0x1f\n"],
    ["a fraction", "a: 1.5\n"],
    ["a tilde null", "a: ~\n"],
    ["a double-quoted escape", 'a: "x\\ny"\n'],
    ["a single-quoted escaped quote", "a: 'it''s'\n"],
    ["a quoted string over several lines", 'a: "x\n  y"\n'],
    ["a plain scalar over several lines", "a: x\n  y\n"],
    ["a comment touching a value", 'a: "x"#c\n'],
    ["a plain value with a #", "a: x#y\n"],
    ["a quoted key", '"a": 1\n'],
    ["a space before the colon", "a : 1\n"],
    ["no space after the colon", "a:1\n"],
    ["a flow mapping", "a: {b: 1}\n"],
    ["a list", "a:\n  - 1\n"],
    ["a block scalar", "a: |\n  x\n"],
    ["an anchor and an alias", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a tab", "a:\t1\n"],
    ["a carriage return that does not end a line", "a: 1\rb: 2\n"],
    ["a byte order mark", "\ufeffa: 1\n"],
    ["an indented root", "  a: 1\n"],
    ["a line indented deeper than its siblings", "a:\n  b: 1\n    c: 2\n"],
    ["a line between two indentation levels", "a:\n    b: 1\n  c: 2\n"],
    ["a key longer than YAML allows an implicit key", `${"k".repeat(1001)}: 1\n`],
    ["nesting deeper than any declaration", Array.from({ length: 9 }, (_, depth) => `${"  ".repeat(depth)}k${depth}:`).join("\n") + " 1\n"],
    ["a control character in a quoted string", 'a: "x\u0007"\n'],
  ])("declines %s", (_name, text) => {
    expect(readBlockMappings(text, countLines(text))).toBeUndefined();
  });

  it("reads the renderer's output", () => {
    const text = renderDeclarations({
      name: "orders-consumer",
      streams: [
        {
          name: "orders",
          partitions: [
            { ordinal: 0, sequenceNumber: "1520" },
            { ordinal: 1, sequenceNumber: "9223372036854775807", metadata: "replay after INC-4211" },
          ],
          allowSkip: true,
          onDelete: "delete",
          revision: 3,
        },
      ],
    });
    expect(readBoth(text)).toBeDefined();
  });

  it("agrees with the general path on 5,000 generated near-declarations", () => {
    const random = seededRandom(20261128);
    const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)] as T;
    // Mostly what declarations hold, sometimes something only the general path reads.
    const pickMostly = <T>(usual: readonly T[], unusual: readonly T[]): T => pick(random() < 0.9 ? usual : unusual);
    const usualKeys = ["version", "app", "streams", "orders", "partitions", "0", "7", "12", "shardId-0000000003", "metadata", "sequenceNumber", "allowSkip", "a", "b"];
    const unusualKeys = ["true", "null", "_", "x-y", "0x1", "1e3", "-a", "a b", "__proto__", '"q"', "k ", "a", "0"];
    const usualScalars = ['"1520"', '"0"', "1", "0", "orders", "true", "replay after INC-4211", '"café"', "12", "delete", "'x'", '""'];
    const unusualScalars = [
      "-1", "007", "1.5", "1e3", "0o7", "0x1F", "9007199254740991", "9007199254740992", "true", "True", "TRUE", "tRue", "yes",
      "null", "Null", "~", "NaN", ".nan", ".inf", "orders", "a-b", "a_b", "-", "a:b", "a: b", "a#b", "a #b", '""', "''", '"1520"', "'1520'",
      '"a\\"b"', "'it''s'", '"café"', '"\u2028"', '"\u0085"', '"\u00a0"', '"x\u0001"', '"tab\t"', "[1]", "{}", "&a 1", "*a", "!!str 1", "|", ">",
      '"open', "'open", '"x" y', '"x"  # note', "plain # note", "x\u00e9", "replay after INC-4211", "a, b; c (d) [e] {f} 'g' \"h\" !i ?j %k @l `m` *n &o |p >q",
      "trailing   ", "x\u2028y", "1 2", "true story", "null and void", "a\u00a0b", "-x", "?x", ":x", "@x", "%x", "x\u007f",
    ];
    const keys = () => pickMostly(usualKeys, unusualKeys);
    const scalars = () => pickMostly(usualScalars, unusualScalars);
    let read = 0;
    const cases = 5000;
    for (let index = 0; index < cases; index++) {
      const unit = pick([2, 2, 2, 4, 1, 3]);
      const lines: string[] = [];
      let depth = 0;
      let opened = false;
      const count = 1 + Math.floor(random() * 12);
      for (let line = 0; line < count; line++) {
        depth = Math.floor(random() * (depth + (opened ? 2 : 1)));
        const indent = " ".repeat(depth * unit + (random() < 0.02 ? 1 : 0));
        const roll = random();
        opened = false;
        if (roll < 0.04) lines.push(pickMostly(["---", "--- # x"], ["...", "---x", "--- a: 1", "%YAML 1.2"]));
        else if (roll < 0.1) lines.push(`${indent}${pickMostly(["# c", "#", "", "  "], ["#\u0007", "#\u00e9"])}`);
        else if (roll < 0.4) {
          lines.push(`${indent}${keys()}:${pickMostly(["", " # c", "  "], [" ", "#c"])}`);
          opened = true;
        } else lines.push(`${indent}${keys()}:${pickMostly([" ", "  "], [""])}${scalars()}${pickMostly(["", " ", " # c"], ["#c"])}`);
      }
      const text = lines.join(pickMostly(["\n", "\n\n", "\r\n"], ["\r", "\r\r\n"])) + pick(["", "\n", "\r\n"]);
      if (readBoth(text) !== undefined) read++;
    }
    // The generator must reach the subset often enough for the comparison to mean something.
    expect(read).toBeGreaterThan(cases / 6);
  });
});
