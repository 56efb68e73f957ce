/** Wording shared by the replay commands' reports. */

/** "1,234,567": counts of records and partitions read better grouped; sequence numbers are never passed here. */
export function groupDigits(decimal: string | number | bigint): string {
  return String(decimal).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 partition", "9,898 partitions": the count, grouped, and the noun in the number it needs. */
export function count(n: string | number | bigint, noun: string): string {
  return `${groupDigits(n)} ${noun}${String(n) === "1" ? "" : "s"}`;
}

/** "3d 4h", "2h 5m", "1m 30s", "1.5s": the two largest units, rounded down, so a margin is never overstated. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days}d ${hours % 24}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  if (minutes > 0) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(ms / 100) / 10}s`;
}
