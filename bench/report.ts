/**
 * Results as data, the ratios and targets derived from them, and their Markdown rendering. Pure: the
 * driver (index.ts) measures, this file only computes and formats.
 */

export const SCENARIOS = ["floor", "naive", "empty", "first", "first-waits", "noop", "change1pct", "preview", "refresh", "change1pct-waits"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const WRITE_OPERATIONS = new Set(["CommitCheckpoint", "DeleteCheckpoint", "CreateApp", "DeleteApp", "CreateStream", "DeleteStream", "PutRecords"]);

export interface RunResult {
  wallMs: number;
  /** Emulator requests during the run, per DIS operation. */
  requests: Record<string, number>;
  /** Peak RSS of the dynamic-provider process (VmHWM); null when none ran or /proc is unavailable. */
  providerPeakRssBytes: number | null;
  /** The stack's state file after the run (Pulumi scenarios). */
  stateBytes?: number;
  /** `up of stack 'x' done: …` as the CLI printed it (Pulumi scenarios). */
  summary?: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  what: string;
  runs: RunResult[];
  medianMs: number;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  pulumi: string;
  date: string;
  /** 1/5/15-minute load averages before and after: the machine is shared, so read timings with them. */
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface BenchSettings {
  checkpoints: number;
  partitions: number;
  pairs: number;
  apps: number;
  /** Commits in flight: floor, and `dis-checkpoints:concurrency` of the reconciler's stacks. */
  concurrency: number;
  runs: number;
  /** Latency the emulator added to every request, modelling a network round trip (0: plain loopback). */
  latencyMs: number;
  /** Extra environment of the reconciler runs (Pulumi knobs). */
  env: Record<string, string>;
  /** What change1pct changes: (app, stream) pairs, and distinct stream names among them. */
  changedPairs: number;
  changedStreams: number;
}

export interface ProviderText {
  /** Length of one serialized provider (`__provider`), the largest seen. */
  bytesPerCopy: number;
  /** Copies per resource in the state (inputs and outputs). */
  copiesPerResource: number;
  resources: number;
}

export interface MainSection {
  machine: MachineInfo;
  settings: BenchSettings;
  scenarios: ScenarioResult[];
  providerText: ProviderText;
  ratios: Ratio[];
}

export interface ScalingPoint {
  checkpoints: number;
  pairs: number;
  emptyMs: number;
  firstMs: number;
  noopMs: number;
  change1pctMs: number;
  previewMs: number;
  refreshMs: number;
  firstCommits: number;
  noopWrites: number;
  stateBytes: number;
  providerPeakRssBytes: number | null;
}

export interface ScalingSection {
  machine: MachineInfo;
  settings: Omit<BenchSettings, "checkpoints" | "pairs" | "apps" | "changedPairs" | "changedStreams">;
  points: ScalingPoint[];
  /** (time at the largest N / time at the previous N) / (N ratio), per phase: ≤ 1 is linear or better. */
  growth: Record<"first" | "noop" | "change1pct" | "preview", number | null>;
}

export interface Results {
  /** Plain loopback, default knobs. */
  main?: MainSection;
  /** The same scenarios with added latency or Pulumi knobs, keyed by variantName. */
  variants?: Record<string, MainSection>;
  /** Keyed by the variant: `default`, or the extra environment it ran with. */
  scaling?: Record<string, ScalingSection>;
}

export interface Ratio {
  name: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
}

/** `default`, or what differs from it: `latency 10 ms`, `PULUMI_SKIP_CHECKPOINTS=true`. */
export function variantName(settings: Pick<BenchSettings, "latencyMs" | "env">): string {
  const parts = [
    ...(settings.latencyMs > 0 ? [`latency ${settings.latencyMs} ms`] : []),
    ...Object.entries(settings.env).map(([key, value]) => `${key}=${value}`),
  ];
  return parts.length === 0 ? "default" : parts.join(", ");
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The largest provider peak over the runs; null when no run had a provider process. */
export function peakOf(runs: readonly RunResult[]): number | null {
  const peaks = runs.flatMap((run) => (run.providerPeakRssBytes === null ? [] : [run.providerPeakRssBytes]));
  return peaks.length === 0 ? null : Math.max(...peaks);
}

export function writesOf(requests: Record<string, number>): number {
  return Object.entries(requests).reduce((sum, [operation, count]) => sum + (WRITE_OPERATIONS.has(operation) ? count : 0), 0);
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** The waits of `change1pct-waits`: the defaults of dis-checkpoints:activityWindow and settleInterval. */
export const DEFAULT_WAITS_MS = 20_000;

export function computeRatios(scenarios: readonly ScenarioResult[], settings: BenchSettings, providerText: ProviderText): Ratio[] {
  const find = (name: ScenarioName) => scenarios.find((scenario) => scenario.name === name);
  const ms = (name: ScenarioName) => find(name)!.medianMs;
  const first = find("first")!;
  const noop = find("noop")!;
  const change = find("change1pct")!;
  const stateBytes = first.runs.at(-1)?.stateBytes ?? 0;
  const noopWrites = Math.max(...noop.runs.map((run) => writesOf(run.requests)));
  const perResource = providerText.bytesPerCopy * providerText.copiesPerResource;
  const perChange = (operation: string, per: number) => Math.max(...change.runs.map((run) => (run.requests[operation] ?? 0) / per));
  const describesPerStream = perChange("DescribeStream", settings.changedStreams);
  const consumerReadsPerPair = perChange("ShowConsumerState", settings.changedPairs);
  const ratios: Array<Omit<Ratio, "met"> & { limit: number }> = [
    { name: "(first − empty) / floor", value: round((ms("first") - ms("empty")) / ms("floor")), unit: "×", target: "≤ 1.2", limit: 1.2 },
    { name: "noop write requests", value: noopWrites, unit: "requests", target: "= 0", limit: 0 },
    { name: "noop / empty", value: round(ms("noop") / ms("empty")), unit: "×", target: "≤ 1.2", limit: 1.2 },
    { name: "change1pct / empty", value: round(ms("change1pct") / ms("empty")), unit: "×", target: "≤ 1.5", limit: 1.5 },
    { name: "preview / empty", value: round(ms("preview") / ms("empty")), unit: "×", target: "≤ 1.3", limit: 1.3 },
    { name: "refresh / empty", value: round(ms("refresh") / ms("empty")), unit: "×", target: "≤ 1.3", limit: 1.3 },
    { name: "DescribeStream per changed stream (change1pct)", value: round(describesPerStream), unit: "requests", target: "≤ 1", limit: 1 },
    {
      name: "ShowConsumerState per changed pair (change1pct)",
      value: round(consumerReadsPerPair),
      unit: "requests (two samples a window apart, one verification)",
      target: "≤ 3",
      limit: 3,
    },
    { name: "state per declared checkpoint", value: round(stateBytes / settings.checkpoints, 1), unit: "bytes", target: "≤ 200", limit: 200 },
    {
      name: "serialized provider text per resource",
      value: providerText.bytesPerCopy,
      unit: `bytes (the state holds ${providerText.copiesPerResource} copies: ${perResource} bytes)`,
      target: "≤ 1024",
      limit: 1024,
    },
  ];
  for (const [waited, without] of [["first-waits", "first"], ["change1pct-waits", "change1pct"]] as const) {
    const withWaits = find(waited);
    if (!withWaits) continue;
    ratios.push({
      name: `${waited} − ${without} (the default activity window and settle interval, 10 s each)`,
      value: round((withWaits.medianMs - ms(without)) / 1000),
      unit: "s",
      target: `≈ ${DEFAULT_WAITS_MS / 1000} s, once per run`,
      limit: (DEFAULT_WAITS_MS * 1.25) / 1000,
    });
  }
  return ratios.map(({ limit, ...ratio }) => ({ ...ratio, met: ratio.value <= limit }));
}

/** Scaling from the second-largest to the largest N: time ratio over size ratio. */
export function growthOf(points: readonly ScalingPoint[]): ScalingSection["growth"] {
  const [previous, last] = [points.at(-2), points.at(-1)];
  const growth = (pick: (point: ScalingPoint) => number) =>
    previous && last && pick(previous) > 0 ? round(pick(last) / pick(previous) / (last.checkpoints / previous.checkpoints)) : null;
  return {
    first: growth((point) => point.firstMs),
    noop: growth((point) => point.noopMs),
    change1pct: growth((point) => point.change1pctMs),
    preview: growth((point) => point.previewMs),
  };
}

// ---- rendering --------------------------------------------------------------------------------

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number | null) => (bytes === null ? "–" : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);
const kib = (bytes: number | undefined) => (bytes === undefined ? "–" : `${(bytes / 1024).toFixed(0)} KiB`);

function table(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  return [`| ${header!.join(" | ")} |`, `|${header!.map(() => "---").join("|")}|`, ...body.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

function requestsText(requests: Record<string, number>): string {
  const entries = Object.entries(requests);
  return entries.length === 0 ? "none" : entries.map(([operation, count]) => `${operation} ${count}`).join(", ");
}

export function machineText(machine: MachineInfo): string {
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, ` +
    `Node ${machine.node}, Pulumi ${machine.pulumi}, ${machine.date}; load average ${machine.loadAverageBefore.join(" / ")} before, ` +
    `${machine.loadAverageAfter.join(" / ")} after (1/5/15 min)`
  );
}

export function renderMain(section: MainSection): string {
  const { settings } = section;
  const env = Object.entries(settings.env).map(([key, value]) => `${key}=${value}`);
  const rows = [["scenario", "what", "median", "runs", "requests per run", "provider peak RSS", "state file"]];
  for (const scenario of section.scenarios) {
    const last = scenario.runs.at(-1)!;
    rows.push([
      scenario.name,
      scenario.what,
      seconds(scenario.medianMs),
      scenario.runs.map((run) => (run.wallMs / 1000).toFixed(2)).join(", "),
      requestsText(last.requests),
      mib(peakOf(scenario.runs)),
      kib(last.stateBytes),
    ]);
  }
  const ratioRows = [["ratio", "value", "target", "met"], ...section.ratios.map((ratio) => [ratio.name, `${ratio.value} ${ratio.unit}`, ratio.target, ratio.met ? "yes" : "**no**"])];
  return [
    `N = ${settings.checkpoints.toLocaleString("en-US")} checkpoints: ${settings.pairs} (app, stream) pairs × ${settings.partitions} partitions, ` +
      `${settings.apps} apps; concurrency ${settings.concurrency}; ${settings.runs} run(s) per scenario` +
      (settings.latencyMs > 0 ? `; every request delayed ${settings.latencyMs} ms by the emulator` : "") +
      (env.length > 0 ? `; ${env.join(" ")}` : ""),
    "",
    `Machine: ${machineText(section.machine)}`,
    "",
    table(rows),
    "",
    table(ratioRows),
  ].join("\n");
}

export function renderScaling(variant: string, section: ScalingSection): string {
  const rows = [["N", "pairs", "empty", "first", "noop", "change1pct", "preview", "refresh", "noop / empty", "change1pct / empty", "noop writes", "state per checkpoint", "provider peak RSS"]];
  for (const point of section.points) {
    rows.push([
      point.checkpoints.toLocaleString("en-US"),
      String(point.pairs),
      seconds(point.emptyMs),
      seconds(point.firstMs),
      seconds(point.noopMs),
      seconds(point.change1pctMs),
      seconds(point.previewMs),
      seconds(point.refreshMs),
      `${round(point.noopMs / point.emptyMs)} ×`,
      `${round(point.change1pctMs / point.emptyMs)} ×`,
      String(point.noopWrites),
      `${round(point.stateBytes / point.checkpoints, 1)} bytes`,
      mib(point.providerPeakRssBytes),
    ]);
  }
  const growth = Object.entries(section.growth).map(([phase, value]) => `${phase} ${value ?? "–"}`).join(", ");
  return [
    `Scaling (${variant}; ${section.settings.partitions} partitions per pair, concurrency ${section.settings.concurrency}, ${section.settings.runs} run each` +
      (section.settings.latencyMs > 0 ? `, every request delayed ${section.settings.latencyMs} ms` : "") +
      ")",
    "",
    `Machine: ${machineText(section.machine)}`,
    "",
    table(rows),
    "",
    `Growth from the second-largest to the largest N, (time ratio) / (N ratio), ≤ 1.1 is within 11 × at ten times the size: ${growth}`,
  ].join("\n");
}

export function renderResults(results: Results): string {
  const parts = ["# Benchmark results", "", "Written by `npm run bench` (see bench/README.md). Timings are from a shared machine: read them with the load average.", ""];
  if (results.main) parts.push("## Reconciler against the raw API floor", "", renderMain(results.main), "");
  for (const [variant, section] of Object.entries(results.variants ?? {})) parts.push(`## Variant: ${variant}`, "", renderMain(section), "");
  for (const [variant, section] of Object.entries(results.scaling ?? {})) parts.push(`## Scaling: ${variant}`, "", renderScaling(variant, section), "");
  return parts.join("\n");
}
