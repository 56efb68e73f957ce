/** The plan as a pull-request comment and as JSON, from reports built directly (the renderer reads nothing). */
import { marked, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_CHARS,
  LISTED_UNCHANGED_STREAMS_MAX,
  markdownText,
  PLAN_JSON_VERSION,
  renderJson,
  renderMarkdown,
  type ConsumerActivity,
  type PlanReport,
  type StreamPlan,
} from "../../src/replay";
import { alreadyLive, declarationUnchanged, gridReport, move, refused, refusedUndeclared, report, stream } from "./plan-fixtures";

/** A few streams: one with commits, a refusal and an unchanged partition; one that skips while its consumers run; one unchanged. */
const SMALL = report([
  stream(
    "billing",
    "orders",
    [move(0, "500", "200"), move(1, null, "300", { kind: "no-record-yet" }), alreadyLive(2, "600"), refused(move(3, "700", "900", { kind: "expired" }), "checkpoints/prod/billing.yaml:9:7: would skip 200 records")],
    { consumerActivity: { kind: "idle", windowMs: 30_000 } },
  ),
  stream("billing", "payments", [move(0, "1000", "1250"), declarationUnchanged(1, "90", "40")], {
    allowSkip: true,
    whileConsumersRun: "allow",
    consumerActivity: { kind: "active", windowMs: 30_000, moved: [{ partition: 1, from: "80", to: "90" }] },
  }),
  stream("billing", "refunds", [alreadyLive(0, "10"), alreadyLive(1, "12")], { consumerActivity: { kind: "not-sampled" } }),
]);

const SMALL_HEAD = [
  "### dis-checkpoints plan for stack `prod`",
  "",
  "**8 declared partitions on 3 streams: 3 to commit, 1 refused, 4 unchanged; replay 300 records on 1 partition, skip 250 records on 1 partition.** Convention `next`. Read 2026-11-20T12:00:00.000Z.",
  "",
  "> [!CAUTION]",
  "> **1 refused: `up` would commit nothing until these are fixed.**",
  "> - checkpoints/prod/billing.yaml:9:7: would skip 200 records",
  "",
  "#### billing / orders",
  "",
  "Consumers idle: no checkpoint of the app moved in 30s.",
  "",
  "| partition | live | declared | move | records | status | retention margin |",
  "|---:|---:|---:|---|---:|---|---|",
  "| 0 | 500 | 200 | replay | 300 | commit | 14h 0m (until 2026-11-21T02:00:00.000Z) |",
  "| 1 | none | 300 | initial | — | commit | no record yet |",
  "| 3 | 700 | 900 | skip | 200 | **REFUSED** | already expired |",
  "",
  "1 partition unchanged (already live).",
  "",
];

const FULL_PLAN = "`dis-checkpoints plan --stack prod --format json`";

function tables(markdown: string): Tokens.Table[] {
  const found: Tokens.Table[] = [];
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if (token.type === "table") found.push(token as Tokens.Table);
      if ("tokens" in token && token.tokens) visit(token.tokens);
    }
  };
  visit(marked.lexer(markdown));
  return found;
}

