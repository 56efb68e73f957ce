/** The request timeout setting that makes "a response slower than the timeout" testable in seconds. */
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/provider";

const read = (value: string | undefined) => readSettings((key) => (key === "dis-checkpoints:requestTimeoutMs" ? value : undefined), {});

describe("dis-checkpoints:requestTimeoutMs", () => {
  it("is absent unless set, so the client keeps its 30 s default", () => {
    expect(read(undefined)).not.toHaveProperty("requestTimeoutMs");
  });

  it.each([["100", 100], ["1000", 1000], [" 600000 ", 600_000]])("accepts %j", (text, expected) => {
    expect(read(text).requestTimeoutMs).toBe(expected);
  });

  it.each(["99", "600001", "1.5", "1e3", "fast", "-1"])("refuses %j naming the key and the range", (text) => {
    expect(() => read(text)).toThrow(`dis-checkpoints:requestTimeoutMs must be an integer from 100 to 600000 (milliseconds), not '${text.trim()}'`);
  });
});
