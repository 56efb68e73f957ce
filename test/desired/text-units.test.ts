/** The small pure pieces under the loader: UTF-8 positions, "did you mean", the lexical token scan. */
import { describe, expect, it } from "vitest";
import { closestMatch } from "../../src/desired";
import { decodeUtf8, firstInvalidByte } from "../../src/desired/utf8";
import { Lexer } from "yaml";
import { TokenScanner } from "../../src/desired/yaml-source";

describe("firstInvalidByte", () => {
  it.each([
    ["ascii", [0x61, 0x62], 2],
    ["two-byte é", [0xc3, 0xa9], 2],
    ["overlong two-byte lead", [0x61, 0xc0, 0x80], 1],
    ["lone continuation byte", [0x80], 0],
    ["truncated three-byte", [0x61, 0xe2, 0x82], 1],
    ["UTF-16 surrogate encoded", [0xed, 0xa0, 0x80], 0],
    ["overlong three-byte", [0xe0, 0x80, 0x80], 0],
    ["four-byte 😀", [0xf0, 0x9f, 0x98, 0x80], 4],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["invalid lead 0xff", [0x61, 0x62, 0xff], 2],
  ])("%s", (_name, bytes, expected) => {
    expect(firstInvalidByte(Uint8Array.from(bytes))).toBe(expected);
  });

  it("agrees with the platform's strict decoder on random bytes", () => {
    let seed = 7;
    const nextByte = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 256;
    };
    const strict = new TextDecoder("utf-8", { fatal: true });
    for (let round = 0; round < 2000; round++) {
      const bytes = Uint8Array.from({ length: 1 + (round % 12) }, () => (nextByte() < 160 ? nextByte() & 0x7f : nextByte()));
      const invalidAt = firstInvalidByte(bytes);
      const decodes = (part: Uint8Array) => {
        try {
          strict.decode(part);
          return true;
        } catch {
          return false;
        }
      };
      expect(decodes(bytes)).toBe(invalidAt === bytes.length);
      expect(decodes(bytes.subarray(0, invalidAt))).toBe(true);
    }
  });
});

describe("decodeUtf8", () => {
  it("gives the line and the column in characters of the first invalid byte", () => {
    const bytes = Buffer.concat([Buffer.from("a: 1\nb: \"日本"), Buffer.from([0xff]), Buffer.from('"\n')]);
    expect(decodeUtf8(bytes)).toEqual({ ok: false, byteOffset: 15, line: 2, column: 7 });
  });

  it("decodes valid text and drops a byte order mark", () => {
    expect(decodeUtf8(Buffer.from("\ufeffa: é\n"))).toEqual({ ok: true, text: "a: é\n" });
  });
});

describe("closestMatch", () => {
  const KEYS = ["partitions", "allowSkip", "onDelete", "revision"];
  it.each([
    ["partition", "partitions"],
    ["allowskip", "allowSkip"],
    ["allow_skip", "allowSkip"],
    ["on-delete", "onDelete"],
    ["revison", "revision"],
    ["owner", undefined],
    ["re", undefined],
    ["x".repeat(100_000), undefined],
  ])("%s → %s", (word, expected) => {
    expect(closestMatch(word, KEYS)).toBe(expected);
  });

  it("suggests nothing for a short word two edits away", () => {
    expect(closestMatch("ab", ["cd"])).toBeUndefined();
  });
});

/** Feeds a text's tokens to a scanner until it refuses one, as the loader does. */
function scanTokens(text: string): TokenScanner {
  const scanner = new TokenScanner();
  for (const token of new Lexer().lex(text)) if (!scanner.step(token)) break;
  return scanner;
}

describe("TokenScanner", () => {
  it.each([
    ["plain YAML", 'a: "&not *an !alias"\nb: [1, {c: 2}] # &comment\n', []],
    ["an anchor", "a: &x 1\n", [["anchor-or-alias", 3]]],
    ["an alias", "a: *x\n", [["anchor-or-alias", 3]]],
    ["a tag", "a: !!int 1\n", [["yaml-tag", 3]]],
    ["a directive", "%TAG ! tag:example.com,2000:\n---\na: 1\n", [["yaml-directive", 0]]],
  ])("%s", (_name, text, expected) => {
    expect(scanTokens(text).problems.map(({ code, offset }) => [code, offset])).toEqual(expected);
    expect(scanTokens(text).tooDeepAt).toBeUndefined();
  });

  it("does not count brackets inside quoted or plain scalars, comments or block scalars as nesting", () => {
    const brackets = "[".repeat(100);
    const text = `a: "${brackets}"\nb: x${brackets}\n# ${brackets}\nc: |\n  ${brackets}\n`;
    const scanner = scanTokens(text);
    expect([scanner.problems, scanner.tooDeepAt]).toEqual([[], undefined]);
  });

  it("stops at the first token past the nesting limit", () => {
    const text = `a: ${"[".repeat(40)}`;
    // `a:` is two levels (the mapping and its value); brackets 1…30 stay within 32, the 31st does not.
    expect(scanTokens(text).tooDeepAt).toBe(3 + 30);
  });
});
