/**
 * JSON text in which BigInt values become exact integer literals. DIS's int64 fields (`latest_offset`,
 * `earliest_offset`) reach 2^63-1; the service writes them as plain numbers, and so must the emulator, so that
 * a client parsing them with `JSON.parse` meets the same precision trap it would meet in production.
 */
export function toJson(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => toJson(item === undefined ? null : item)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${JSON.stringify(key)}:${toJson(member)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
