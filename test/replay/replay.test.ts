/**
 * export, resolve, plan and restore end to end: the compiled CLI against the emulator, with records at known
 * timestamps, simulated consumers, and `dis-checkpoints up` through the real Pulumi CLI. State is read through
 * the stack's outputs. Steps build on each other, in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/emulator";
import { appliedPartitions, OUTPUTS, STACK, startWorld, writes, type World } from "../support/world";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.now();
/** Generated records of `orders`: sequence number 1000 + i written at T0 + i minutes. */
const T0 = Math.floor((NOW - 10 * HOUR) / MINUTE) * MINUTE;
/** `old` keeps 24 h: record k written at OLD0 + k·30 min; records 0–11 have expired, 12 is the earliest left. */
const OLD0 = Math.floor((NOW - 30 * HOUR + 15 * MINUTE) / MINUTE) * MINUTE;
/** `events` has a gap: records 0–4 written at these minutes after T0. */
const EVENT_MINUTES = [0, 1, 2, 60, 61];

const SEED = {
  streams: [
    { name: "orders", partitions: 3, records: { perPartition: [100, 0, 100], startTime: T0, intervalMs: MINUTE, firstSequenceNumber: "1000" } },
    { name: "events", partitions: 1 },
    { name: "old", partitions: 1, retentionHours: 24, records: { perPartition: 40, startTime: OLD0, intervalMs: 30 * MINUTE } },
    /** Room for a simulated consumer to keep moving: one record a second for the last 13.9 hours. */
    { name: "clicks", partitions: 2, records: { perPartition: 50_000 } },
  ],
  apps: ["billing", "search"],
  checkpoints: [
    { app: "billing", stream: "orders", partition: 0, sequenceNumber: "1090", metadata: "consumer" },
    { app: "billing", stream: "orders", partition: 2, sequenceNumber: "1095" },
    { app: "billing", stream: "old", partition: 0, sequenceNumber: "30" },
  ],
};

const iso = (ms: number) => new Date(ms).toISOString();
/** The same instant written with a +08:00 offset. */
const inChina = (ms: number) => new Date(ms + 8 * HOUR).toISOString().replace("Z", "+08:00");

function commits(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      return `${body.app_name}/${body.stream_name}/${body.partition_id}=${body.sequence_number}${body.metadata ? ` ${body.metadata}` : ""}`;
    })
    .sort();
}

function live(world: World, stream: string, partition: number): string | undefined {
  return world.emulator.state.showCheckpoint({ app: "billing", stream, partition: { ordinal: partition, id: String(partition) } })?.sequenceNumber.toString();
}

