/**
 * The plan for people and for machines. Markdown is a pull-request comment a reviewer can read: the summary,
 * every refusal, and only the partitions that move or are refused, with everything unchanged reduced to
 * counts, under a size bound (a GitHub comment holds 65,536 characters). JSON keeps every partition.
 * The rules and the JSON shape are documented in docs/disaster-recovery.md, "`plan` output".
 */
import type { ConsumerActivity, Direction, PlanReport, PlanRow, RetentionMargin, StreamPlan } from "./plan";
import { formatDuration, groupDigits, plural as count } from "../provider";

/** Bumped whenever the JSON shape changes; docs/disaster-recovery.md says what each version changed. */
export const PLAN_JSON_VERSION = 3;

const GITHUB_COMMENT_CHARS = 65_536;
/** Left free for what CI puts before the plan: a marker line such as `<!-- dis-checkpoints plan -->` to update one comment in place, a link. */
const ROOM_FOR_CI_LINES = 512;
export const DEFAULT_MAX_CHARS = GITHUB_COMMENT_CHARS - ROOM_FOR_CI_LINES;

/** Streams with nothing to commit are listed one line each (collapsed) up to this many; beyond, a list is too long to scan and they are only counted. */
export const LISTED_UNCHANGED_STREAMS_MAX = 50;

/** Moved checkpoints named in an active stream's line; the rest are counted (the JSON has all). */
const NAMED_MOVED_CHECKPOINTS_MAX = 5;

export interface MarkdownOptions {
  /** The most characters the output may have (default DEFAULT_MAX_CHARS). */
  maxChars?: number;
}

export interface PlanSummary {
  /** Declared partitions. */
  partitions: number;
  commits: number;
  /** Refused partitions, declared or not (consumers moving on a partition the stream does not declare). */
  refused: number;
  /** Of the refused, those not declared. */
  refusedUndeclared: number;
  /** Declared partitions `up` leaves as they are: already live, or declaration unchanged since the stack's last up. */
  unchanged: number;
  replay: { partitions: number; records: string };
  skip: { partitions: number; records: string };
}

/** A row a reviewer has to see: `up` would move it, or refuses it. */
function isChange(row: PlanRow): boolean {
  return row.status === "commit" || row.status === "refused";
}

export function summarize(report: PlanReport): PlanSummary {
  const rows = report.streams.flatMap((stream) => stream.rows);
  const moving = (direction: Direction) => {
    const matching = rows.filter((row) => row.status === "commit" && row.direction === direction);
    return { partitions: matching.length, records: String(matching.reduce((sum, row) => sum + BigInt(row.records), 0n)) };
  };
  const declared = rows.filter((row) => row.declared !== null);
  const commits = rows.filter((row) => row.status === "commit").length;
  const refused = rows.filter((row) => row.status === "refused").length;
  const refusedUndeclared = rows.length - declared.length;
  const unchanged = declared.length - commits - (refused - refusedUndeclared);
  return { partitions: declared.length, commits, refused, refusedUndeclared, unchanged, replay: moving("replay"), skip: moving("skip") };
}

export function hasRefusals(report: PlanReport): boolean {
  return report.streams.some((stream) => stream.rows.some((row) => row.status === "refused"));
}

export function describeMargin(margin: RetentionMargin): string {
  switch (margin.kind) {
    case "ok":
      return `${formatDuration(margin.marginMs)} (until ${new Date(margin.expiresAt).toISOString()})`;
    case "expired":
      return "already expired";
    case "no-record-yet":
      return "no record yet";
    case "unknown":
      return "unknown";
  }
}

