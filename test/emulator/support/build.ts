import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../../..");
export const DIST_EMULATOR = join(ROOT, "dist/emulator");

/**
 * Compiles when dist/emulator is missing or older than its sources. Type errors elsewhere in the tree do not
 * stop tsc from emitting, so the check is that the file exists afterwards.
 */
export function ensureBuilt(): void {
  const cli = join(DIST_EMULATOR, "cli.js");
  const sources = ["src/emulator", "src/contract"].flatMap((folder) =>
    readdirSync(join(ROOT, folder)).map((file) => statSync(join(ROOT, folder, file)).mtimeMs),
  );
  if (existsSync(cli) && statSync(cli).mtimeMs >= Math.max(...sources)) return;
  spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  if (!existsSync(cli)) throw new Error("the build did not produce dist/emulator/cli.js");
}
