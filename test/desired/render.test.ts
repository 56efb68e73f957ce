/** The renderer writes canonical, reviewable YAML that loads back to exactly the model it was given. */
import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random";
import {
  parseDeclarations,
  renderDeclarations,
  type DesiredApp,
  type RenderableApp,
  type RenderableStream,
} from "../../src/desired";

describe("renderDeclarations", () => {
  it("writes the canonical form: schema comment, sorted streams and ordinals, quoted sequence numbers, non-default options", () => {
    const app: RenderableApp = {
      name: "orders-consumer",
      streams: [
        { name: "payments", partitions: [{ ordinal: 0, sequenceNumber: "5" }], allowSkip: false, onDelete: "retain", revision: 0 },
        {
          name: "orders",
          partitions: [
            { ordinal: 10, sequenceNumber: "9223372036854775807" },
            { ordinal: 1, sequenceNumber: "980", metadata: "replay after INC-4211" },
            { ordinal: 0, sequenceNumber: "1520" },
          ],
          allowSkip: true,
          onDelete: "delete",
          revision: 2,
        },
      ],
    };
    expect(renderDeclarations(app)).toBe(
      [
        "# yaml-language-server: $schema=../../checkpoints.schema.json",
        "version: 1",
        "app: orders-consumer",
        "streams:",
        "  orders:",
        "    partitions:",
        '      0: "1520"',
        "      1:",
        '        sequenceNumber: "980"',
        "        metadata: replay after INC-4211",
        '      10: "9223372036854775807"',
        "    allowSkip: true",
        "    onDelete: delete",
        "    revision: 2",
        "  payments:",
        "    partitions:",
        '      0: "5"',
        "",
      ].join("\n"),
    );
  });

  it("takes the schema path for where the file will be written", () => {
    const text = renderDeclarations({ name: "a", streams: [] }, { schemaPath: "../checkpoints.schema.json" });
    expect(text).toBe("# yaml-language-server: $schema=../checkpoints.schema.json\nversion: 1\napp: a\nstreams: {}\n");
  });

  it("keeps multi-line metadata on one double-quoted line, safe from editors that trim trailing spaces", () => {
    const text = renderDeclarations({
      name: "a",
      streams: [{ name: "s", partitions: [{ ordinal: 0, sequenceNumber: "1", metadata: "  leading\ntrailing  \n" }] }],
    });
    expect(text).toContain('        metadata: "  leading\\ntrailing \\ \\n"\n');
  });

  it("quotes names and metadata that YAML would otherwise read as something else", () => {
    const text = renderDeclarations({
      name: "123",
      streams: [{ name: "true", partitions: [{ ordinal: 0, sequenceNumber: "0", metadata: "null" }] }],
    });
    expect(text).toContain('app: "123"\n');
    expect(text).toContain('  "true":\n');
    expect(text).toContain('        metadata: "null"\n');
  });
});

// ---- round trip ------------------------------------------------------------------------------

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
/** Names that YAML would read as numbers, booleans, null or indicators if written plain. */
const TRICKY_NAMES = ["0", "123", "1e3", "0x1F", "true", "False", "null", "-", "_", "--", "-1", "007", "Infinity", "NaN", "y", "n"];
const METADATA_PIECES = [
  "replay", " ", "  leading", "trailing  ", "\n", "\t", "#", " # not a comment", ": ", "- ", '"', "'", "\\", "{", "}", "[", "]",
  "&a", "*a", "!tag", "%", "@", "`", "é", "日本", "😀", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u2028", "\ufeff", "---", "...", "null", "~", "",
];

function generateApp(next: () => number): RenderableApp {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const name = (maxLength: number) =>
    next() < 0.2
      ? pick(TRICKY_NAMES)
      : Array.from({ length: 1 + Math.floor(next() * maxLength) }, () => pick([...NAME_CHARS])).join("");
  const sequenceNumber = () => {
    const roll = next();
    if (roll < 0.1) return "0";
    if (roll < 0.2) return "9223372036854775807";
    if (roll < 0.3) return String(2 ** 53 + Math.floor(next() * 1000));
    return String(BigInt(Math.floor(next() * 2 ** 31)) * BigInt(1 + Math.floor(next() * 2 ** 31)));
  };
  const metadata = () => {
    const length = next() < 0.05 ? 1000 : Math.floor(next() * 12);
    let text = "";
    while (text.length < length) text += pick(METADATA_PIECES) || "x";
    return [...text].slice(0, length).join("").slice(0, 1000).replace(/[\ud800-\udbff]$/, "");
  };
  const streamNames = new Set(Array.from({ length: Math.floor(next() * 4) }, () => name(64)));
  const streams: RenderableStream[] = [...streamNames].map((streamName) => {
    const ordinals = new Set(Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < 0.1 ? 9999999999 : Math.floor(next() * 50))));
    return {
      name: streamName,
      partitions: [...ordinals].map((ordinal) => ({
        ordinal,
        sequenceNumber: sequenceNumber(),
        ...(next() < 0.4 ? { metadata: metadata() } : {}),
      })),
      allowSkip: next() < 0.3,
      onDelete: next() < 0.3 ? "delete" : "retain",
      revision: next() < 0.3 ? Math.floor(next() * 5) : next() < 0.1 ? Number.MAX_SAFE_INTEGER : 0,
    };
  });
  return { name: name(200), streams };
}

/** The model as the loader returns it: sorted, defaults filled in, without source locations. */
function normalise(app: RenderableApp | DesiredApp) {
  return {
    name: app.name,
    streams: [...app.streams]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((stream) => ({
        name: stream.name,
        allowSkip: stream.allowSkip ?? false,
        onDelete: stream.onDelete ?? "retain",
        revision: stream.revision ?? 0,
        partitions: [...stream.partitions]
          .sort((a, b) => a.ordinal - b.ordinal)
          .map(({ ordinal, sequenceNumber, metadata }) => (metadata === undefined ? { ordinal, sequenceNumber } : { ordinal, sequenceNumber, metadata })),
      })),
  };
}

describe("render → parse round trip", () => {
  it("loads back every generated model exactly", () => {
    const next = seededRandom(42);
    for (let round = 0; round < 300; round++) {
      const model = generateApp(next);
      const text = renderDeclarations(model);
      const parsed = parseDeclarations([{ path: "generated.yaml", text }]);
      if (!parsed.ok) throw new Error(`round ${round} did not load back:\n${text}\n${JSON.stringify(parsed.errors, null, 2)}`);
      expect(parsed.state.apps.map(normalise)).toEqual([normalise(model)]);
    }
  });
});