/** JSON for machines: every partition of every stream (shape documented in docs/disaster-recovery.md). */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify({ version: PLAN_JSON_VERSION, ...report, summary: summarize(report), refused: hasRefusals(report) }, null, 2)}\n`;
}

// ---- Markdown ----------------------------------------------------------------------------------

/**
 * Inline Markdown that shows `text` as written. Names and messages come from declaration files, so none of
 * their characters may open emphasis, code, HTML, math or a link, end a table cell, start a nested block
 * inside a list item, or break the line.
 */
export function markdownText(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, " ")
    .trim()
    .replace(/[\\`*_[\]<>|~&#$]/g, "\\$&")
    .replace(/^[-+]/, "\\$&")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/** A code span holding `text` whatever backticks it contains. */
function codeSpan(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Markdown length of blocks joined by blank lines, with the final newline. */
function documentLength(blocks: readonly string[]): number {
  return blocks.reduce((sum, block) => sum + block.length + 2, 0) - 1;
}

function document(blocks: readonly string[]): string {
  return `${blocks.join("\n\n")}\n`;
}

/** Where every partition is, for whatever the Markdown leaves out. */
function fullPlanCommand(report: PlanReport): string {
  return codeSpan(`dis-checkpoints plan${report.stack !== undefined ? ` --stack ${report.stack}` : ""} --format json`);
}

function streamName(stream: StreamPlan): string {
  return `${markdownText(stream.app)} / ${markdownText(stream.stream)}`;
}

function headBlocks(report: PlanReport): string[] {
  const summary = summarize(report);
  const stack = report.stack !== undefined ? ` for stack ${codeSpan(report.stack)}` : "";
  const undeclared = summary.refusedUndeclared > 0 ? ` (${groupDigits(summary.refusedUndeclared)} not declared)` : "";
  return [
    `### dis-checkpoints plan${stack}`,
    `**${count(summary.partitions, "declared partition")} on ${count(report.streams.length, "stream")}: ` +
      `${groupDigits(summary.commits)} to commit, ${groupDigits(summary.refused)} refused${undeclared}, ${groupDigits(summary.unchanged)} unchanged; ` +
      `replay ${count(summary.replay.records, "record")} on ${count(summary.replay.partitions, "partition")}, ` +
      `skip ${count(summary.skip.records, "record")} on ${count(summary.skip.partitions, "partition")}.** ` +
      `Convention ${codeSpan(report.convention)}. Read ${markdownText(report.generatedAt)}.`,
  ];
}

/**
 * What a reviewer must know about first applies: the moves refused as `first-apply` and how to acknowledge
 * exactly them (the wording of provider/wording.ts `explainFirstApply`, with commands as code), or that they
 * were acknowledged.
 */
function firstApplyBlocks(report: PlanReport): string[] {
  const firstApply = report.firstApply;
  if (firstApply === undefined) return [];
  const token = codeSpan(firstApply.token);
  if (firstApply.acknowledged) return [`First apply acknowledged (${token}): the moves refused as \`first-apply\` without it are planned as commits.`];
  const stack = report.stack ?? "NAME";
  const whose = report.stack !== undefined ? `The state of stack ${codeSpan(report.stack)} holds` : "Without --stack the plan knows of";
  const stale = firstApply.staleToken !== undefined ? ` The acknowledgement given, ${codeSpan(firstApply.staleToken)}, was for other moves: live positions changed since.` : "";
  return [
    [
      "> [!IMPORTANT]",
      `> **First apply.** ${whose} no earlier declaration of the streams refused as \`first-apply\`. Either this is their first apply, or ` +
        "the stack's state went missing, and `up` would undo their consumers' progress since the last apply." +
        `${stale} If the moves are intended, acknowledge exactly them: ${codeSpan(`dis-checkpoints up --stack ${stack} --acknowledge-first-apply ${firstApply.token}`)}, ` +
        `or for a plain \`pulumi up\` set ${codeSpan(`dis-checkpoints:acknowledgeFirstApply: ${firstApply.token}`)} in the stack config ` +
        "(`plan` takes the same option, and shows them as commits). Otherwise point Pulumi at the backend that holds the stack's state, " +
        "or declare the live values to adopt them.",
    ].join("\n"),
  ];
}

/** "0-2, 5, 7-8" for ordinals in ascending order. */
function ordinalRanges(ordinals: readonly number[]): string {
  const ranges: Array<[number, number]> = [];
  for (const ordinal of ordinals) {
    const last = ranges.at(-1);
    if (last && ordinal === last[1] + 1) last[1] = ordinal;
    else ranges.push([ordinal, ordinal]);
  }
  return ranges.map(([first, last]) => (first === last ? String(first) : `${first}-${last}`)).join(", ");
}

/** Groups values by key, keeping the order in which keys first appear. */
function groupBy<T>(values: readonly T[], key: (value: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const group = groups.get(key(value));
    if (group) group.push(value);
    else groups.set(key(value), [value]);
  }
  return [...groups.values()];
}

/**
 * The refusals block in each form it can take, most detailed first: every message (with its file
 * position); one line per stream and reason naming the partitions; one line per reason with counts.
 * Empty when nothing is refused.
 */
function refusalBlocks(report: PlanReport, maxChars: number): string[] {
  const refused = report.streams.flatMap((stream, streamIndex) =>
    stream.rows.flatMap((row) => (row.refusal ? [{ stream, streamIndex, partition: row.partition, ...row.refusal }] : [])),
  );
  if (refused.length === 0) return [];
  // A shortened form says why, and where the rest is.
  const block = (shortened: string | undefined, items: readonly string[]) =>
    [
      "> [!CAUTION]",
      `> **${groupDigits(refused.length)} refused: \`up\` would commit nothing until these are fixed.**${shortened !== undefined ? ` ${shortened}: ${fullPlanCommand(report)}.` : ""}`,
      ...items.map((item) => `> - ${item}`),
    ].join("\n");
  const bound = `to stay under ${groupDigits(maxChars)} characters`;
  const byStreamAndCode = groupBy(refused, (refusal) => `${refusal.streamIndex} ${refusal.code}`).map((group) => {
    const ordinals = group.map((refusal) => refusal.partition).sort((a, b) => a - b);
    return `${streamName(group[0]!.stream)}: ${codeSpan(group[0]!.code)} on partition${ordinals.length === 1 ? "" : "s"} ${ordinalRanges(ordinals)}`;
  });
  const byCode = groupBy(refused, (refusal) => refusal.code).map(
    (group) => `${codeSpan(group[0]!.code)}: ${count(group.length, "partition")} on ${count(new Set(group.map((refusal) => refusal.streamIndex)).size, "stream")}`,
  );
  return [
    block(undefined, refused.map((refusal) => markdownText(refusal.message))),
    block(`Listed by partition ${bound}; every message, with its file position, is in the full plan`, byStreamAndCode),
    block(`Counted by reason ${bound}; every partition and message is in the full plan`, byCode),
  ];
}

const TABLE_HEADER = ["| partition | live | declared | move | records | status | retention margin |", "|---:|---:|---:|---|---:|---|---|"].join("\n");

function tableRow(row: PlanRow): string {
  const records = row.direction === "replay" || row.direction === "skip" ? groupDigits(row.records) : row.direction === "none" ? "0" : "—";
  const cells = [
    String(row.partition),
    markdownText(row.live ?? "none"),
    row.declared === null ? "not declared" : markdownText(row.declared),
    row.direction ?? (row.declared === null ? "—" : "no such partition"),
    records,
    row.status === "refused" ? "**REFUSED**" : row.status,
    describeMargin(row.retention),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** "98 partitions unchanged (already live)", or "(90 already live, 8 declaration unchanged)" when both. */
function describeUnchanged(rows: readonly PlanRow[]): string | undefined {
  const alreadyLive = rows.filter((row) => row.status === "already-live").length;
  const declarationUnchanged = rows.filter((row) => row.status === "declaration-unchanged").length;
  if (alreadyLive + declarationUnchanged === 0) return undefined;
  const why =
    alreadyLive > 0 && declarationUnchanged > 0
      ? `${groupDigits(alreadyLive)} already live, ${groupDigits(declarationUnchanged)} declaration unchanged`
      : alreadyLive > 0
        ? "already live"
        : "declaration unchanged";
  return `${count(alreadyLive + declarationUnchanged, "partition")} unchanged (${why})`;
}

function describeActivity(activity: ConsumerActivity): string {
  switch (activity.kind) {
    case "not-sampled":
      // The gate watches consumers only before commits it would make (gate.ts): never while something is refused.
      return "Consumers not sampled: they are watched only when nothing is refused and the stack's activityWindow is not 0.";
    case "idle":
      return `Consumers idle: no checkpoint of the app moved in ${formatDuration(activity.windowMs)}.`;
    case "active": {
      const named = activity.moved
        .slice(0, NAMED_MOVED_CHECKPOINTS_MAX)
        .map((move) => `partition ${move.partition}: ${markdownText(move.from ?? "none")} → ${markdownText(move.to ?? "none")}`);
      const unnamed = activity.moved.length - named.length;
      const details = [...named, ...(unnamed > 0 ? [`${groupDigits(unnamed)} more`] : [])];
      return `Consumers **active**: ${count(activity.moved.length, "checkpoint")} of the app moved in ${formatDuration(activity.windowMs)}${details.length > 0 ? ` (${details.join("; ")})` : ""}.`;
    }
  }
}

/** A stream with changes, showing the first `shown` of its changed rows (`changeRows`, already rendered). */
function streamSection(stream: StreamPlan, changeRows: readonly string[], shown: number): string[] {
  const flags = [...(stream.allowSkip ? ["allowSkip"] : []), ...(stream.whileConsumersRun === "allow" ? ["consumers may run"] : [])];
  const leftOut = changeRows.length - shown;
  const unchanged = describeUnchanged(stream.rows);
  const trailer = [
    ...(leftOut > 0 ? [`${count(leftOut, "more partition")} to commit or refused left out here.`] : []),
    ...(unchanged ? [`${unchanged}.`] : []),
  ];
  return [
    `#### ${streamName(stream)}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`,
    ...(stream.consumerActivity ? [describeActivity(stream.consumerActivity)] : []),
    [TABLE_HEADER, ...changeRows.slice(0, shown)].join("\n"),
    ...(trailer.length > 0 ? [trailer.join(" ")] : []),
  ];
}

/** Streams with nothing to commit: one line each inside a collapsed block, or only their count. */
function unchangedStreamsBlocks(report: PlanReport, streams: readonly StreamPlan[], listed: boolean): string[] {
  if (streams.length === 0) return [];
  const heading = `${count(streams.length, "stream")} with nothing to commit`;
  if (!listed) {
    const partitions = streams.reduce((sum, stream) => sum + stream.rows.length, 0);
    return [`${heading} (${count(partitions, "partition")} unchanged), each in the full plan: ${fullPlanCommand(report)}.`];
  }
  const lines = streams.map((stream) => `- ${streamName(stream)}: ${describeUnchanged(stream.rows) ?? "no partitions declared"}`);
  return [`<details>\n<summary>${heading}</summary>\n\n${lines.join("\n")}\n\n</details>`];
}

function leftOutNotice(report: PlanReport, maxChars: number, partitions: number, streams: number): string {
  return (
    `**Left out to stay under ${groupDigits(maxChars)} characters: ${count(partitions, "partition")} to commit or refused, on ${count(streams, "stream")}.** ` +
    `The full plan, every partition: ${fullPlanCommand(report)}.`
  );
}

/** How many of a changed stream's rows fit in `budget` characters, with the stream's heading and counts. */
function rowsThatFit(stream: StreamPlan, changeRows: readonly string[], budget: number): number {
  const fits = (shown: number) => documentLength(streamSection(stream, changeRows, shown)) + 1 <= budget;
  if (fits(changeRows.length)) return changeRows.length;
  // Binary search: showing more rows never costs less (a row outweighs the digits of the count it replaces).
  let low = 0;
  let high = changeRows.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * As many changed streams as fit in `budget` characters, in the report's order; the stream that does not
 * fit shows the rows that do, and the ones after it are left out whole.
 */
function fitStreams(streams: readonly StreamPlan[], budget: number): { blocks: string[]; leftOutPartitions: number; leftOutStreams: number } {
  const blocks: string[] = [];
  let remaining = budget;
  let leftOutPartitions = 0;
  let leftOutStreams = 0;
  for (const stream of streams) {
    const changes = stream.rows.filter(isChange);
    // After the first cut nothing more is shown: later streams squeezed into the gap would hide where the cut is.
    const changeRows = leftOutStreams > 0 ? [] : changes.map(tableRow);
    const shown = leftOutStreams > 0 ? 0 : rowsThatFit(stream, changeRows, remaining);
    if (shown > 0) {
      const section = streamSection(stream, changeRows, shown);
      blocks.push(...section);
      remaining -= documentLength(section) + 1;
    }
    if (shown < changes.length) {
      leftOutPartitions += changes.length - shown;
      leftOutStreams += 1;
    }
  }
  return { blocks, leftOutPartitions, leftOutStreams };
}

/**
 * Markdown for a pull-request comment, at most `maxChars` characters: the summary line; every refusal; each
 * stream with commits or refusals, listing only those partitions and counting the unchanged ones; then the
 * streams with nothing to commit. What gives way to the bound, in this order: the list of unchanged streams
 * becomes a count; changed streams are cut at the bound (and the output says how many partitions and streams
 * it left out, and where they are); refusals are listed by partition, then counted by reason. The summary, the
 * refusals' last form, the first-apply note and the notice are always there, even when they alone exceed the
 * bound.
 */
export function renderMarkdown(report: PlanReport, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const fits = (blocks: readonly string[]) => documentLength(blocks) <= maxChars;
  const changed = report.streams.filter((stream) => stream.rows.some(isChange));
  const unchanged = report.streams.filter((stream) => !stream.rows.some(isChange));
  const unchangedCounted = unchangedStreamsBlocks(report, unchanged, false);
  const changeRowsTotal = changed.reduce((sum, stream) => sum + stream.rows.filter(isChange).length, 0);
  // The notice as long as it can get: cutting is decided before knowing what it will say.
  const longestNotice = leftOutNotice(report, maxChars, changeRowsTotal, changed.length);

  const head = headBlocks(report);
  const refusalForms = refusalBlocks(report, maxChars);
  const firstApply = firstApplyBlocks(report);
  const refusals = refusalForms.find((form) => fits([...head, form, ...firstApply, longestNotice, ...unchangedCounted])) ?? refusalForms.at(-1);
  const top = [...head, ...(refusals !== undefined ? [refusals] : []), ...firstApply];

  const allChanges = changed.flatMap((stream) => {
    const changeRows = stream.rows.filter(isChange).map(tableRow);
    return streamSection(stream, changeRows, changeRows.length);
  });
  const unchangedListed = unchangedStreamsBlocks(report, unchanged, unchanged.length <= LISTED_UNCHANGED_STREAMS_MAX);
  for (const tail of [unchangedListed, unchangedCounted]) {
    if (fits([...top, ...allChanges, ...tail])) return document([...top, ...allChanges, ...tail]);
  }

  // Nothing fitted whole above, so at least one partition is cut here and the notice has something to name.
  const { blocks, leftOutPartitions, leftOutStreams } = fitStreams(changed, maxChars - documentLength([...top, longestNotice, ...unchangedCounted]));
  return document([...top, ...blocks, leftOutNotice(report, maxChars, leftOutPartitions, leftOutStreams), ...unchangedCounted]);
}
