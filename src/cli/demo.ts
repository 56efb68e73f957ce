#!/usr/bin/env node
/**
 * `npm start`: the whole job on the embedded emulator. Starts a DIS emulator on loopback (its data kept in
 * .pulumi/demo so a second run sees the first run's checkpoints), reconciles checkpoints/local/ with the
 * real `pulumi up` on the `local` stack, then reads the checkpoints back from the emulator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createDisClient } from "../dis";
import { startEmulator } from "../emulator";
import { ENDPOINT_ENV } from "../provider";
import { formatColumns } from "../program";
import { PROJECT_ROOT } from "../workspace";
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
    const before = emulator.requests().length;
    const result = await runStackCommand({
      operation: "up",
      stack: STACK,
      cwd: PROJECT_ROOT,
      write,
      env: { [ENDPOINT_ENV]: emulator.url },
    });
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
