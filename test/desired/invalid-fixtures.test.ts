/**
 * The invalid corpus: one mistake per fixture, each with the exact errors it must produce (test/fixtures/invalid-corpus.ts). Every entry in
 * test/fixtures/invalid must appear here, so no fixture goes unchecked.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeclarations } from "../../src/desired";
import { INVALID_CORPUS } from "../fixtures/invalid-corpus";

const FIXTURES = path.join(__dirname, "..", "fixtures", "invalid");

describe("invalid declarations", () => {
  it("has a table entry for every fixture, and at least 40 of them", () => {
    expect(INVALID_CORPUS.map(([fixture]) => fixture).sort()).toEqual(readdirSync(FIXTURES).sort());
    expect(INVALID_CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(INVALID_CORPUS)("%s", async (fixture, expected) => {
    const result = await loadDeclarations([fixture], { cwd: FIXTURES });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map(({ file, line, column, code, message }) => [file, line, column, code, message])).toEqual(expected);
  });
});
