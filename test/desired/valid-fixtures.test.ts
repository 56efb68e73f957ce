/** Valid declarations normalise to exactly this model: ordinals, decimal strings, defaults, sorted, located. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeclarations, type DesiredState } from "../../src/desired";

const FIXTURES = path.join(__dirname, "..", "fixtures", "valid");

const at = (file: string, line: number, column: number) => ({ file, line, column });
const defaults = { allowSkip: false, onDelete: "retain", revision: 0, whileConsumersRun: "refuse" } as const;

const CASES: [fixture: string, files: string[], state: DesiredState][] = [
  [
    "while-consumers-run.yaml",
    ["while-consumers-run.yaml"],
    {
      apps: [
        {
          name: "indexer",
          source: at("while-consumers-run.yaml", 2, 6),
          streams: [
            {
              name: "clicks",
              source: at("while-consumers-run.yaml", 4, 3),
              ...defaults,
              whileConsumersRun: "allow",
              partitions: [{ ordinal: 0, sequenceNumber: "7", source: at("while-consumers-run.yaml", 6, 7) }],
            },
          ],
        },
      ],
    },
  ],
  [
    "design-example.yaml",
    ["design-example.yaml"],
    {
      apps: [
        {
          name: "orders-consumer",
          source: at("design-example.yaml", 3, 6),
          streams: [
            {
              name: "orders",
              source: at("design-example.yaml", 5, 3),
              allowSkip: false,
              onDelete: "retain",
              revision: 1,
              whileConsumersRun: "refuse",
              partitions: [
                { ordinal: 0, sequenceNumber: "1520", source: at("design-example.yaml", 7, 7) },
                {
                  ordinal: 1,
                  sequenceNumber: "980",
                  metadata: "replay after INC-4211",
                  source: at("design-example.yaml", 8, 7),
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    // Apps and streams sorted by name, partitions by ordinal, whatever the document order; an app's
    // source is its first declaration; an app without streams is kept.
    "multi-document.yaml",
    ["multi-document.yaml"],
    {
      apps: [
        { name: "analytics", source: at("multi-document.yaml", 21, 6), streams: [] },
        {
          name: "billing",
          source: at("multi-document.yaml", 3, 6),
          streams: [
            {
              name: "orders",
              source: at("multi-document.yaml", 14, 3),
              allowSkip: true,
              onDelete: "delete",
              revision: 0,
              whileConsumersRun: "refuse",
              partitions: [
                { ordinal: 0, sequenceNumber: "10", source: at("multi-document.yaml", 15, 27) },
                { ordinal: 2, sequenceNumber: "30", source: at("multi-document.yaml", 15, 18) },
              ],
            },
            {
              name: "payments",
              source: at("multi-document.yaml", 5, 3),
              ...defaults,
              partitions: [
                { ordinal: 0, sequenceNumber: "5", source: at("multi-document.yaml", 8, 7) },
                { ordinal: 1, sequenceNumber: "7", source: at("multi-document.yaml", 7, 7) },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    // Names that look like numbers, the extreme sequence numbers, exact unquoted integers, quoted and
    // shardId keys, empty and multi-line metadata.
    "edge-values.yaml",
    ["edge-values.yaml"],
    {
      apps: [
        {
          name: "0",
          source: at("edge-values.yaml", 2, 6),
          streams: [
            {
              name: "123",
              source: at("edge-values.yaml", 4, 3),
              allowSkip: false,
              onDelete: "retain",
              revision: 9007199254740991,
              whileConsumersRun: "refuse",
              partitions: [
                { ordinal: 0, sequenceNumber: "0", source: at("edge-values.yaml", 6, 7) },
                { ordinal: 1, sequenceNumber: "9223372036854775807", source: at("edge-values.yaml", 7, 7) },
                { ordinal: 2, sequenceNumber: "9007199254740991", source: at("edge-values.yaml", 8, 7) },
                { ordinal: 3, sequenceNumber: "42", source: at("edge-values.yaml", 9, 7) },
                {
                  ordinal: 10,
                  sequenceNumber: "77",
                  metadata: 'line one\nline "two" # not a comment',
                  source: at("edge-values.yaml", 13, 7),
                },
                { ordinal: 9999999999, sequenceNumber: "0", metadata: "", source: at("edge-values.yaml", 10, 7) },
              ],
            },
            {
              name: "a_-Z9",
              source: at("edge-values.yaml", 19, 3),
              ...defaults,
              partitions: [{ ordinal: 0, sequenceNumber: "1", source: at("edge-values.yaml", 21, 7) }],
            },
          ],
        },
      ],
    },
  ],
  [
    // A directory: *.yaml and *.yml at any depth, in byte order of their paths; other files ignored.
    "tree",
    ["tree/a.yaml", "tree/nested/b.yml", "tree/nested/deeper/c.yaml"],
    {
      apps: [
        {
          name: "tree",
          source: at("tree/a.yaml", 2, 6),
          streams: [
            {
              name: "one",
              source: at("tree/a.yaml", 4, 3),
              ...defaults,
              partitions: [{ ordinal: 0, sequenceNumber: "1", source: at("tree/a.yaml", 6, 7) }],
            },
            {
              name: "three",
              source: at("tree/nested/deeper/c.yaml", 4, 3),
              ...defaults,
              partitions: [{ ordinal: 0, sequenceNumber: "3", source: at("tree/nested/deeper/c.yaml", 6, 7) }],
            },
            {
              name: "two",
              source: at("tree/nested/b.yml", 4, 3),
              ...defaults,
              partitions: [{ ordinal: 0, sequenceNumber: "2", source: at("tree/nested/b.yml", 6, 7) }],
            },
          ],
        },
      ],
    },
  ],
];

describe("valid declarations", () => {
  it.each(CASES)("%s", async (fixture, files, state) => {
    const result = await loadDeclarations([fixture], { cwd: FIXTURES });
    expect(result).toEqual({
      ok: true,
      files,
      state,
      stats: expect.objectContaining({ files: files.length }),
    });
  });

  it("counts files, documents, apps, streams and checkpoints", async () => {
    const result = await loadDeclarations(["."], { cwd: FIXTURES });
    expect(result.ok && result.stats).toEqual({ files: 7, documents: 9, apps: 6, streams: 9, checkpoints: 17 });
  });
});
