/** The compact forms of the resource's state: exact round trips, and every malformed entry named. */
import { describe, expect, it } from "vitest";
import { decodeOrdinals, decodePositions, encodeOrdinals, encodePositions, loadStream, sameStoredStreams, storeStream } from "../../src/provider/codec";
import type { StreamDeclaration } from "../../src/provider/model";

describe("position lists", () => {
  it("encode ordinals ascending, with - for no checkpoint, from a map or a record", () => {
    expect(encodePositions(new Map<number, string | null>([[10, "5"], [2, null], [0, "9223372036854775807"]]))).toBe("0=9223372036854775807 2=- 10=5");
    expect(encodePositions({ "3": "1", "1": "0" })).toBe("1=0 3=1");
    expect(encodePositions(new Map())).toBe("");
  });

  it("decode what they encode", () => {
    expect([...decodePositions("0=9223372036854775807 2=- 10=5", "x")]).toEqual([[0, "9223372036854775807"], [2, null], [10, "5"]]);
    expect([...decodePositions("", "x")]).toEqual([]);
  });

  it.each([
    ["0=01", 'stream a/b: "0=01" is not <partition>=<sequence number>'],
    ["0=", 'stream a/b: "0=" is not <partition>=<sequence number>'],
    ["x=1", 'stream a/b: "x=1" is not <partition>=<sequence number>'],
    ["01=1", 'stream a/b: "01=1" is not <partition>=<sequence number>'],
    ["3", 'stream a/b: "3" is not <partition>=<sequence number>'],
    ["1=2 1=3", "stream a/b: partition 1 is listed twice"],
  ])("refuse %j", (text, message) => {
    expect(() => decodePositions(text, "stream a/b")).toThrow(message);
  });

  it("ordinal lists", () => {
    expect(encodeOrdinals([5, 1, 3])).toBe("1 3 5");
    expect(decodeOrdinals("1 3 5", "x")).toEqual([1, 3, 5]);
    expect(() => decodeOrdinals("1 a", "adopt")).toThrow('adopt: "a" is not a partition number');
  });
});

describe("stored streams", () => {
  const full: StreamDeclaration = {
    app: "billing",
    stream: "orders",
    partitions: { "0": "10", "2": "30" },
    metadata: { "2": "replay INC-1" },
    allowSkip: true,
    onDelete: "delete",
    revision: 3,
    whileConsumersRun: "allow",
    partitionRevisions: { "0": 2 },
  };

  it("keep options only where they differ from their defaults", () => {
    expect(storeStream(full)).toEqual({
      partitions: "0=10 2=30",
      metadata: { "2": "replay INC-1" },
      allowSkip: true,
      onDelete: "delete",
      revision: 3,
      whileConsumersRun: "allow",
      partitionRevisions: "0=2",
    });
    expect(storeStream({ ...full, metadata: {}, allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse", partitionRevisions: {} })).toEqual({ partitions: "0=10 2=30" });
  });

  it("load back exactly what was stored", () => {
    expect(loadStream("billing", "orders", storeStream(full))).toEqual(full);
  });
});

describe("sameStoredStreams", () => {
  const stream = { partitions: "0=10 2=30", metadata: { "0": "m" }, revision: 2 };
  it.each<[string, unknown, unknown, boolean]>([
    ["the same map", { "a/b": stream }, { "a/b": { ...stream } }, true],
    ["keys in another order", { "a/b": stream, "a/c": { partitions: "" } }, { "a/c": { partitions: "" }, "a/b": { revision: 2, metadata: { "0": "m" }, partitions: "0=10 2=30" } }, true],
    ["two empty maps", {}, {}, true],
    ["a moved partition", { "a/b": stream }, { "a/b": { ...stream, partitions: "0=11 2=30" } }, false],
    ["changed metadata", { "a/b": stream }, { "a/b": { ...stream, metadata: { "0": "n" } } }, false],
    ["an option added", { "a/b": stream }, { "a/b": { ...stream, allowSkip: true } }, false],
    ["an option removed", { "a/b": stream }, { "a/b": { partitions: "0=10 2=30", metadata: { "0": "m" } } }, false],
    ["a stream added", { "a/b": stream }, { "a/b": stream, "a/c": stream }, false],
    ["a stream removed", { "a/b": stream, "a/c": stream }, { "a/b": stream }, false],
    ["another stream of the same count", { "a/b": stream }, { "a/c": stream }, false],
    ["no stored map", undefined, {}, false],
    ["a malformed map", ["a/b"], ["a/b"], false],
    ["null", null, {}, false],
  ])("%s", (_what, a, b, same) => {
    expect(sameStoredStreams(a, b)).toBe(same);
    expect(sameStoredStreams(b, a)).toBe(same);
  });
});