/** What a reader sees of inline HTML: entities decoded; any tag Markdown made stays, and fails the comparison. */
function shown(html: string): string {
  return html.replace(/&(lt|gt|quot|#39|amp);/g, (_, entity: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[entity]!);
}

/** The number N of every "N partition(s) unchanged" in the text, summed. */
function unchangedCounted(markdown: string): number {
  return [...markdown.matchAll(/^(?:- .*: )?([\d,]+) partitions? unchanged/gm)].reduce((sum, match) => sum + Number(match[1]!.replace(/,/g, "")), 0);
}

describe("markdownText: names and messages show as written", () => {
  it.each([
    ["plain message", "checkpoints/prod/a.yaml:7:7: app 'a', partition 3", "checkpoints/prod/a.yaml:7:7: app 'a', partition 3"],
    ["pipe", "a|b", "a\\|b"],
    ["backticks", "`code`", "\\`code\\`"],
    ["HTML", "<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"],
    ["emphasis and links", "*em* _u_ [x](y)", "\\*em\\* \\_u\\_ \\[x\\](y)"],
    ["strike, entity, math, backslash", "~s~ &amp; $x$ \\", "\\~s\\~ \\&amp; \\$x\\$ \\\\"],
    ["line break", "first\n  second\r\nthird", "first second third"],
    ["list marker", "- item", "\\- item"],
    ["plus marker", "+ item", "\\+ item"],
    ["ordered list marker", "12. item", "12\\. item"],
    ["heading", "# title", "\\# title"],
  ])("%s", (_name, text, escaped) => {
    expect(markdownText(text)).toBe(escaped);
    const asWritten = text.replace(/\s*[\r\n]+\s*/g, " ");
    expect(shown(marked.parse(`- ${escaped}`, { async: false }))).toBe(`<ul>\n<li>${asWritten}</li>\n</ul>\n`);
    const [table] = tables(`| a |\n|---|\n| ${escaped} |\n`);
    expect(shown(marked.parseInline(table!.rows[0]![0]!.text, { async: false }))).toBe(asWritten);
  });
});

describe("renderMarkdown: exact text of small plans", () => {
  it("summary, refusals, only the partitions that move or are refused, unchanged streams collapsed", () => {
    expect(renderMarkdown(SMALL)).toBe(
      [
        ...SMALL_HEAD,
        "#### billing / payments (allowSkip, consumers may run)",
        "",
        "Consumers **active**: 1 checkpoint of the app moved in 30s (partition 1: 80 → 90).",
        "",
        "| partition | live | declared | move | records | status | retention margin |",
        "|---:|---:|---:|---|---:|---|---|",
        "| 0 | 1000 | 1250 | skip | 250 | commit | 14h 0m (until 2026-11-21T02:00:00.000Z) |",
        "",
        "1 partition unchanged (declaration unchanged).",
        "",
        "<details>",
        "<summary>1 stream with nothing to commit</summary>",
        "",
        "- billing / refunds: 2 partitions unchanged (already live)",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("nothing to commit: the summary and one collapsed line per stream", () => {
    const clean = report([stream("billing", "orders", [alreadyLive(0, "1090"), declarationUnchanged(1, "1200", "1000")]), stream("search", "clicks", [alreadyLive(0, "7")])], { stack: undefined });
    expect(renderMarkdown(clean)).toBe(
      [
        "### dis-checkpoints plan",
        "",
        "**3 declared partitions on 2 streams: 0 to commit, 0 refused, 3 unchanged; replay 0 records on 0 partitions, skip 0 records on 0 partitions.** Convention `next`. Read 2026-11-20T12:00:00.000Z.",
        "",
        "<details>",
        "<summary>2 streams with nothing to commit</summary>",
        "",
        "- billing / orders: 2 partitions unchanged (1 already live, 1 declaration unchanged)",
        "- search / clicks: 1 partition unchanged (already live)",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("cut at the bound: the stream that fits, a count of what is left out and where it is", () => {
    expect(renderMarkdown(SMALL, { maxChars: 1_200 })).toBe(
      [
        ...SMALL_HEAD,
        `**Left out to stay under 1,200 characters: 1 partition to commit or refused, on 1 stream.** The full plan, every partition: ${FULL_PLAN}.`,
        "",
        `1 stream with nothing to commit (2 partitions unchanged), each in the full plan: ${FULL_PLAN}.`,
        "",
      ].join("\n"),
    );
  });

  it("cut inside a stream: the rows that fit, and how many more the stream has", () => {
    const one = report([stream("billing", "orders", [...Array.from({ length: 10 }, (_, p) => move(p, "500", String(100 + p))), alreadyLive(10, "9")])]);
    expect(renderMarkdown(one, { maxChars: 1_000 })).toBe(
      [
        "### dis-checkpoints plan for stack `prod`",
        "",
        "**11 declared partitions on 1 stream: 10 to commit, 0 refused, 1 unchanged; replay 3,955 records on 10 partitions, skip 0 records on 0 partitions.** Convention `next`. Read 2026-11-20T12:00:00.000Z.",
        "",
        "#### billing / orders",
        "",
        "| partition | live | declared | move | records | status | retention margin |",
        "|---:|---:|---:|---|---:|---|---|",
        ...[0, 1, 2, 3].map((p) => `| ${p} | 500 | ${100 + p} | replay | ${400 - p} | commit | 14h 0m (until 2026-11-21T02:00:00.000Z) |`),
        "",
        "6 more partitions to commit or refused left out here. 1 partition unchanged (already live).",
        "",
        `**Left out to stay under 1,000 characters: 6 partitions to commit or refused, on 1 stream.** The full plan, every partition: ${FULL_PLAN}.`,
        "",
      ].join("\n"),
    );
  });
});

describe("first applies", () => {
  const message = "checkpoints/prod/billing.yaml:7:7: app 'billing', stream 'orders', partition 0: the state holds no earlier declaration of this stream [first-apply]";
  const rows = [refused(move(0, "500", "200"), message, "first-apply"), move(1, null, "300", { kind: "no-record-yet" })];
  const note = (whose: string, stack: string, stale = "") =>
    [
      "> [!IMPORTANT]",
      `> **First apply.** ${whose} no earlier declaration of the streams refused as \`first-apply\`. Either this is their first apply, or the stack's state went ` +
        `missing, and \`up\` would undo their consumers' progress since the last apply.${stale} If the moves are intended, acknowledge exactly them: ` +
        `\`dis-checkpoints up --stack ${stack} --acknowledge-first-apply fa-1234567890\`, or for a plain \`pulumi up\` set ` +
        "`dis-checkpoints:acknowledgeFirstApply: fa-1234567890` in the stack config (`plan` takes the same option, and shows them as commits). " +
        "Otherwise point Pulumi at the backend that holds the stack's state, or declare the live values to adopt them.",
    ].join("\n");

  it("refused: after the refusals, the token that acknowledges exactly these moves and the command that takes it", () => {
    expect(renderMarkdown(report([stream("billing", "orders", rows)], { firstApply: { token: "fa-1234567890", acknowledged: false } }))).toBe(
      [
        "### dis-checkpoints plan for stack `prod`",
        "",
        "**2 declared partitions on 1 stream: 1 to commit, 1 refused, 0 unchanged; replay 0 records on 0 partitions, skip 0 records on 0 partitions.** Convention `next`. Read 2026-11-20T12:00:00.000Z.",
        "",
        "> [!CAUTION]",
        "> **1 refused: `up` would commit nothing until these are fixed.**",
        `> - ${markdownText(message)}`,
        "",
        note("The state of stack `prod` holds", "prod"),
        "",
        "#### billing / orders",
        "",
        "| partition | live | declared | move | records | status | retention margin |",
        "|---:|---:|---:|---|---:|---|---|",
        "| 0 | 500 | 200 | replay | 300 | **REFUSED** | 14h 0m (until 2026-11-21T02:00:00.000Z) |",
        "| 1 | none | 300 | initial | — | commit | no record yet |",
        "",
      ].join("\n"),
    );
  });

  it.each<[string, Partial<PlanReport>, string]>([
    [
      "a token for other moves",
      { firstApply: { token: "fa-1234567890", acknowledged: false, staleToken: "fa-0000000000" } },
      note("The state of stack `prod` holds", "prod", " The acknowledgement given, `fa-0000000000`, was for other moves: live positions changed since."),
    ],
    ["no stack: every stream is a first apply", { stack: undefined, firstApply: { token: "fa-1234567890", acknowledged: false } }, note("Without --stack the plan knows of", "NAME")],
    [
      "acknowledged: one line, the moves planned as commits",
      { firstApply: { token: "fa-1234567890", acknowledged: true } },
      "First apply acknowledged (`fa-1234567890`): the moves refused as `first-apply` without it are planned as commits.",
    ],
  ])("%s", (_name, extra, text) => {
    expect(renderMarkdown(report([stream("billing", "orders", rows)], extra))).toContain(`\n\n${text}\n\n#### billing / orders\n`);
  });

  it("the note stays when the bound cuts the streams", () => {
    const plan = report([stream("billing", "orders", rows)], { firstApply: { token: "fa-1234567890", acknowledged: false } });
    const maxChars = renderMarkdown(plan).length - 1;
    const text = renderMarkdown(plan, { maxChars });
    expect(text.length).toBeLessThanOrEqual(maxChars);
    expect(text.endsWith(
      `\n\n${note("The state of stack \`prod\` holds", "prod")}\n\n` +
        `**Left out to stay under ${maxChars.toLocaleString("en-US")} characters: 2 partitions to commit or refused, on 1 stream.** The full plan, every partition: ${FULL_PLAN}.\n`,
    )).toBe(true);
  });

  it("JSON carries it as given", () => {
    const firstApply = { token: "fa-1234567890", acknowledged: false, staleToken: "fa-0000000000" };
    expect(JSON.parse(renderJson(report([stream("billing", "orders", rows)], { firstApply }))).firstApply).toEqual(firstApply);
  });
});

describe("a refusal on a partition the stream does not declare (its consumers moved it)", () => {
  const message = "checkpoints/prod/billing.yaml:5:3: app 'billing', stream 'orders', partition 3: the checkpoint moved from 700 to 705 within 0.3s [consumers-active]";
  const plan = report([
    stream("billing", "orders", [move(0, "500", "200"), alreadyLive(1, "42"), refusedUndeclared(3, "700", message)], {
      consumerActivity: { kind: "active", windowMs: 300, moved: [{ partition: 3, from: "700", to: "705" }] },
    }),
  ]);

  it("is a row of the table, refused, not declared; the summary counts it as refused, not as declared", () => {
    expect(renderMarkdown(plan)).toBe(
      [
        "### dis-checkpoints plan for stack `prod`",
        "",
        "**2 declared partitions on 1 stream: 1 to commit, 1 refused (1 not declared), 1 unchanged; replay 300 records on 1 partition, skip 0 records on 0 partitions.** Convention `next`. Read 2026-11-20T12:00:00.000Z.",
        "",
        "> [!CAUTION]",
        "> **1 refused: `up` would commit nothing until these are fixed.**",
        `> - ${markdownText(message)}`,
        "",
        "#### billing / orders",
        "",
        "Consumers **active**: 1 checkpoint of the app moved in 0.3s (partition 3: 700 → 705).",
        "",
        "| partition | live | declared | move | records | status | retention margin |",
        "|---:|---:|---:|---|---:|---|---|",
        "| 0 | 500 | 200 | replay | 300 | commit | 14h 0m (until 2026-11-21T02:00:00.000Z) |",
        "| 3 | 700 | not declared | — | — | **REFUSED** | unknown |",
        "",
        "1 partition unchanged (already live).",
        "",
      ].join("\n"),
    );
  });

  it("JSON: declared null, and the summary's refusedUndeclared", () => {
    const parsed = JSON.parse(renderJson(plan));
    expect(parsed.streams[0].rows[2]).toEqual({ partition: 3, live: "700", declared: null, records: "0", status: "refused", refusal: { code: "consumers-active", message }, retention: { kind: "unknown" } });
    expect(parsed.summary).toEqual({ partitions: 2, commits: 1, refused: 1, refusedUndeclared: 1, unchanged: 1, replay: { partitions: 1, records: "300" }, skip: { partitions: 0, records: "0" } });
    expect(parsed.refused).toBe(true);
  });
});

describe("a stream's heading and the line under it", () => {
  const rows = [move(0, "20", "10")];
  const moved = (n: number) => Array.from({ length: n }, (_, partition) => ({ partition, from: partition === 0 ? null : "1", to: "2" }));
  it.each<[string, Partial<StreamPlan>, string[]]>([
    ["no flags, activity not read", {}, ["#### a / s"]],
    ["allowSkip", { allowSkip: true }, ["#### a / s (allowSkip)"]],
    ["consumers may run", { whileConsumersRun: "allow" }, ["#### a / s (consumers may run)"]],
    ["refusing while consumers run is the plain heading", { whileConsumersRun: "refuse" }, ["#### a / s"]],
    [
      "not sampled",
      { consumerActivity: { kind: "not-sampled" } },
      ["#### a / s", "", "Consumers not sampled: they are watched only when nothing is refused and the stack's activityWindow is not 0."],
    ],
    ["idle over 1.5 s", { consumerActivity: { kind: "idle", windowMs: 1_500 } }, ["#### a / s", "", "Consumers idle: no checkpoint of the app moved in 1.5s."]],
    [
      "active, five moves named and the rest counted",
      { allowSkip: true, whileConsumersRun: "allow", consumerActivity: { kind: "active", windowMs: 90_000, moved: moved(7) } },
      [
        "#### a / s (allowSkip, consumers may run)",
        "",
        "Consumers **active**: 7 checkpoints of the app moved in 1m 30s (partition 0: none → 2; partition 1: 1 → 2; partition 2: 1 → 2; partition 3: 1 → 2; partition 4: 1 → 2; 2 more).",
      ],
    ],
    ["active with nothing listed", { consumerActivity: { kind: "active", windowMs: 5_000, moved: [] } }, ["#### a / s", "", "Consumers **active**: 0 checkpoints of the app moved in 5s."]],
  ])("%s", (_name, extra, lines) => {
    const text = renderMarkdown(report([stream("a", "s", rows, extra)]));
    const start = text.indexOf("#### ");
    expect(text.slice(start, text.indexOf("| partition |")).split("\n").slice(0, -2)).toEqual(lines);
  });
});

describe("streams with nothing to commit", () => {
  const plan = (streams: number) => report([stream("a", "busy", [move(0, "20", "10")]), ...Array.from({ length: streams }, (_, i) => stream("a", `idle${i}`, [alreadyLive(0, "1")]))]);
  it(`up to ${LISTED_UNCHANGED_STREAMS_MAX}: one line each, collapsed`, () => {
    const text = renderMarkdown(plan(LISTED_UNCHANGED_STREAMS_MAX));
    expect(text).toContain(`<details>\n<summary>${LISTED_UNCHANGED_STREAMS_MAX} streams with nothing to commit</summary>\n\n- a / idle0: 1 partition unchanged (already live)\n`);
    expect(text.match(/^- a \/ idle\d+: /gm)).toHaveLength(LISTED_UNCHANGED_STREAMS_MAX);
  });
  it("more: only their count", () => {
    const text = renderMarkdown(plan(LISTED_UNCHANGED_STREAMS_MAX + 1));
    expect(text).not.toContain("<details>");
    expect(text.endsWith(`\n\n${LISTED_UNCHANGED_STREAMS_MAX + 1} streams with nothing to commit (${LISTED_UNCHANGED_STREAMS_MAX + 1} partitions unchanged), each in the full plan: ${FULL_PLAN}.\n`)).toBe(true);
  });
  it("a list that does not fit the bound becomes the count", () => {
    const full = renderMarkdown(plan(3));
    const text = renderMarkdown(plan(3), { maxChars: full.length - 1 });
    expect(text).not.toContain("<details>");
    expect(text).toContain("| 0 | 20 | 10 | replay | 10 | commit |");
    expect(text).toContain("3 streams with nothing to commit (3 partitions unchanged)");
  });
});

describe("the size bound", () => {
  it.each<[string, (stream: number, partition: number) => "move" | "refused" | "unchanged"]>([
    ["two moves on each of 50 streams, both refusals among them", (s, p) => (s < 50 && p < 2 ? "move" : s < 2 && p === 2 ? "refused" : "unchanged")],
    ["one move on each of the 100 streams", (s, p) => (p === s ? "move" : s >= 98 && p === (s + 1) % 100 ? "refused" : "unchanged")],
  ])("10,000 declared partitions, 100 moving and 2 refused (%s): everything that changes, under the default bound", (_name, kind) => {
    const plan = gridReport(100, 100, kind);
    const text = renderMarkdown(plan);
    expect(text.length).toBeLessThan(DEFAULT_MAX_CHARS);
    expect(text).toContain("**10,000 declared partitions on 100 streams: 100 to commit, 2 refused, 9,898 unchanged;");
    const rows = tables(text).flatMap((table) => table.rows);
    expect(rows.filter((row) => row[5]!.text === "commit")).toHaveLength(100);
    expect(rows.filter((row) => row[5]!.text === "**REFUSED**")).toHaveLength(2);
    for (const refusal of plan.streams.flatMap((s) => s.rows.flatMap((row) => (row.refusal ? [row.refusal.message] : [])))) expect(text).toContain(`> - ${markdownText(refusal)}\n`);
    expect(unchangedCounted(text)).toBe(9_898);
    expect(text).not.toContain("Left out");
  });

  it("10,000 moves: under the default bound, saying how many partitions and streams it left out", () => {
    const text = renderMarkdown(gridReport(100, 100, () => "move"));
    expect(text.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    const shownRows = tables(text).reduce((sum, table) => sum + table.rows.length, 0);
    const shownStreams = tables(text).length;
    expect(shownRows).toBeGreaterThan(500);
    expect(text).toContain(`${100 - (shownRows % 100)} more partitions to commit or refused left out here.`);
    expect(text.endsWith(
      `\n\n**Left out to stay under 65,024 characters: ${(10_000 - shownRows).toLocaleString("en-US")} partitions to commit or refused, on ${100 - shownStreams + 1} streams.** The full plan, every partition: ${FULL_PLAN}.\n`,
    )).toBe(true);
  });

  it("every bound is kept, and a bound the whole plan fits gives the whole plan", () => {
    const full = renderMarkdown(SMALL, { maxChars: Number.MAX_SAFE_INTEGER });
    expect(renderMarkdown(SMALL, { maxChars: full.length })).toBe(full);
    // Below about 700 characters the summary, the refusal and the notice alone no longer fit.
    for (let maxChars = 700; maxChars < full.length; maxChars++) {
      const text = renderMarkdown(SMALL, { maxChars });
      expect(text.length).toBeLessThanOrEqual(maxChars);
      expect(text).toContain("> - checkpoints/prod/billing.yaml:9:7: would skip 200 records\n");
    }
  });

  const caution = (count: string, how: string) => `> [!CAUTION]\n> **${count} refused: \`up\` would commit nothing until these are fixed.** ${how} to stay under 65,024 characters; `;
  it.each<[string, PlanReport, string[]]>([
    [
      "10,000 refusals in runs: listed by partition",
      gridReport(100, 100, () => "refused"),
      [
        `${caution("10,000", "Listed by partition")}every message, with its file position, is in the full plan: ${FULL_PLAN}.\n> - app / s00: \`skip-not-allowed\` on partitions 0-99\n> - app / s01: \`skip-not-allowed\` on partitions 0-99\n`,
        "> - app / s99: `skip-not-allowed` on partitions 0-99\n\n",
      ],
    ],
    [
      "refusals with gaps, and two reasons: ranges per stream and reason",
      report([
        stream("app", "s", [
          ...Array.from({ length: 300 }, (_, p) => refused(move(p, "1", "2"), `${"a long explanation ".repeat(20)}${p}`)),
          refused(move(301, "1", "2"), "x"),
          refused(move(305, "1", "0"), "y", "out-of-range"),
        ]),
      ]),
      ["> - app / s: `skip-not-allowed` on partitions 0-299, 301\n> - app / s: `out-of-range` on partition 305\n"],
    ],
    [
      "50,000 scattered refusals: counted by reason",
      gridReport(100, 1_000, (_s, p) => (p % 2 === 1 ? "refused" : "unchanged")),
      [`${caution("50,000", "Counted by reason")}every partition and message is in the full plan: ${FULL_PLAN}.\n> - \`skip-not-allowed\`: 50,000 partitions on 100 streams\n\n`],
    ],
  ])("refusals that do not fit: %s", (_name, plan, excerpts) => {
    const text = renderMarkdown(plan);
    expect(text.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    for (const excerpt of excerpts) expect(text).toContain(excerpt);
  });

  it("a bound too small for the summary and the refusal counts: they are printed anyway", () => {
    const text = renderMarkdown(SMALL, { maxChars: 100 });
    expect(text.length).toBeGreaterThan(100);
    expect(text).toContain("**8 declared partitions on 3 streams: 3 to commit, 1 refused, 4 unchanged;");
    expect(text).toContain("> - `skip-not-allowed`: 1 partition on 1 stream\n");
    expect(text).toContain("**Left out to stay under 100 characters: 4 partitions to commit or refused, on 2 streams.**");
  });
});

describe("tables are GitHub-flavoured Markdown tables", () => {
  const HEADER = ["partition", "live", "declared", "move", "records", "status", "retention margin"];
  const ALIGN = ["right", "right", "right", null, "right", null, null];

  it("header, alignment (numbers right) and one row per partition that moves or is refused", () => {
    const found = tables(renderMarkdown(SMALL));
    expect(found.map((table) => table.header.map((cell) => cell.text))).toEqual([HEADER, HEADER]);
    expect(found.map((table) => table.align)).toEqual([ALIGN, ALIGN]);
    expect(found.map((table) => table.rows.length)).toEqual([3, 1]);
    expect(found[0]!.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ["0", "500", "200", "replay", "300", "commit", "14h 0m (until 2026-11-21T02:00:00.000Z)"],
      ["1", "none", "300", "initial", "—", "commit", "no record yet"],
      ["3", "700", "900", "skip", "200", "**REFUSED**", "already expired"],
    ]);
  });

  it("hostile names and values neither break the table nor turn into markup", () => {
    const hostile = "a|b `c` <img src=x> *d*";
    const plan = report([
      stream(hostile, "s|1", [refused({ ...move(0, "9", "1"), live: "9|9", declared: "1`2", direction: "initial" }, `${hostile} | message`), move(1, "1000000", "1")]),
      stream("x", "<quiet>", [alreadyLive(0, "1")]),
    ]);
    const text = renderMarkdown(plan);
    const [table] = tables(text);
    expect(table!.header).toHaveLength(7);
    expect(table!.rows.map((row) => row.length)).toEqual([7, 7]);
    expect(table!.rows.map((row) => [row[1]!.text, row[2]!.text, row[4]!.text].map((cell) => shown(marked.parseInline(cell, { async: false }))))).toEqual([
      ["9|9", "1`2", "—"],
      ["1000000", "1", "999,999"],
    ]);
    const html = marked.parse(text, { async: false });
    expect(html).not.toMatch(/<img|<em>|<code>c|<quiet>/);
    expect(shown(html)).toContain(`<h4>${hostile} / s|1</h4>`);
    expect(shown(html)).toContain(`<li>${hostile} | message</li>`);
    expect(shown(html)).toContain("<li>x / <quiet>: 1 partition unchanged (already live)</li>");
  });
});

describe("renderJson", () => {
  const activity: ConsumerActivity = { kind: "active", windowMs: 30_000, moved: [{ partition: 1, from: "80", to: "90" }] };

  it(`version ${PLAN_JSON_VERSION}: the report as given, its summary and whether anything is refused`, () => {
    expect(JSON.parse(renderJson(SMALL))).toEqual({
      version: 3,
      ...JSON.parse(JSON.stringify(SMALL)),
      summary: { partitions: 8, commits: 3, refused: 1, refusedUndeclared: 0, unchanged: 4, replay: { partitions: 1, records: "300" }, skip: { partitions: 1, records: "250" } },
      refused: true,
    });
    expect(JSON.parse(renderJson(SMALL)).streams[1]).toMatchObject({ whileConsumersRun: "allow", consumerActivity: activity });
    expect(JSON.parse(renderJson(report([stream("a", "s", [alreadyLive(0, "1")])]))).streams[0]).not.toHaveProperty("consumerActivity");
  });

  it("keeps every partition, however many", () => {
    const plan = gridReport(100, 100, () => "move");
    const parsed = JSON.parse(renderJson(plan));
    expect(parsed.streams.flatMap((s: StreamPlan) => s.rows)).toHaveLength(10_000);
    expect(parsed.summary).toMatchObject({ partitions: 10_000, commits: 10_000, unchanged: 0 });
  });
});
