/**
 * Writes checkpoints.schema.json (the editor schema for declaration files) from the zod schema in
 * src/desired/schema.ts. Run from the repository root: npx vite-node tools/generate-schema.ts
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { declarationJsonSchemaText } from "../src/desired";

const target = path.join(__dirname, "..", "checkpoints.schema.json");
writeFileSync(target, declarationJsonSchemaText());
process.stdout.write(`wrote ${path.relative(process.cwd(), target) || target}\n`);
