/**
 * `npm start` twice in a row on a fresh clone, as the README promises: the demo (dist/cli/demo.js, what
 * `npm start` runs after the build and the set-up) acknowledges its own first apply, commits every declared
 * checkpoint once, and the second run reads the first run's stack outputs back and commits nothing. The
 * clone has its own dist, so the demo's stack and emulator data live in the clone, never in the repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneRepository, freshMachineEnvironment, run } from "../support/project";
import { STACK_TRACE } from "../support/world";

describe("npm start, twice, on a fresh clone", () => {
  let clone: string;
  const demo = () => run(process.execPath, [path.join(clone, "dist", "cli", "demo.js")], { cwd: clone, env: freshMachineEnvironment() });

  beforeAll(() => {
    clone = cloneRepository({ ownDist: true });
  });
  afterAll(() => {
    if (clone) fs.rmSync(clone, { recursive: true, force: true });
  });

  it("the first run acknowledges the demo's first apply and commits every declared checkpoint", async () => {
    const first = await demo();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/This is the demo's first apply: .* so it acknowledges them \(fa-[0-9a-f]{10}\)\./);
    expect(first.stdout).toContain("Committed 18 checkpoints and created 2 apps (2 created).");
    expect(first.stdout + first.stderr).not.toMatch(STACK_TRACE);
  });

  it("the second run reads the first run's (secret) outputs back and commits nothing", async () => {
    const second = await demo();
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("first apply");
    expect(second.stdout).toContain("Nothing changed: DIS already holds every declared checkpoint, so nothing was committed.");
  });
});
