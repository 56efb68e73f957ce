/** The pure core: text in, a normalised state or every error out. Hostile input never throws or hangs. */
import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random";
import { DECLARATION_ERROR_CODES, MAX_NESTING_DEPTH, parseDeclarations, type ParseResult } from "../../src/desired";

const VALID = 'version: 1\napp: orders-consumer\nstreams:\n  orders:\n    partitions:\n      0: "120"\n';

function errorRows(result: ParseResult): [string, number, number, string][] {
  if (result.ok) throw new Error("expected errors, got a valid state");
  return result.errors.map(({ file, line, column, code }) => [file, line, column, code]);
}

describe("parseDeclarations", () => {
  it("names the first declaration in the order files are given", () => {
    const a = { path: "a.yaml", text: VALID };
    const b = { path: "b.yaml", text: `# comment\n${VALID}` };
    expect(parseDeclarations([b, a])).toMatchObject({
      ok: false,
      errors: [{ file: "a.yaml", line: 4, column: 3, code: "duplicate-stream", message: expect.stringContaining("at b.yaml:5:3") }],
    });
  });

  it("reports every mistake in a document at once, in line order", () => {
    const text = 'version: 1\napp: "a b"\nstreams:\n  orders:\n    partitions:\n      x: "1"\n      1: "-1"\n    onDelete: never\n    colour: red\n';
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text }]))).toEqual([
      ["f.yaml", 2, 6, "invalid-app-name"],
      ["f.yaml", 6, 7, "invalid-partition-id"],
      ["f.yaml", 7, 10, "invalid-sequence-number"],
      ["f.yaml", 8, 15, "invalid-on-delete"],
      ["f.yaml", 9, 5, "unknown-key"],
    ]);
  });

  it("still explains the first of two equal keys, and the siblings of a key it cannot read", () => {
    const text = 'version: 1\napp: a\nstreams:\n  orders:\n    partitions:\n      0: "x"\n      0: "1"\n      ? [a]\n      : "2"\n      1: "-1"\n';
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text }]))).toEqual([
      ["f.yaml", 6, 10, "invalid-sequence-number"],
      ["f.yaml", 7, 7, "duplicate-key"],
      ["f.yaml", 8, 9, "non-scalar-key"],
      ["f.yaml", 10, 10, "invalid-sequence-number"],
    ]);
  });

  it("locates errors identically with CRLF line endings", () => {
    const lf = 'version: 1\napp: orders-consumer\nstreams:\n  orders:\n    partitions:\n      0: "x"\n';
    const crlf = lf.replace(/\n/g, "\r\n");
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text: crlf }]))).toEqual([["f.yaml", 6, 10, "invalid-sequence-number"]]);
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text: lf }]))).toEqual([["f.yaml", 6, 10, "invalid-sequence-number"]]);
  });

  it("skips a document in a syntax error, but still checks the others", () => {
    const text = `${VALID}---\nversion: 1\napp: [unclosed\n---\nversion: 1\napp: billing\nstreams:\n  payments:\n    partitions:\n      0: "-2"\n`;
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text }]))).toEqual([
      ["f.yaml", 10, 1, "yaml-syntax"],
      ["f.yaml", 16, 10, "invalid-sequence-number"],
    ]);
  });

  it("uses the fewest messages for a document of an unknown version: that one only", () => {
    const text = "version: 3\napp: 5\nstreams: oops\nwhatever: true\n";
    expect(errorRows(parseDeclarations([{ path: "f.yaml", text }]))).toEqual([["f.yaml", 1, 10, "unsupported-version"]]);
  });
});

describe("parseDeclarations: hostile input", () => {
  it("refuses an alias bomb without expanding it", () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let level = 1; level < 9; level++) {
      const alias = `*${String.fromCharCode(96 + level)}`;
      lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(alias).join(", ")}]`);
    }
    const result = parseDeclarations([{ path: "bomb.yaml", text: `${lines.join("\n")}\n` }]);
    const rows = errorRows(result).filter(([, , , code]) => code === "anchor-or-alias");
    expect(rows).toHaveLength(9 + 8 * 9);
    expect(rows.slice(0, 2)).toEqual([
      ["bomb.yaml", 1, 4, "anchor-or-alias"],
      ["bomb.yaml", 2, 4, "anchor-or-alias"],
    ]);
  });

  it.each([
    ["flow brackets", 1_000_000, (n: number) => `streams: ${"[".repeat(n)}${"]".repeat(n)}\n`],
    ["flow mappings", 500_000, (n: number) => `streams: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`],
    ["compact sequences", 1_000_000, (n: number) => `streams:\n${"- ".repeat(n)}x\n`],
    ["explicit keys", 1_000_000, (n: number) => `streams:\n${"? ".repeat(n)}x\n`],
    ["indentation", 2_000, (n: number) => Array.from({ length: n }, (_, level) => `${" ".repeat(level)}k:`).join("\n") + "\n"],
  ])("refuses %s nested past the limit before parsing, at the exact place", (_kind, hugeDepth, nest) => {
    const deepest = (text: string) => errorRows(parseDeclarations([{ path: "deep.yaml", text }])).filter(([, , , code]) => code === "nesting-too-deep");
    // Find the smallest nesting that is refused: everything below it is handed to the parser.
    const limit = Array.from({ length: MAX_NESTING_DEPTH + 2 }, (_, n) => n).find((n) => deepest(nest(n)).length > 0);
    expect(limit).toBeDefined();
    expect(limit).toBeLessThanOrEqual(MAX_NESTING_DEPTH);
    expect(limit).toBeGreaterThanOrEqual(MAX_NESTING_DEPTH - 2);
    expect(deepest(nest((limit ?? 0) - 1))).toEqual([]);
    // And megabytes of it are refused at the same place.
    expect(deepest(nest(hugeDepth))).toEqual(deepest(nest(limit ?? 0)));
  });

  it("never throws on mangled declarations, and every error has a known code and a position", () => {
    const next = seededRandom(20261120);
    const alphabet = ['"', "'", ":", "-", "[", "]", "{", "}", "&", "*", "!", "#", "|", ">", "\n", " ", "\t", "0", "9", "%", "?", ",", "\\", "\u00e9", "\ufeff"];
    for (let round = 0; round < 400; round++) {
      const chars = [...VALID];
      for (let edit = 0; edit < 1 + Math.floor(next() * 4); edit++) {
        const at = Math.floor(next() * chars.length);
        const char = alphabet[Math.floor(next() * alphabet.length)] ?? "";
        if (next() < 0.5) chars.splice(at, 1);
        else chars.splice(at, 0, char);
      }
      const result = parseDeclarations([{ path: "m.yaml", text: chars.join("") }]);
      if (result.ok) continue;
      for (const error of result.errors) {
        expect(Object.keys(DECLARATION_ERROR_CODES)).toContain(error.code);
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.column).toBeGreaterThanOrEqual(1);
        expect(error.message).not.toMatch(/^\s*$/);
      }
    }
  });
});
