import { describe, expect, it } from "vitest";
import { DisInputError } from "../../src/dis/errors";
import { formatPartitionId, MAX_PARTITION_ORDINAL, parsePartitionId } from "../../src/dis/partition";
import { caught } from "./helpers/caught";

describe("parsePartitionId", () => {
  it.each<[string | number, number]>([
    [0, 0],
    [3, 3],
    ["0", 0],
    ["3", 3],
    ["42", 42],
    ["shardId-0000000000", 0],
    ["shardId-0000000003", 3],
    ["shardId-0000000123", 123],
    ["shardId-2147483647", MAX_PARTITION_ORDINAL],
    ["2147483647", MAX_PARTITION_ORDINAL],
    [MAX_PARTITION_ORDINAL, MAX_PARTITION_ORDINAL],
  ])("%j → %i", (value, ordinal) => {
    expect(parsePartitionId(value)).toBe(ordinal);
  });

  it.each<[string | number]>([
    [-1],
    [1.5],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [MAX_PARTITION_ORDINAL + 1],
    ["-1"],
    ["+3"],
    ["03"],
    ["3.0"],
    ["1e3"],
    [" 3"],
    ["3 "],
    [""],
    ["0x3"],
    ["2147483648"],
    ["99999999999999999999"],
    ["shardId-3"],
    ["shardId-000000003"],
    ["shardId-00000000003"],
    ["shardid-0000000003"],
    ["ShardId-0000000003"],
    ["shardId-2147483648"],
    ["shardId-9999999999"],
    ["shardId--000000003"],
    ["partition-3"],
  ])("%j is refused", (value) => {
    const thrown = caught(() => parsePartitionId(value));
    expect(thrown).toBeInstanceOf(DisInputError);
    expect(thrown).toMatchObject({
      field: "partition",
      code: "invalid-argument",
      message: `invalid partition id ${JSON.stringify(value)}: expected an ordinal from 0 to 2147483647 such as 3, or shardId-0000000003`,
    });
  });
});

describe("formatPartitionId", () => {
  it.each([
    [0, "shardId-0000000000"],
    [3, "shardId-0000000003"],
    [1234567890, "shardId-1234567890"],
    [MAX_PARTITION_ORDINAL, "shardId-2147483647"],
  ])("%i → %s", (ordinal, id) => {
    expect(formatPartitionId(ordinal)).toBe(id);
    expect(parsePartitionId(id)).toBe(ordinal);
  });

  it.each([-1, 0.5, MAX_PARTITION_ORDINAL + 1, Number.NaN])("%d is refused", (ordinal) => {
    expect(() => formatPartitionId(ordinal)).toThrow(
      new DisInputError("partition", `invalid partition ordinal ${ordinal}: expected an integer from 0 to 2147483647`),
    );
  });
});
