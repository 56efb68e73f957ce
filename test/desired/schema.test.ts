/** The committed JSON Schema and the example declarations stay in step with the zod schema. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { declarationJsonSchemaText, loadDeclarations } from "../../src/desired";

const REPO = path.join(__dirname, "..", "..");

describe("checkpoints.schema.json", () => {
  it("is what tools/generate-schema.ts writes from the zod schema (regenerate: npx vite-node tools/generate-schema.ts)", () => {
    expect(readFileSync(path.join(REPO, "checkpoints.schema.json"), "utf8")).toBe(declarationJsonSchemaText());
  });

  it("carries the format's limits for editors", () => {
    const schema = JSON.parse(declarationJsonSchemaText());
    expect(schema.required).toEqual(["version", "app", "streams"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.app).toMatchObject({ maxLength: 200, pattern: "^[A-Za-z0-9_-]+$" });
    expect(schema.properties.streams.propertyNames).toMatchObject({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });
    const stream = schema.properties.streams.additionalProperties;
    expect(stream.properties.partitions).toMatchObject({
      minProperties: 1,
      propertyNames: { pattern: "^(0|[1-9][0-9]{0,9}|shardId-[0-9]{10})$" },
    });
    expect(stream.properties.onDelete).toMatchObject({ enum: ["retain", "delete"], default: "retain" });
  });
});

describe("checkpoints/local (the demo's declarations)", () => {
  // The demo emulator seeds streams orders (4 partitions), payments (2) and clicks (8); every declared
  // sequence number stays within the records it seeds.
  const SEEDED_PARTITIONS: Record<string, number> = { orders: 4, payments: 2, clicks: 8 };

  it("loads, declares apps orders-consumer, billing and analytics on the seeded streams, and stays within 150", async () => {
    const result = await loadDeclarations(["checkpoints/local"], { cwd: REPO });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.stats).toEqual({ files: 3, documents: 4, apps: 3, streams: 4, checkpoints: 18 });
    expect(result.state.apps.map((app) => [app.name, app.streams.map((stream) => stream.name)])).toEqual([
      ["analytics", ["clicks", "orders"]],
      ["billing", ["payments"]],
      ["orders-consumer", ["orders"]],
    ]);
    for (const stream of result.state.apps.flatMap((app) => app.streams)) {
      for (const partition of stream.partitions) {
        expect(partition.ordinal).toBeLessThan(SEEDED_PARTITIONS[stream.name] ?? 0);
        expect(BigInt(partition.sequenceNumber)).toBeLessThanOrEqual(150n);
      }
    }
  });
});
