import { describe, expect, it } from "vitest";
import { parseDeclarations } from "../../src/desired";
import { restorePointOutput } from "../../src/program/declarations";
import {
  exportedStream,
  parseRestoredStreams,
  restoreDeclarations,
  restorePointFromOutput,
  rewriteDeclarations,
  unrestorable,
  type RestorePoint,
} from "../../src/replay";

const POINT: RestorePoint = {
  version: 1,
  stack: "prod",
  createdAt: "2026-11-20T10:00:00.000Z",
  streams: [
    { app: "billing", stream: "orders", previous: { "0": "500", "2": "700", "3": null } },
    { app: "analytics", stream: "orders", previous: { "1": "42" } },
  ],
};

const BILLING = `# reviewed by the payments team
version: 1
app: billing
streams:
  orders:
    partitions:
      0: "100" # replay INC-1
      shardId-0000000002:
        sequenceNumber: "300"
        metadata: "replay INC-1"
      3: "5"
  refunds:
    partitions:
      0: "9"
---
version: 1
app: analytics
streams:
  orders:
    partitions:
      "1": "7"
`;

describe("rewriteDeclarations", () => {
  it("rewrites only the restored partitions, keeping comments and other lines", () => {
    const result = rewriteDeclarations([{ path: "checkpoints/prod/billing.yaml", text: BILLING }], POINT, false);
    expect(result.undeclared).toEqual([]);
    expect(result.changed).toEqual([
      {
        path: "checkpoints/prod/billing.yaml",
        text: `# reviewed by the payments team
version: 1
app: billing
streams:
  orders:
    partitions:
      0: "500" # replay INC-1
      shardId-0000000002:
        sequenceNumber: "700"
        metadata: "restore point of stack prod at 2026-11-20T10:00:00.000Z"
      3: "5"
  refunds:
    partitions:
      0: "9"
---
version: 1
app: analytics
streams:
  orders:
    partitions:
      "1": "42"
`,
      },
    ]);
  });

  it("sets allowSkip on the restored streams only when asked", () => {
    const { changed } = rewriteDeclarations([{ path: "a.yaml", text: BILLING }], POINT, true);
    const parsed = parseDeclarations(changed);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const streams = parsed.state.apps.flatMap((app) => app.streams.map((stream) => `${app.name}/${stream.name}:${stream.allowSkip}`));
    expect(streams).toEqual(["analytics/orders:true", "billing/orders:true", "billing/refunds:false"]);
  });

  it("lists restore targets no file declares and leaves unrelated files alone", () => {
    const other = "version: 1\napp: search\nstreams:\n  orders:\n    partitions:\n      0: \"1\"\n";
    const result = rewriteDeclarations([{ path: "search.yaml", text: other }], POINT, false);
    expect(result).toEqual({
      changed: [],
      undeclared: ["billing / orders / partition 0", "billing / orders / partition 2", "analytics / orders / partition 1"],
    });
  });
});

describe("restore point contents", () => {
  it("declares the committable positions and lists the ones that had no checkpoint", () => {
    expect(restoreDeclarations(POINT)).toEqual([
      {
        name: "billing",
        streams: [
          {
            name: "orders",
            partitions: [
              { ordinal: 0, sequenceNumber: "500", metadata: "restore point of stack prod at 2026-11-20T10:00:00.000Z" },
              { ordinal: 2, sequenceNumber: "700", metadata: "restore point of stack prod at 2026-11-20T10:00:00.000Z" },
            ],
          },
        ],
      },
      { name: "analytics", streams: [{ name: "orders", partitions: [{ ordinal: 1, sequenceNumber: "42", metadata: "restore point of stack prod at 2026-11-20T10:00:00.000Z" }] }] },
    ]);
    expect(unrestorable(POINT)).toEqual(["billing / orders / partition 3"]);
  });

  const refusal = "x is not a restore point: expected { streams: [{ app, stream, previous: { <partition>: <sequence number> | null } }] }";
  it.each<[string, unknown, string | unknown[]]>([
    ["the stack output", { streams: [{ app: "a", stream: "s", previous: { "0": "1", "1": null } }] }, [{ app: "a", stream: "s", previous: { "0": "1", "1": null } }]],
    ["streams without replaced positions are dropped", { streams: [{ app: "a", stream: "s", previous: {} }] }, []],
    ["missing", undefined, refusal],
    ["a number as sequence number", { streams: [{ app: "a", stream: "s", previous: { "0": 1 } }] }, refusal],
    ["a partition id instead of an ordinal", { streams: [{ app: "a", stream: "s", previous: { "shardId-0000000000": "1" } }] }, refusal],
    ["previous missing", { streams: [{ app: "a", stream: "s" }] }, refusal],
  ])("%s", (_name, value, expected) => {
    if (typeof expected === "string") expect(() => parseRestoredStreams(value, "x")).toThrow(expected);
    else expect(parseRestoredStreams(value, "x")).toEqual(expected);
  });
});

describe("restorePointFromOutput: the stack output restorePoint as a restore point", () => {
  const where = "the stack output restorePoint of stack 'prod'";
  it.each<[string, unknown, RestorePoint | string]>([
    [
      "what the program exports (program/declarations.ts restorePointOutput)",
      restorePointOutput({ at: "2026-11-20T10:00:00.000Z", streams: { "billing/orders": "0=500 2=700 3=-", "analytics/orders": "1=42" } }),
      POINT,
    ],
    ["before any up committed", restorePointOutput(null), `${where} is empty: no \`up\` of the stack has committed anything yet, so there is nothing to restore`],
    [
      "a state of version 0.1 (no time)",
      { streams: [{ app: "billing", stream: "orders", previous: { "0": null } }] },
      `${where} has no createdAt: it was written by an earlier version; run \`dis-checkpoints migrate --stack prod\` first`,
    ],
    ["not a restore point", { createdAt: "2026-11-20T10:00:00.000Z", streams: "0=500" }, `${where} is not a restore point`],
  ])("%s", (_name, output, expected) => {
    if (typeof expected === "string") expect(() => restorePointFromOutput("prod", output)).toThrow(expected);
    else expect(restorePointFromOutput("prod", output)).toEqual(expected);
  });
});

describe("exportedStream", () => {
  it.each([
    [
      "checkpoints with and without metadata; partitions without one listed",
      new Map<number, { sequenceNumber: string | null; metadata?: string }>([
        [2, { sequenceNumber: "30", metadata: "" }],
        [0, { sequenceNumber: "10", metadata: "replay INC-1" }],
        [1, { sequenceNumber: null }],
      ]),
      {
        stream: "orders",
        withoutCheckpoint: [1],
        declaration: {
          name: "orders",
          partitions: [
            { ordinal: 0, sequenceNumber: "10", metadata: "replay INC-1" },
            { ordinal: 2, sequenceNumber: "30" },
          ],
        },
      },
    ],
    ["nothing committed", new Map(), { stream: "orders", withoutCheckpoint: [], declaration: { name: "orders", partitions: [] } }],
  ])("%s", (_name, states, expected) => {
    expect(exportedStream("orders", states)).toEqual(expected);
  });
});
