/**
 * The instants `resolve --at` accepts: an RFC 3339 time with an explicit offset, or a duration meaning
 * "that long ago". A time without an offset is refused: guessing the zone moves a replay by hours.
 */

export type InstantResult = { ok: true; ms: number } | { ok: false; message: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$/;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000] as const;

/** `text` as epoch milliseconds, relative to `now` for durations; future instants are refused. */
export function parseInstant(text: string, now: number): InstantResult {
  const trimmed = text.trim();
  const ms = DURATION.test(trimmed) && trimmed !== "" ? durationAgo(trimmed, now) : absolute(trimmed);
  if (typeof ms === "string") return { ok: false, message: ms };
  if (ms > now) {
    return { ok: false, message: `${text} is in the future (now is ${new Date(now).toISOString()}): there is nothing to replay from there yet` };
  }
  return { ok: true, ms };
}

function durationAgo(text: string, now: number): number | string {
  const parts = DURATION.exec(text)!.slice(1);
  const total = parts.reduce((sum, part, index) => sum + (part === undefined ? 0 : Number(part) * UNIT_MS[index]!), 0);
  if (total === 0) return `duration ${text} is zero: give how long ago, e.g. 6h, 90m, 2d or 1h30m`;
  return now - total;
}

function absolute(text: string): number | string {
  const match = RFC3339.exec(text);
  const usage = "give an RFC 3339 time with its offset (e.g. 2026-11-20T10:00:00+08:00 or 2026-11-20T02:00:00Z) or a duration ago (6h, 90m, 2d)";
  if (!match) return `cannot read ${JSON.stringify(text)} as a time: ${usage}`;
  if (match[8] === undefined) {
    return `${text} has no time-zone offset: add one (Z for UTC, or e.g. +08:00); the zone is never guessed`;
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59;
  if (!valid) return `${text} is not a valid calendar time: ${usage}`;
  const ms = Date.parse(text.toUpperCase().replace(" ", "T").replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? `cannot read ${JSON.stringify(text)} as a time: ${usage}` : ms;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
