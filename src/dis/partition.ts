/** Partition ids: DIS accepts the ordinal (`"3"`) or `shardId-` + ten digits, and answers with the latter. */
import { DECIMAL_DIGITS_PATTERN, MAX_PARTITION_ORDINAL, SHARD_ID_PATTERN } from "../contract";
import { DisInputError } from "./errors";

const PREFIX = "shardId-";
export { MAX_PARTITION_ORDINAL };

/** `3`, `"3"` and `"shardId-0000000003"` → 3. Anything else throws {@link DisInputError} (field `partition`). */
export function parsePartitionId(value: string | number): number {
  const ordinal = typeof value === "number" ? value : ordinalOf(value);
  if (ordinal === undefined || !Number.isInteger(ordinal) || ordinal < 0 || ordinal > MAX_PARTITION_ORDINAL) {
    throw new DisInputError(
      "partition",
      `invalid partition id ${JSON.stringify(value)}: expected an ordinal from 0 to ${MAX_PARTITION_ORDINAL} ` +
        `such as 3, or ${formatPartitionId(3)}`,
    );
  }
  return ordinal;
}

function ordinalOf(text: string): number | undefined {
  if (DECIMAL_DIGITS_PATTERN.test(text)) return Number(text);
  const digits = SHARD_ID_PATTERN.exec(text)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/** 3 → `"shardId-0000000003"`. */
export function formatPartitionId(ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal > MAX_PARTITION_ORDINAL) {
    throw new DisInputError("partition", `invalid partition ordinal ${ordinal}: expected an integer from 0 to ${MAX_PARTITION_ORDINAL}`);
  }
  return `${PREFIX}${String(ordinal).padStart(10, "0")}`;
}
