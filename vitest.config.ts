import { defineConfig } from "vitest/config";

// CI asks for a machine-readable report beside the console output (see .ci/run).
const report = process.env.DIS_CHECKPOINTS_TEST_REPORT;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests drive the real pulumi CLI, whose runs take seconds each.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: report ? ["default", ["json", { outputFile: report }]] : ["default"],
  },
});
