import { describe, expect, it } from "vitest";
import {
  checkAppName,
  checkCursorArguments,
  checkMetadata,
  checkPositiveInteger,
  checkSequenceNumber,
  checkStreamName,
  type CursorArguments,
} from "../../src/dis/arguments";
import { DisInputError } from "../../src/dis/errors";
import { caught } from "./helpers/caught";

function refusal(run: () => unknown): { field: string; message: string } {
  const error = caught(run);
  expect(error).toBeInstanceOf(DisInputError);
  return { field: (error as DisInputError).field, message: error.message };
}

describe("names", () => {
  it.each(["a", "orders-consumer", "A_1-b", "x".repeat(200)])("app %j is accepted", (name) => {
    expect(checkAppName(name)).toBe(name);
  });

  it.each(["", "a b", "a/b", "é", "x".repeat(201)])("app %j is refused", (name) => {
    expect(refusal(() => checkAppName(name))).toEqual({
      field: "app",
      message: `invalid app name ${JSON.stringify(name)}: use 1 to 200 letters, digits, '_' or '-'`,
    });
  });

  it("stream names stop at 64 characters", () => {
    expect(checkStreamName("s".repeat(64))).toBe("s".repeat(64));
    expect(refusal(() => checkStreamName("s".repeat(65))).message).toBe(
      `invalid stream name "${"s".repeat(65)}": use 1 to 64 letters, digits, '_' or '-'`,
    );
  });
});

describe("checkSequenceNumber", () => {
  it.each(["0", "1", "980", "9223372036854775807"])("%j is accepted", (value) => {
    expect(checkSequenceNumber(value)).toBe(value);
  });

  it.each<[unknown]>([["9223372036854775808"], ["-1"], ["+1"], ["01"], ["1.0"], ["1e3"], [""], [" 1"], [5], [undefined]])(
    "%j is refused",
    (value) => {
      expect(refusal(() => checkSequenceNumber(value))).toEqual({
        field: "sequenceNumber",
        message: `invalid sequenceNumber ${JSON.stringify(value)}: expected a decimal string from 0 to 9223372036854775807 without sign or leading zeros`,
      });
    },
  );
});

describe("checkMetadata", () => {
  it("accepts up to 1000 characters or nothing", () => {
    expect(checkMetadata(undefined)).toBeUndefined();
    expect(checkMetadata("")).toBe("");
    expect(checkMetadata("m".repeat(1000))).toBe("m".repeat(1000));
  });

  it("refuses longer", () => {
    expect(refusal(() => checkMetadata("m".repeat(1001)))).toEqual({
      field: "metadata",
      message: "invalid metadata: expected a string of at most 1000 characters",
    });
  });
});

describe("checkCursorArguments", () => {
  it.each<CursorArguments>([
    { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "5" },
    { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "0" },
    { type: "TRIM_HORIZON" },
    { type: "LATEST" },
    { type: "AT_TIMESTAMP", timestamp: 1700000000000 },
    { type: "AT_TIMESTAMP", timestamp: 0 },
  ])("%j is accepted", (args) => {
    expect(checkCursorArguments(args)).toEqual(args);
  });

  it.each<[CursorArguments, string, string]>([
    [{ type: "NEWEST" as never }, "type", 'invalid cursor type "NEWEST": expected one of AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP'],
    [{ type: "AT_SEQUENCE_NUMBER" }, "sequenceNumber", "invalid sequenceNumber undefined: expected a decimal string from 0 to 9223372036854775807 without sign or leading zeros"],
    [{ type: "TRIM_HORIZON", sequenceNumber: "5" }, "sequenceNumber", "a TRIM_HORIZON cursor takes no sequenceNumber"],
    [{ type: "AT_TIMESTAMP" }, "timestamp", "an AT_TIMESTAMP cursor needs timestamp: epoch milliseconds as a non-negative integer"],
    [{ type: "AT_TIMESTAMP", timestamp: 1.5 }, "timestamp", "an AT_TIMESTAMP cursor needs timestamp: epoch milliseconds as a non-negative integer"],
    [{ type: "AT_TIMESTAMP", timestamp: -1 }, "timestamp", "an AT_TIMESTAMP cursor needs timestamp: epoch milliseconds as a non-negative integer"],
    [{ type: "LATEST", timestamp: 5 }, "timestamp", "a LATEST cursor takes no timestamp"],
  ])("%j is refused", (args, field, message) => {
    expect(refusal(() => checkCursorArguments(args))).toEqual({ field, message });
  });
});

describe("checkPositiveInteger", () => {
  it.each([[undefined], [1], [16]])("%j is accepted", (value) => {
    expect(checkPositiveInteger(value, "connections")).toBe(value);
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])("%j is refused", (value) => {
    expect(refusal(() => checkPositiveInteger(value, "connections"))).toEqual({
      field: "connections",
      message: `invalid connections ${value}: expected a positive integer`,
    });
  });
});