/** The stack output `restorePoint`, decrypted, as `pulumi stack output` prints it. */
async function restorePointOutput(world: World): Promise<unknown> {
  const result = await world.pulumi("stack", "output", OUTPUTS.restorePoint, "--show-secrets", "--json", "--stack", STACK);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe("disaster-recovery commands against the emulator", () => {
  let world: World;
  let direct: string[];
  const read = (file: string) => fs.readFileSync(path.join(world.project.dir, file), "utf8");
  const exists = (file: string) => fs.existsSync(path.join(world.project.dir, file));

  beforeAll(async () => {
    world = await startWorld({ seed: SEED, declarations: {} });
    world.emulator.state.putRecords(
      "events",
      EVENT_MINUTES.map((minutes) => ({ data: Buffer.from("e").toString("base64"), partition: { ordinal: 0, id: "0" }, timestamp: T0 + minutes * MINUTE })),
    );
    world.emulator.state.commitCheckpoint({ app: "billing", stream: "events", partition: { ordinal: 0, id: "0" } }, 4n);
    direct = ["--endpoint", world.emulator.url, "--project-id", world.emulator.projectId];
    world.takeRequests();
  });
  afterAll(async () => world?.close());

  const AT = T0 + 30 * MINUTE + 30_000;
  const resolvedMetadata = (at: number, sequenceNumber: number, writtenAt: number, convention: string, source = "first record at or after it") =>
    `resolve --at ${iso(at)}: ${source} ${sequenceNumber} written ${iso(writtenAt)}, convention ${convention}`;

  it("resolve (next): the first record at or after the instant, across a gap in timestamps; empty partitions reported, not declared", async () => {
    const result = await world.dis("resolve", "--at", inChina(AT), "--app", "billing", "--stream", "orders", "--stream", "events", "--out", "resolved/next", ...direct);
    expect(result.stderr).toBe("billing / orders: 3 partitions read\nbilling / events: 1 partition read\n");
    expect(result.stdout).toBe(
      [
        `Instant: ${iso(AT)}`,
        "Convention 'next': a checkpoint is the next sequence number to read, so the first record at or after the instant is declared.",
        "billing / orders",
        `  partition 0: 1031 (record 1031 written ${iso(T0 + 31 * MINUTE)})`,
        "  partition 1: empty (no retained records; the next will be 1000): nothing declared",
        `  partition 2: 1031 (record 1031 written ${iso(T0 + 31 * MINUTE)})`,
        "billing / events",
        `  partition 0: 3 (record 3 written ${iso(T0 + 60 * MINUTE)})`,
        "Wrote resolved/next/billing.yaml",
        "",
      ].join("\n"),
    );
    expect(result.code).toBe(0);
    expect(read("resolved/next/billing.yaml")).toBe(
      [
        "# yaml-language-server: $schema=../../checkpoints.schema.json",
        "version: 1",
        "app: billing",
        "streams:",
        "  events:",
        "    partitions:",
        "      0:",
        '        sequenceNumber: "3"',
        `        metadata: "${resolvedMetadata(AT, 3, T0 + 60 * MINUTE, "next")}"`,
        "  orders:",
        "    partitions:",
        "      0:",
        '        sequenceNumber: "1031"',
        `        metadata: "${resolvedMetadata(AT, 1031, T0 + 31 * MINUTE, "next")}"`,
        "      2:",
        '        sequenceNumber: "1031"',
        `        metadata: "${resolvedMetadata(AT, 1031, T0 + 31 * MINUTE, "next")}"`,
        "",
      ].join("\n"),
    );
    expect((await world.dis("validate", "resolved/next")).code).toBe(0);
    // One cursor and one page per non-empty partition (read in parallel); the empty one is known from DescribeStream.
    expect(world.takeRequests().map((entry) => entry.operation).sort()).toEqual([
      "DescribeStream", "DescribeStream", "GetCursor", "GetCursor", "GetCursor", "GetRecords", "GetRecords", "GetRecords", "ShowApp",
    ]);
  });

  it("resolve (last): the sequence number before the first record at or after the instant", async () => {
    const result = await world.dis("resolve", "--at", iso(AT), "--app", "billing", "--stream", "orders", "--stream", "events", "--out", "resolved/last", "--convention", "last", ...direct);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(1, 9)).toEqual([
      "Convention 'last': a checkpoint is the last sequence number read, so the one before the first record at or after the instant is declared.",
      "billing / orders",
      `  partition 0: 1030 (record 1031 written ${iso(T0 + 31 * MINUTE)})`,
      "  partition 1: empty (no retained records; the next will be 1000): nothing declared",
      `  partition 2: 1030 (record 1031 written ${iso(T0 + 31 * MINUTE)})`,
      "billing / events",
      `  partition 0: 2 (record 3 written ${iso(T0 + 60 * MINUTE)})`,
      "Wrote resolved/last/billing.yaml",
    ]);
    expect(read("resolved/last/billing.yaml")).toContain(`sequenceNumber: "2"\n        metadata: "${resolvedMetadata(AT, 3, T0 + 60 * MINUTE, "last")}"`);
  });

  it("resolve (last) at the first retained record refuses: nothing below the range can be declared; nothing is written", async () => {
    const before = T0 - HOUR;
    const result = await world.dis("resolve", "--at", iso(before), "--app", "billing", "--stream", "orders", "--stream", "events", "--out", "resolved/boundary", "--convention", "last", ...direct);
    const refusal = (first: number) =>
      `ERROR: convention 'last' needs ${first - 1}, one before record ${first}, but the partition retains ${first} onwards: no checkpoint makes the consumer start at its first retained record; reset the consumer to its earliest position instead`;
    expect(result.stdout.split("\n").filter((line) => line.startsWith("  partition"))).toEqual([
      `  partition 0: ${refusal(1000)}`,
      "  partition 1: empty (no retained records; the next will be 1000): nothing declared",
      `  partition 2: ${refusal(1000)}`,
      `  partition 0: ${refusal(0)}`,
    ]);
    expect(result.stderr).toContain("dis-checkpoints resolve: 3 partitions could not be resolved (ERROR above); nothing was written\n");
    expect(result.code).toBe(1);
    expect(exists("resolved/boundary")).toBe(false);
  });

  it("resolve after the last record: reported per partition, nothing declared", async () => {
    const after = T0 + 150 * MINUTE;
    const result = await world.dis("resolve", "--at", iso(after), "--app", "billing", "--stream", "orders", "--stream", "events", "--out", "resolved/after", ...direct);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("  partition") || line.startsWith("Wrote"))).toEqual([
      `  partition 0: no record at or after ${iso(after)} yet (the next will be 1100): nothing declared`,
      "  partition 1: empty (no retained records; the next will be 1000): nothing declared",
      `  partition 2: no record at or after ${iso(after)} yet (the next will be 1100): nothing declared`,
      `  partition 0: no record at or after ${iso(after)} yet (the next will be 5): nothing declared`,
      "Wrote nothing (no partition resolved)",
    ]);
    expect(result.code).toBe(0);
    expect(exists("resolved/after")).toBe(false);
  });

  it("resolve before retention fails by default and takes the earliest retained record with --earliest", async () => {
    const at = NOW - 27 * HOUR;
    const refused = await world.dis("resolve", "--at", iso(at), "--app", "billing", "--stream", "old", "--out", "resolved/old", ...direct);
    expect(refused.stdout).toContain(
      `  partition 0: ERROR: ${iso(at)} is before the retained range (the earliest retained record is from ${iso(OLD0 + 12 * 30 * MINUTE)}): records from then are gone; pass --earliest to start from the earliest retained record instead\n`,
    );
    expect(refused.code).toBe(1);
    expect(exists("resolved/old")).toBe(false);
    const earliest = await world.dis("resolve", "--at", iso(at), "--app", "billing", "--stream", "old", "--out", "resolved/old", "--earliest", ...direct);
    expect(earliest.stdout).toContain(`  partition 0: 12 (record 12 written ${iso(OLD0 + 12 * 30 * MINUTE)}, the earliest retained: --earliest)\n`);
    expect(earliest.code).toBe(0);
    expect(read("resolved/old/billing.yaml")).toContain(
      `sequenceNumber: "12"\n        metadata: "${resolvedMetadata(at, 12, OLD0 + 12 * 30 * MINUTE, "next", "earliest retained record")}"`,
    );
  });

  it("resolve refuses instants in the future or without an offset before contacting DIS", async () => {
    world.takeRequests();
    const future = await world.dis("resolve", "--at", "2999-01-01T00:00:00Z", "--app", "billing", ...direct);
    expect(future.stderr).toMatch(/^dis-checkpoints resolve: --at 2999-01-01T00:00:00Z is in the future \(now is [^)]+\): there is nothing to replay from there yet\n$/);
    expect(future.code).toBe(1);
    const local = await world.dis("resolve", "--at", "2026-11-20T10:00:00", "--app", "billing", ...direct);
    expect(local.stderr).toBe("dis-checkpoints resolve: --at 2026-11-20T10:00:00 has no time-zone offset: add one (Z for UTC, or e.g. +08:00); the zone is never guessed\n");
    expect(local.code).toBe(1);
    const usage = await world.dis("resolve", "--app", "billing", ...direct);
    expect(usage.stderr).toBe("dis-checkpoints: resolve: --at is required (see dis-checkpoints resolve --help)\n");
    expect(usage.code).toBe(2);
    expect(world.takeRequests()).toEqual([]);
  });

  it("export before the stack exists names the way out; with --endpoint it writes the live positions", async () => {
    const missing = await world.dis("export", "--stack", STACK, "--app", "billing");
    expect(missing.stderr).toBe(
      `dis-checkpoints export: stack '${STACK}' does not exist yet: create it with \`dis-checkpoints preview --stack ${STACK}\`, or connect with --endpoint/--region and --project-id\n`,
    );
    expect(missing.code).toBe(1);
    const named = await world.dis("export", "--app", "search", ...direct);
    expect(named.stderr).toBe("dis-checkpoints export: app 'search' has no committed streams: name the streams to read with --stream\n");
    expect(named.code).toBe(1);

    const result = await world.dis("export", "--app", "billing", "--stream", "orders", "--out", `checkpoints/${STACK}`, ...direct);
    expect(result.stderr).toBe("billing / orders: read\n");
    expect(result.stdout).toBe(`billing / orders: 2 checkpoints; no checkpoint on partitions 1 (left out)\nWrote checkpoints/${STACK}/billing.yaml\n`);
    expect(result.code).toBe(0);
    expect(read(`checkpoints/${STACK}/billing.yaml`)).toBe(
      [
        "# yaml-language-server: $schema=../../checkpoints.schema.json",
        "version: 1",
        "app: billing",
        "streams:",
        "  orders:",
        "    partitions:",
        "      0:",
        '        sequenceNumber: "1090"',
        "        metadata: consumer",
        '      2: "1095"',
        "",
      ].join("\n"),
    );
    const again = await world.dis("export", "--app", "billing", "--stream", "orders", "--out", `checkpoints/${STACK}`, ...direct);
    expect(again.stderr).toBe(`billing / orders: read\ndis-checkpoints export: ${path.join(world.project.dir, "checkpoints", STACK, "billing.yaml")} already exists: choose another --out directory, or pass --force to replace\n`);
    expect(again.code).toBe(1);
  });

  it("export → validate → up commits nothing: the reconciler adopts the exported positions", async () => {
    expect((await world.dis("validate", `checkpoints/${STACK}`)).stdout).toBe("1 app, 1 stream, 2 checkpoints in 1 file\n");
    world.takeRequests();
    const up = await world.dis("up", "--stack", STACK);
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    expect(up.stdout).not.toContain("Restore point:");
    const requests = world.takeRequests();
    expect(requests.filter((entry) => entry.operation === "CommitCheckpoint")).toEqual([]);
    expect(writes(requests)).toEqual([]);
    expect(exists(".restore")).toBe(false);
  });

  it("export --all through the stack's config: every app, every committed stream", async () => {
    const result = await world.dis("export", "--stack", STACK, "--all", "--out", "backup");
    expect(result.stdout).toBe(
      [
        "billing / events: 1 checkpoint",
        "billing / old: 1 checkpoint",
        "billing / orders: 2 checkpoints; no checkpoint on partitions 1 (left out)",
        "No checkpoints at all (no file written): search",
        "Wrote backup/billing.yaml",
        "",
      ].join("\n"),
    );
    expect(result.code).toBe(0);
    expect(fs.readdirSync(path.join(world.project.dir, "backup"))).toEqual(["billing.yaml"]);
  });

  it("plan: counts are sequence-number differences, refusals exit 3, margins come from the declared record's timestamp", async () => {
    world.writeDeclaration(
      "billing.yaml",
      'version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0:\n        sequenceNumber: "1050"\n        metadata: "replay INC-7"\n      1: "1000"\n      2: "1099"\n',
    );
    const json = await world.dis("plan", "--stack", STACK, "--format", "json");
    // Progress goes to stderr; with something refused, the consumers are not watched (nothing would be committed).
    expect(json.stderr).toBe("Reading live positions of 1 stream with declared changes\n");
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ version: 3, stack: STACK, convention: "next", refused: true });
    expect(report).not.toHaveProperty("firstApply");
    expect(report.streams[0]).toMatchObject({ app: "billing", stream: "orders", allowSkip: false, whileConsumersRun: "refuse", consumerActivity: { kind: "not-sampled" } });
    expect(report.summary).toEqual({ partitions: 3, commits: 2, refused: 1, refusedUndeclared: 0, unchanged: 0, replay: { partitions: 1, records: "40" }, skip: { partitions: 0, records: "0" } });
    const rows = report.streams[0].rows.map(({ retention, ...row }: { retention: { kind: string; expiresAt?: number } }) => ({ ...row, retention: retention.kind, expiresAt: retention.expiresAt }));
    expect(rows).toEqual([
      { partition: 0, live: "1090", declared: "1050", direction: "replay", records: "40", status: "commit", retention: "ok", expiresAt: T0 + 50 * MINUTE + 24 * HOUR },
      { partition: 1, live: null, declared: "1000", direction: "initial", records: "0", status: "commit", retention: "no-record-yet" },
      {
        partition: 2,
        live: "1095",
        declared: "1099",
        direction: "skip",
        records: "4",
        status: "refused",
        refusal: {
          code: "skip-not-allowed",
          message: `checkpoints/${STACK}/billing.yaml:10:7: app 'billing', stream 'orders', partition 2: moving the live checkpoint 1095 forward to 1099 would skip 4 records; set allowSkip: true on stream 'orders' to allow it, or declare 1095 or less [skip-not-allowed]`,
        },
        retention: "ok",
        expiresAt: T0 + 99 * MINUTE + 24 * HOUR,
      },
    ]);

    const markdown = await world.dis("plan", "--stack", STACK);
    expect(markdown.code).toBe(3);
    const lines = markdown.stdout.replace(/\d+h \d+m \(until [^)]+\)/g, "<margin>").split("\n");
    expect(lines[0]).toBe(`### dis-checkpoints plan for stack \`${STACK}\``);
    expect(lines[2]).toMatch(
      /^\*\*3 declared partitions on 1 stream: 2 to commit, 1 refused, 0 unchanged; replay 40 records on 1 partition, skip 0 records on 0 partitions\.\*\* Convention `next`\. Read \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\.$/,
    );
    expect(lines.slice(3)).toEqual([
      "",
      "> [!CAUTION]",
      "> **1 refused: `up` would commit nothing until these are fixed.**",
      `> - ${rows[2].refusal.message.replace("[skip-not-allowed]", "\\[skip-not-allowed\\]")}`,
      "",
      "#### billing / orders",
      "",
      "Consumers not sampled: they are watched only when nothing is refused and the stack's activityWindow is not 0.",
      "",
      "| partition | live | declared | move | records | status | retention margin |",
      "|---:|---:|---:|---|---:|---|---|",
      "| 0 | 1090 | 1050 | replay | 40 | commit | <margin> |",
      "| 1 | none | 1000 | initial | — | commit | no record yet |",
      "| 2 | 1095 | 1099 | skip | 4 | **REFUSED** | <margin> |",
      "",
    ]);
    expect(writes(world.takeRequests())).toEqual([]);
  });

  let restorePoint = "";
  it("up that replays writes a restore point: a stack output and .restore/<stack>/<time>/", async () => {
    world.writeDeclaration(
      "billing.yaml",
      '# replay INC-7\nversion: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0:\n        sequenceNumber: "1050"\n        metadata: "replay INC-7"\n      1: "1000" # first checkpoint\n      2: "1095"\n',
    );
    expect((await world.dis("plan", "--stack", STACK)).code).toBe(0);
    const up = await world.dis("up", "--stack", STACK);
    expect(up.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["billing/orders/shardId-0000000000=1050 replay INC-7", "billing/orders/shardId-0000000001=1000"]);
    const match = /Restore point: (\.restore\/test\/[0-9T.Z-]+) \(undo with: dis-checkpoints restore \.restore\/test\/[0-9T.Z-]+ --stack test\)\n/.exec(up.stdout);
    expect(match).not.toBeNull();
    restorePoint = match![1]!;
    const point = JSON.parse(read(`${restorePoint}/restore-point.json`));
    expect(point).toEqual({ version: 1, stack: STACK, createdAt: expect.any(String), streams: [{ app: "billing", stream: "orders", previous: { "0": "1090", "1": null } }] });
    expect(restorePoint).toBe(`.restore/${STACK}/${point.createdAt.replace(/:/g, "-")}`);
    expect(read(`${restorePoint}/billing.yaml`)).toBe(
      [
        "# yaml-language-server: $schema=../../../checkpoints.schema.json",
        "version: 1",
        "app: billing",
        "streams:",
        "  orders:",
        "    partitions:",
        "      0:",
        '        sequenceNumber: "1090"',
        `        metadata: restore point of stack ${STACK} at ${point.createdAt}`,
        "",
      ].join("\n"),
    );
    expect(await restorePointOutput(world)).toEqual({
      createdAt: point.createdAt,
      streams: [{ app: "billing", stream: "orders", previous: { "0": "1090", "1": null } }],
    });
    expect(appliedPartitions(await world.exportState())).toEqual({ "billing/orders": { "0": "1050", "1": "1000", "2": "1095" } });
  });

  it("restore reverts the replay in one reviewed change and one up, even after the consumer moved on", async () => {
    // The consumer re-read ten records since the replay.
    world.emulator.state.commitCheckpoint({ app: "billing", stream: "orders", partition: { ordinal: 0, id: "0" } }, 1060n, "consumer");
    const refused = await world.dis("restore", restorePoint);
    expect(refused.code).toBe(0);
    expect(read(`checkpoints/${STACK}/billing.yaml`)).toBe(
      `# replay INC-7\nversion: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0:\n        sequenceNumber: "1090"\n        metadata: "restore point of stack ${STACK} at ${JSON.parse(read(`${restorePoint}/restore-point.json`)).createdAt}"\n      1: "1000" # first checkpoint\n      2: "1095"\n`,
    );
    // Without allowSkip, moving the consumer forward again is refused, loudly.
    const plan = await world.dis("plan", "--stack", STACK, "--format", "json");
    expect(plan.code).toBe(3);
    expect(JSON.parse(plan.stdout).streams[0].rows[0]).toMatchObject({ live: "1060", declared: "1090", direction: "skip", records: "30", status: "refused" });

    const restored = await world.dis("restore", restorePoint, "--allow-skip");
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toBe(
      `Restored ${JSON.parse(read(`${restorePoint}/restore-point.json`)).createdAt} of stack ${STACK} in checkpoints/${STACK}/billing.yaml\n` +
        "Had no checkpoint before the commit, so no commit can restore them (reset those consumers yourself):\n  billing / orders / partition 1\n",
    );
    expect(read(`checkpoints/${STACK}/billing.yaml`)).toContain('      2: "1095"\n    allowSkip: true\n');
    expect((await world.dis("plan", "--stack", STACK)).code).toBe(0);
    world.takeRequests();
    const up = await world.dis("up", "--stack", STACK);
    expect(up.code).toBe(0);
    const requests = world.takeRequests();
    expect(commits(requests)).toEqual([`billing/orders/shardId-0000000000=1090 restore point of stack ${STACK} at ${JSON.parse(read(`${restorePoint}/restore-point.json`)).createdAt}`]);
    expect(live(world, "orders", 0)).toBe("1090");
  });

  it("restore --out writes separate files; a missing restore point is a clear error", async () => {
    const result = await world.dis("restore", restorePoint, "--out", "undo");
    expect(result.stdout).toBe("Wrote undo/billing.yaml\nHad no checkpoint before the commit, so no commit can restore them (reset those consumers yourself):\n  billing / orders / partition 1\n");
    expect(result.code).toBe(0);
    expect(read("undo/billing.yaml")).toContain('sequenceNumber: "1090"');
    const missing = await world.dis("restore", ".restore/nope");
    expect(missing.stderr).toBe(
      `dis-checkpoints restore: ${path.join(world.project.dir, ".restore", "nope", "restore-point.json")}: not found: give a directory written by \`dis-checkpoints up\` under .restore/<stack>/\n`,
    );
    expect(missing.code).toBe(1);
  });
  it("restore --stack, without the restore point's directory: the stack's last restore point, from its output", async () => {
    const point = (await restorePointOutput(world)) as { createdAt: string };
    expect(point).toEqual({ createdAt: expect.any(String), streams: [{ app: "billing", stream: "orders", previous: { "0": "1060" } }] });
    // A pipeline runner has no .restore/ of the checkout that ran up: only the stack's state.
    fs.rmSync(path.join(world.project.dir, ".restore"), { recursive: true });
    const restored = await world.dis("restore", "--stack", STACK);
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toBe(`Restored ${point.createdAt} of stack ${STACK} in checkpoints/${STACK}/billing.yaml\n`);
    expect(restored.code).toBe(0);
    expect(read(`checkpoints/${STACK}/billing.yaml`)).toBe(
      `# replay INC-7\nversion: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0:\n        sequenceNumber: "1060"\n        metadata: "restore point of stack ${STACK} at ${point.createdAt}"\n      1: "1000" # first checkpoint\n      2: "1095"\n    allowSkip: true\n`,
    );
    world.takeRequests();
    const up = await world.dis("up", "--stack", STACK);
    expect(up.code).toBe(0);
    expect(commits(world.takeRequests())).toEqual([`billing/orders/shardId-0000000000=1060 restore point of stack ${STACK} at ${point.createdAt}`]);
    expect(live(world, "orders", 0)).toBe("1060");
  });

  const search = (clicks0: string, clicks1: string, events0: string) =>
    `version: 1\napp: search\nstreams:\n  clicks:\n    partitions:\n      0: "${clicks0}"\n      1: "${clicks1}"\n  events:\n    partitions:\n      0: "${events0}"\n`;
  const ACTIVE = "consumers are running and would overwrite the commit; stop its consumers and run again, or set whileConsumersRun: allow on the stream for consumers that re-read their checkpoint";

  it("plan while a consumer moves: its stream shows as active and is refused (consumers-active), an idle stream shows as idle; stopped, up commits", async () => {
    for (const [stream, partition, value] of [["clicks", 0, "500"], ["clicks", 1, "500"], ["events", 0, "4"]] as const) world.consume("search", stream, partition, value);
    world.writeDeclaration("search.yaml", search("500", "500", "4"));
    world.takeRequests();
    expect((await world.dis("up", "--stack", STACK)).code).toBe(0);
    expect(writes(world.takeRequests())).toEqual([]);

    const consumer = world.emulator.addConsumer({ app: "search", stream: "clicks", intervalMs: 50, recordsPerSecond: 50, mode: "overwrite" });
    world.writeDeclaration("search.yaml", search("100", "100", "3"));
    const json = await world.dis("plan", "--stack", STACK, "--format", "json");
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report.streams.map((stream: { app: string; stream: string; consumerActivity: { kind: string } }) => [stream.app, stream.stream, stream.consumerActivity.kind])).toEqual([
      ["billing", "orders", "not-sampled"],
      ["search", "clicks", "active"],
      ["search", "events", "idle"],
    ]);
    const [, clicks, events] = report.streams;
    expect(clicks.consumerActivity).toEqual({ kind: "active", windowMs: 300, moved: [0, 1].map((partition) => ({ partition, from: expect.stringMatching(/^\d+$/), to: expect.stringMatching(/^\d+$/) })) });
    const moved = clicks.consumerActivity.moved as Array<{ partition: number; from: string; to: string }>;
    for (const { from, to } of moved) expect(BigInt(to)).toBeGreaterThan(BigInt(from));
    expect(clicks.rows.map(({ retention, ...row }: { retention: unknown }) => row)).toEqual(
      moved.map(({ partition, from, to }) => ({
        partition,
        live: from,
        declared: "100",
        direction: "replay",
        records: String(BigInt(from) - 100n),
        status: "refused",
        refusal: {
          code: "consumers-active",
          message: `checkpoints/${STACK}/search.yaml:${6 + partition}:7: app 'search', stream 'clicks', partition ${partition}: the checkpoint moved from ${from} to ${to} within 0.3s: ${ACTIVE} [consumers-active]`,
        },
      })),
    );
    expect(events.consumerActivity).toEqual({ kind: "idle", windowMs: 300 });
    expect(events.rows.map(({ retention, ...row }: { retention: unknown }) => row)).toEqual([
      { partition: 0, live: "4", declared: "3", direction: "replay", records: "1", status: "commit" },
    ]);
    expect(report.summary).toEqual({ partitions: 6, commits: 1, refused: 2, refusedUndeclared: 0, unchanged: 3, replay: { partitions: 1, records: "1" }, skip: { partitions: 0, records: "0" } });

    const markdown = await world.dis("plan", "--stack", STACK);
    expect(markdown.code).toBe(3);
    const activeLine = /^Consumers \*\*active\*\*: 2 checkpoints of the app moved in 0\.3s \(partition 0: (\d+) → (\d+); partition 1: (\d+) → (\d+)\)\.$/m.exec(markdown.stdout);
    expect(activeLine).not.toBeNull();
    const [from0, to0, from1, to1] = activeLine!.slice(1) as [string, string, string, string];
    const section = (heading: string) => markdown.stdout.slice(markdown.stdout.indexOf(heading)).split("\n\n").slice(0, 4);
    const margin = (text: string) => text.replace(/\d+h \d+m \(until [^)]+\)/g, "<margin>");
    expect(section("#### search / clicks").map(margin)).toEqual([
      "#### search / clicks",
      activeLine![0],
      [
        "| partition | live | declared | move | records | status | retention margin |",
        "|---:|---:|---:|---|---:|---|---|",
        `| 0 | ${from0} | 100 | replay | ${BigInt(from0) - 100n} | **REFUSED** | <margin> |`,
        `| 1 | ${from1} | 100 | replay | ${BigInt(from1) - 100n} | **REFUSED** | <margin> |`,
      ].join("\n"),
      "#### search / events",
    ]);
    expect(markdown.stdout).toContain(
      `> - checkpoints/${STACK}/search.yaml:6:7: app 'search', stream 'clicks', partition 0: the checkpoint moved from ${from0} to ${to0} within 0.3s: ${ACTIVE} \\[consumers-active\\]\n` +
        `> - checkpoints/${STACK}/search.yaml:7:7: app 'search', stream 'clicks', partition 1: the checkpoint moved from ${from1} to ${to1} within 0.3s: ${ACTIVE} \\[consumers-active\\]\n`,
    );
    expect(section("#### search / events").slice(0, 2)).toEqual(["#### search / events", "Consumers idle: no checkpoint of the app moved in 0.3s."]);
    expect(writes(world.takeRequests())).toEqual([]);

    world.emulator.removeConsumer(consumer.id);
    const stopped = await world.dis("plan", "--stack", STACK, "--format", "json");
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout).streams.map((stream: { consumerActivity: unknown }) => stream.consumerActivity)).toEqual([
      { kind: "not-sampled" },
      { kind: "idle", windowMs: 300 },
      { kind: "idle", windowMs: 300 },
    ]);
    world.takeRequests();
    expect((await world.dis("up", "--stack", STACK)).code).toBe(0);
    expect(commits(world.takeRequests())).toEqual(["search/clicks/shardId-0000000000=100", "search/clicks/shardId-0000000001=100", "search/events/shardId-0000000000=3"]);
  });

  it("plan and restore --stack against a stack of version 0.1 say to migrate it first, and read nothing from DIS", async () => {
    const fixture = path.join(__dirname, "..", "fixtures", "state", "schema-1");
    fs.copyFileSync(path.join(fixture, "Pulumi.legacy.yaml"), path.join(world.project.dir, "stacks", "Pulumi.legacy.yaml"));
    expect((await world.pulumi("stack", "init", "legacy")).code).toBe(0);
    expect((await world.pulumi("stack", "import", "--stack", "legacy", "--file", path.join(fixture, "stack.json"))).code).toBe(0);
    world.takeRequests();
    const plan = await world.dis("plan", "--stack", "legacy");
    expect(plan.stderr).toBe(
      "dis-checkpoints plan: stack 'legacy' was last applied by dis-checkpoints with one Pulumi resource per stream; this version keeps one per stack. " +
        "Run `dis-checkpoints migrate --stack legacy` once (it rewrites the state and commits nothing), then plan again\n",
    );
    expect(plan.code).toBe(1);
    const restore = await world.dis("restore", "--stack", "legacy");
    expect(restore.stderr).toBe(
      "dis-checkpoints restore: the stack output restorePoint of stack 'legacy' has no createdAt: it was written by an earlier version; run `dis-checkpoints migrate --stack legacy` first\n",
    );
    expect(restore.code).toBe(1);
    expect(world.takeRequests()).toEqual([]);
  });
});
