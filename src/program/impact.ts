import { countRecords, type Convention, type Impact, type LivePartition, type Plan, type StreamDeclaration } from "../provider";

const CONVENTION_MEANING: Record<Convention, string> = {
  next: "a checkpoint is the next sequence number to read",
  last: "a checkpoint is the last sequence number read",
};

export function describeImpact(impact: Impact | undefined): string {
  switch (impact?.kind) {
    case "replay":
      return `replay ${countRecords(impact.records)}`;
    case "skip":
      return `skip ${countRecords(impact.records)}`;
    case "none":
      return "same position";
    case "initial":
      return "first checkpoint";
    default:
      return "unknown (live not read)";
  }
}

/** Renders rows as left-aligned columns separated by two spaces. */
export function formatColumns(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  "))
    .join("\n");
}

/** The preview's per-stream table: partition → live → declared → records replayed or skipped. */
export function formatImpactTable(
  declaration: StreamDeclaration,
  plan: Plan,
  live: ReadonlyMap<number, LivePartition>,
  convention: Convention,
): string {
  const title =
    `${declaration.app} / ${declaration.stream}: ${plan.commits.length} to commit, ${plan.unchanged.length} unchanged, ` +
    `${plan.refusals.length} refused (convention '${convention}': ${CONVENTION_MEANING[convention]})`;
  const rows: string[][] = [["partition", "live", "declared", "impact"]];
  for (const commit of plan.commits) {
    rows.push([String(commit.ordinal), commit.live ?? "none", commit.sequenceNumber, describeImpact(commit.impact)]);
  }
  for (const refusal of plan.refusals) {
    rows.push([
      String(refusal.ordinal),
      live.get(refusal.ordinal)?.checkpoint ?? "none",
      declaration.partitions[String(refusal.ordinal)]!,
      `REFUSED (${refusal.code})`,
    ]);
  }
  return rows.length === 1 ? title : `${title}\n${formatColumns(rows)}`;
}
