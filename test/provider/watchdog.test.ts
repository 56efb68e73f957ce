import { describe, expect, it } from "vitest";
import { parseStat } from "../../src/provider/watchdog";

describe("parseStat", () => {
  it.each([
    ["1234 (pulumi) S 1200 1234 1200 0 -1", { command: "pulumi", state: "S", parent: 1200 }],
    ["77 (node) R 76 77 1 0", { command: "node", state: "R", parent: 76 }],
    ["88 (a (b) c) Z 1 88", { command: "a (b) c", state: "Z", parent: 1 }],
    ["99 (with space) S 5 99", { command: "with space", state: "S", parent: 5 }],
  ])("%s", (stat, parsed) => {
    expect(parseStat(stat)).toEqual(parsed);
  });

  it.each([[""], ["12 pulumi S 1"], ["12 (pulumi) S"], ["12 (pulumi) S x"]])("refuses %j", (stat) => {
    expect(parseStat(stat)).toBeUndefined();
  });
});
