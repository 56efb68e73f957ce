import { describe, expect, it } from "vitest";
import { parseInstant } from "../../src/replay";

const NOW = Date.parse("2026-11-20T12:00:00.000Z");

describe("parseInstant", () => {
  it.each([
    ["2026-11-20T10:00:00+08:00", "2026-11-20T02:00:00.000Z"],
    ["2026-11-20T02:00:00Z", "2026-11-20T02:00:00.000Z"],
    ["2026-11-20t02:00:00z", "2026-11-20T02:00:00.000Z"],
    ["2026-11-20 02:00:00-01:30", "2026-11-20T03:30:00.000Z"],
    ["2026-11-20T02:00:00.123456789Z", "2026-11-20T02:00:00.123Z"],
    ["2026-11-20T12:00:00Z", "2026-11-20T12:00:00.000Z"],
    ["6h", "2026-11-20T06:00:00.000Z"],
    ["90m", "2026-11-20T10:30:00.000Z"],
    ["2d", "2026-11-18T12:00:00.000Z"],
    ["1h30m", "2026-11-20T10:30:00.000Z"],
    ["45s", "2026-11-20T11:59:15.000Z"],
    [" 6h ", "2026-11-20T06:00:00.000Z"],
  ])("%s is %s", (text, expected) => {
    const result = parseInstant(text, NOW);
    expect(result).toEqual({ ok: true, ms: Date.parse(expected) });
  });

  const usage = "give an RFC 3339 time with its offset (e.g. 2026-11-20T10:00:00+08:00 or 2026-11-20T02:00:00Z) or a duration ago (6h, 90m, 2d)";
  it.each([
    ["2026-11-20T10:00:00", "2026-11-20T10:00:00 has no time-zone offset: add one (Z for UTC, or e.g. +08:00); the zone is never guessed"],
    ["2026-11-21T00:00:00Z", "2026-11-21T00:00:00Z is in the future (now is 2026-11-20T12:00:00.000Z): there is nothing to replay from there yet"],
    ["2026-11-20T12:00:00.001Z", "2026-11-20T12:00:00.001Z is in the future (now is 2026-11-20T12:00:00.000Z): there is nothing to replay from there yet"],
    ["2026-02-30T10:00:00Z", `2026-02-30T10:00:00Z is not a valid calendar time: ${usage}`],
    ["2026-11-20T24:00:00Z", `2026-11-20T24:00:00Z is not a valid calendar time: ${usage}`],
    ["yesterday", `cannot read "yesterday" as a time: ${usage}`],
    ["6", `cannot read "6" as a time: ${usage}`],
    ["6hours", `cannot read "6hours" as a time: ${usage}`],
    ["-6h", `cannot read "-6h" as a time: ${usage}`],
    ["", `cannot read "" as a time: ${usage}`],
    ["0h", "duration 0h is zero: give how long ago, e.g. 6h, 90m, 2d or 1h30m"],
    ["1700000000000", `cannot read "1700000000000" as a time: ${usage}`],
  ])("%s is refused", (text, message) => {
    expect(parseInstant(text, NOW)).toEqual({ ok: false, message });
  });
});
