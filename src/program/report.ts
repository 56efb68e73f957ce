/** What the program prints: the gate's impact per stream, its refusals, and the failures of a run. Pure. */
import {
  describeConvention,
  describeFailure,
  explainFirstApply,
  formatRefusal,
  formatStreamImpact,
  plural,
  streamKey,
  type Failure,
  type GateReport,
  type RunSummary,
  type StreamDeclaration,
} from "../provider";
import type { Convention } from "../provider";

function describeRemoved(stream: StreamDeclaration): string {
  const partitions = plural(Object.keys(stream.partitions).length, "partition");
  return stream.onDelete === "delete"
    ? `${stream.app} / ${stream.stream}: no longer declared; its checkpoints on ${partitions} are deleted (onDelete: delete)`
    : `${stream.app} / ${stream.stream}: no longer declared; its checkpoints on ${partitions} are retained`;
}

/** The preview's account of the run: only streams that move or refuse something, counts for the rest. */
export function formatGateReport(report: GateReport, convention: Convention): string {
  const lines: string[] = [];
  const shown = report.plans.filter((plan) => plan.commits.length > 0 || plan.refusals.length > 0);
  for (const plan of shown) {
    const key = streamKey(plan.declaration.app, plan.declaration.stream);
    const live = report.live.get(key);
    lines.push(formatStreamImpact(plan, report.activity.get(key) ?? { kind: "not-sampled" }, (ordinal) => live?.get(ordinal)?.checkpoint));
  }
  const quiet = report.unchangedStreams + report.plans.length - shown.length;
  if (quiet > 0) lines.push(`${plural(quiet, "stream")} with nothing to commit`);
  for (const stream of report.removedStreams) lines.push(describeRemoved(stream));
  for (const app of report.missingApps) lines.push(`app '${app}' does not exist: up creates it`);
  if (report.firstApplyAcknowledged) {
    lines.push(`First apply acknowledged (${report.firstApplyToken}): the moves of the streams marked "first apply" are committed.`);
  }
  if (shown.length === 0 && report.removedStreams.length === 0 && report.missingApps.length === 0) {
    lines.push("No declared checkpoint changed: nothing will be committed.");
  }
  lines.push(`Counts follow ${describeConvention(convention)}.`);
  return lines.join("\n");
}

/** Every refusal at its file:line:col, then what to do; the run stops before anything is registered. */
export function formatRefusals(report: GateReport, stack: string, backend: string | undefined): string {
  const lines = report.refusals.map(({ refusal, location }) => formatRefusal(refusal, location));
  if (report.refusals.some(({ refusal }) => refusal.code === "first-apply")) {
    lines.push(explainFirstApply({ stack, backend, token: report.firstApplyToken! }));
  }
  lines.push("Nothing was committed: fix what is listed above and run again.");
  return lines.join("\n");
}

/** A run that committed part of its plan: which partitions did not settle, and that the next up retries only them. */
export function formatRunFailures(failures: readonly Failure[], summary: RunSummary): string {
  return [
    `The run made ${summary.commits} of ${plural(summary.planned, "planned commit")}, and ${summary.verified} held. ` +
      "The partitions below are not recorded as applied, so the next up commits them (and only them) again:",
    ...failures.map((failure) => `  ${describeFailure(failure)}`),
  ].join("\n");
}
