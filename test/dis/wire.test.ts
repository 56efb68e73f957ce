import { describe, expect, it } from "vitest";
import { parseBracketRange, parseJsonExact, quoteLargeIntegers, ResponseFormatError, wireOffset, wireSequenceNumber } from "../../src/dis/wire";

describe("quoteLargeIntegers / parseJsonExact", () => {
  it.each([
    ['{"a":1}', '{"a":1}'],
    ['{"a":9007199254740991}', '{"a":9007199254740991}'],
    ['{"a":9007199254740993}', '{"a":"9007199254740993"}'],
    ['{"a":9223372036854775807,"b":-9223372036854775808}', '{"a":"9223372036854775807","b":"-9223372036854775808"}'],
    ['[12345678901234567890, 1.5e300, 0.1234567890123456789]', '["12345678901234567890", 1.5e300, 0.1234567890123456789]'],
    ['{"s":"9223372036854775807 stays in its string","t":"\\"9223372036854775807\\""}', '{"s":"9223372036854775807 stays in its string","t":"\\"9223372036854775807\\""}'],
    ['{"k9223372036854775807":9223372036854775807}', '{"k9223372036854775807":"9223372036854775807"}'],
    ['{"a":12345678901234567}', '{"a":"12345678901234567"}'],
  ])("%s", (input, expected) => {
    expect(quoteLargeIntegers(input)).toBe(expected);
  });

  it("keeps every digit of a bare 2^63-1", () => {
    expect(parseJsonExact('{"sequence_number":9223372036854775807,"n":5}')).toEqual({ sequence_number: "9223372036854775807", n: 5 });
  });

  it("reports invalid JSON as a response format error", () => {
    expect(() => parseJsonExact("<html>")).toThrow(ResponseFormatError);
    expect(() => parseJsonExact("<html>")).toThrow(/^the response is not valid JSON \(/);
  });
});

describe("wireSequenceNumber", () => {
  it.each<[unknown, string | null]>([
    ["0", "0"],
    ["12345", "12345"],
    [12345, "12345"],
    ["9223372036854775807", "9223372036854775807"],
    ["007", "7"],
    [" 5 ", "5"],
    ["-1", null],
    [-1, null],
    ["", null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (value, expected) => {
    expect(wireSequenceNumber(value, "sequence_number")).toBe(expected);
  });

  it.each<[unknown, string]>([
    ["9223372036854775808", 'sequence_number is "9223372036854775808", not a sequence number from 0 to 9223372036854775807'],
    ["12a", 'sequence_number is "12a", not a sequence number from 0 to 9223372036854775807'],
    ["1.5", 'sequence_number is "1.5", not a sequence number from 0 to 9223372036854775807'],
    [1.5, "sequence_number is 1.5, not an exact integer"],
    [2 ** 60, "sequence_number is 1152921504606847000, not an exact integer"],
    [true, "sequence_number is true, not a sequence number"],
    [{}, "sequence_number is {}, not a sequence number"],
  ])("%j is refused", (value, message) => {
    expect(() => wireSequenceNumber(value, "sequence_number")).toThrow(new ResponseFormatError(message));
  });
});

describe("wireOffset", () => {
  it.each<[unknown, string]>([
    [0, "0"],
    ["1658297359", "1658297359"],
    [1658297359, "1658297359"],
  ])("%j → %s", (value, expected) => {
    expect(wireOffset(value, "latest_offset")).toBe(expected);
  });

  it.each<[unknown]>([[null], [undefined], ["-1"], [-1], [""]])("%j is refused", (value) => {
    expect(() => wireOffset(value, "latest_offset")).toThrow(ResponseFormatError);
  });
});

describe("parseBracketRange", () => {
  it.each<[unknown, { low: string; high: string } | null]>([
    ["[0 : 9223372036854775807]", { low: "0", high: "9223372036854775807" }],
    ["[0 : 4611686018427387902]", { low: "0", high: "4611686018427387902" }],
    ["[4611686018427387903 : 9223372036854775807]", { low: "4611686018427387903", high: "9223372036854775807" }],
    ["[0 : 0]", { low: "0", high: "0" }],
    ["[289911 : 289927]", { low: "289911", high: "289927" }],
    ["[1:2]", { low: "1", high: "2" }],
    ["  [ 1  :  2 ]  ", { low: "1", high: "2" }],
    ["[007 : 010]", { low: "7", high: "10" }],
    ["[null : null]", null],
    ["[null : 5]", null],
    ["[3 : null]", null],
    ["", null],
    ["null", null],
    ["-", null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (value, expected) => {
    expect(parseBracketRange(value, "sequence_number_range")).toEqual(expected);
  });

  it.each<[unknown, string]>([
    ["[1 : x]", 'sequence_number_range is "[1 : x]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[1 : 2", 'sequence_number_range is "[1 : 2", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[1 2]", 'sequence_number_range is "[1 2]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[1 : 2 : 3]", 'sequence_number_range is "[1 : 2 : 3]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[-1 : 2]", 'sequence_number_range is "[-1 : 2]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[1.5 : 2]", 'sequence_number_range is "[1.5 : 2]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    ["[5 : 2]", 'sequence_number_range is "[5 : 2]": its low end exceeds its high end'],
    ["[0 : 9223372036854775808]", 'sequence_number_range is "[0 : 9223372036854775808]", expected "[<low> : <high>]" with bounds from 0 to 9223372036854775807'],
    [12, "sequence_number_range is 12, not a range string"],
  ])("%j is refused", (value, message) => {
    expect(() => parseBracketRange(value, "sequence_number_range")).toThrow(new ResponseFormatError(message));
  });
});
