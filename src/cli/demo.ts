#!/usr/bin/env node
/**
 * `npm start`: the whole job on the embedded emulator. Starts a DIS emulator on loopback (its data kept in
 * .pulumi/demo so a second run sees the first run's checkpoints), reconciles checkpoints/local/ with the
 * real `pulumi up` on the `local` stack, then reads the checkpoints back from the emulator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadDeclarations } from "../desired";
import { createDisClient } from "../dis";
import { startEmulator, type EmulatorHandle } from "../emulator";
import { ACKNOWLEDGE_FIRST_APPLY_ENV, clientFromSettings, ENDPOINT_ENV, formatColumns, readSettings, runGate } from "../provider";
import { PROJECT_ROOT } from "../workspace";
import { readStackOutputs } from "./connection";
import { describeChanges, runStackCommand } from "./stack";

const STACK = "local";

async function main(): Promise<void> {
  const dataDir = path.join(PROJECT_ROOT, ".pulumi", "demo");
  fs.mkdirSync(dataDir, { recursive: true });
  const emulator = await startEmulator({
    seed: path.join(PROJECT_ROOT, "demo", "seed.yaml"),
    dataFile: path.join(dataDir, "emulator.json"),
  });
  const write = (text: string) => process.stdout.write(text);
  try {
    write(`DIS emulator listening on ${emulator.url} (project ${emulator.projectId}, data in .pulumi/demo)\n`);
    write(`Reconciling checkpoints/${STACK}/ with pulumi up on stack '${STACK}'\n\n`);
    const env: Record<string, string> = { [ENDPOINT_ENV]: emulator.url };
    const token = await demoFirstApplyToken(emulator, write);
    if (token !== undefined) env[ACKNOWLEDGE_FIRST_APPLY_ENV] = token;
    const before = emulator.requests().length;
    const result = await runStackCommand({ operation: "up", stack: STACK, cwd: PROJECT_ROOT, write, env });
    const requests = emulator.requests().slice(before);
    const commits = requests.filter((entry) => entry.operation === "CommitCheckpoint" && entry.status === 201).length;
    const appsCreated = requests.filter((entry) => entry.operation === "CreateApp" && entry.status === 201).length;
    write("\n");
    write(
      commits === 0 && appsCreated === 0
        ? "Nothing changed: DIS already holds every declared checkpoint, so nothing was committed.\n"
        : `Committed ${commits} checkpoint${commits === 1 ? "" : "s"} and created ${appsCreated} app${appsCreated === 1 ? "" : "s"} (${describeChanges(result.changes)}).\n`,
    );
    await printCheckpoints(emulator.url, emulator.projectId, emulator.accessKey, emulator.secretKey, write);
  } finally {
    await emulator.close();
  }
}

/**
 * The demo's consumers already stand somewhere (demo/seed.yaml) and its declarations replay them, so its very
 * first `up` is a first apply that moves live checkpoints, which the reconciler refuses unless acknowledged.
 * The demo acknowledges its own, and says so: it runs the gate `up` runs (src/provider/gate.ts) and passes
 * the token the refusal would print. A real stack never does this for itself.
 */
async function demoFirstApplyToken(emulator: EmulatorHandle, write: (text: string) => void): Promise<string | undefined> {
  const io = { stdout: write, stderr: write, cwd: PROJECT_ROOT, env: process.env };
  const { appliedFromOutputs, toDeclarations } = await import("../program");
  const applied = appliedFromOutputs(await readStackOutputs(STACK, io));
  const loaded = await loadDeclarations([path.join("checkpoints", STACK)], { cwd: PROJECT_ROOT });
  if (!loaded.ok || applied.kind === "legacy") return undefined;
  const demoConfig: Record<string, string> = {
    "dis-checkpoints:endpoint": emulator.url,
    "dis-checkpoints:projectId": emulator.projectId,
    "dis-checkpoints:accessKey": emulator.accessKey,
    "dis-checkpoints:secretKey": emulator.secretKey,
  };
  // Only the refusals matter here, and they come before any waiting.
  const settings = { ...readSettings((key) => demoConfig[key], {}), activityWindowMs: 0 };
  const client = clientFromSettings(settings);
  try {
    const report = await runGate({ declarations: toDeclarations(loaded.state), applied: applied.kind === "applied" ? applied.streams : new Map(), settings, client });
    if (report.firstApplyToken === undefined) return undefined;
    write(`This is the demo's first apply: its declarations move the checkpoints its consumers stand at (demo/seed.yaml), so it acknowledges them (${report.firstApplyToken}).\n\n`);
    return report.firstApplyToken;
  } finally {
    await client.close();
  }
}

/** Reads every app's checkpoints back through the API, as any DIS client would see them. */
async function printCheckpoints(
  endpoint: string,
  projectId: string,
  accessKey: string,
  secretKey: string,
  write: (text: string) => void,
): Promise<void> {
  const client = createDisClient({ endpoint, projectId, credentials: { accessKey, secretKey } });
  try {
    const rows: string[][] = [["app", "stream", "partition", "checkpoint", "metadata"]];
    for (const app of await client.listApps()) {
      for (const stream of [...app.committedStreams].sort()) {
        for (const state of await client.consumerState({ app: app.name, stream })) {
          if (state.sequenceNumber === null) continue;
          rows.push([app.name, stream, String(state.partition), state.sequenceNumber, state.metadata ?? ""]);
        }
      }
    }
    write(`\nCheckpoints in the emulator now:\n${formatColumns(rows)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
