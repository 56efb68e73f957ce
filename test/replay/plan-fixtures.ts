/** Plan reports built directly, for the renderer's tests: no emulator needed. */
import type { RefusalCode } from "../../src/provider";
import type { PlanReport, PlanRow, RetentionMargin, StreamPlan } from "../../src/replay";

export const HOUR = 3_600_000;
export const NOW = Date.parse("2026-11-20T12:00:00.000Z");
export const FOURTEEN_HOURS_LEFT: RetentionMargin = { kind: "ok", recordTimestamp: NOW - 10 * HOUR, expiresAt: NOW + 14 * HOUR, marginMs: 14 * HOUR };

/** A committed move from `live` to `declared`, its direction and record count following from the two. */
export function move(partition: number, live: string | null, declared: string, retention: RetentionMargin = FOURTEEN_HOURS_LEFT): PlanRow {
  if (live === null) return { partition, live, declared, direction: "initial", records: "0", status: "commit", retention };
  const difference = BigInt(live) - BigInt(declared);
  const direction = difference > 0n ? "replay" : difference < 0n ? "skip" : "none";
  return { partition, live, declared, direction, records: String(difference < 0n ? -difference : difference), status: "commit", retention };
}

export function refused(row: PlanRow, message: string, code: RefusalCode = "skip-not-allowed"): PlanRow {
  return { ...row, status: "refused", refusal: { code, message } };
}

/** A partition the stream does not declare, refused because its consumers moved it (plan.ts planRows). */
export function refusedUndeclared(partition: number, live: string | null, message: string): PlanRow {
  return { partition, live, declared: null, records: "0", status: "refused", refusal: { code: "consumers-active", message }, retention: { kind: "unknown" } };
}

export function alreadyLive(partition: number, value: string): PlanRow {
  return { partition, live: value, declared: value, direction: "none", records: "0", status: "already-live", retention: { kind: "unknown" } };
}

export function declarationUnchanged(partition: number, live: string, declared: string): PlanRow {
  return { ...move(partition, live, declared), status: "declaration-unchanged" };
}

export function stream(app: string, name: string, rows: PlanRow[], extra: Partial<StreamPlan> = {}): StreamPlan {
  return { app, stream: name, allowSkip: false, rows, ...extra };
}

export function report(streams: StreamPlan[], extra: Partial<PlanReport> = {}): PlanReport {
  return { stack: "prod", convention: "next", generatedAt: "2026-11-20T12:00:00.000Z", streams, ...extra };
}

/**
 * `streams` × `partitions` declared partitions, stream s named `sNN` of app `app`; `kind(s, p)` says which
 * partitions move (a replay of 10 records), are refused (a skip of 5) or stay already live.
 */
export function gridReport(streams: number, partitions: number, kind: (stream: number, partition: number) => "move" | "refused" | "unchanged"): PlanReport {
  return report(
    Array.from({ length: streams }, (_, s) => {
      const name = `s${String(s).padStart(2, "0")}`;
      return stream(
        "app",
        name,
        Array.from({ length: partitions }, (_, p) => {
          switch (kind(s, p)) {
            case "move":
              return move(p, "1010", "1000");
            case "refused":
              return refused(move(p, "1000", "1005"), `checkpoints/prod/app.yaml:${s + 4}:${p + 7}: app 'app', stream '${name}', partition ${p}: would skip 5 records`);
            case "unchanged":
              return alreadyLive(p, "1000");
          }
        }),
      );
    }),
  );
}
