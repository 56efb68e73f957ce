import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINTS_TYPE, OUTPUTS } from "../../src/program";
import { decodePositions } from "../../src/provider";
import { startEmulator, type EmulatorHandle, type EmulatorOptions, type RequestLogEntry, type SeedDocument } from "../../src/emulator";
import { PROJECT_ROOT, requirePulumiCli } from "../../src/workspace";
import { makeTempProject, run, type ProcessResult, type TempProject } from "./project";

export const TEST_ACCESS_KEY = "TESTACCESSKEY0000001";
export const TEST_SECRET_KEY = "test-secret-key-do-not-print-0001";
export const STACK = "test";

const WRITE_OPERATIONS = new Set(["CommitCheckpoint", "DeleteCheckpoint", "CreateApp", "DeleteApp", "CreateStream", "DeleteStream", "PutRecords"]);

/**
 * The two ways users run the program: `dis-checkpoints up` (the Automation API), and a plain `pulumi up`
 * with Pulumi.yaml through the nodejs language host, as pipelines do.
 */
export type Door = "dis-checkpoints" | "pulumi";
export const DOORS: readonly Door[] = ["dis-checkpoints", "pulumi"];

export type Operation = "preview" | "up" | "refresh" | "destroy";

/**
 * The run's waits for running consumers, kept short in tests (the defaults are 10 s each). Tests of the
 * consumer checks set their own, longer than their consumers' commit interval.
 */
const QUICK_WAITS = ["dis-checkpoints:activityWindow: 300ms", "dis-checkpoints:settleInterval: 300ms"];

export interface WorldOptions {
  seed: SeedDocument;
  /** Declaration files, relative to checkpoints/test/. */
  declarations: Record<string, string>;
  /** Extra stack config lines (`key: value`) under `config:`; they override the quick waits. */
  config?: string[];
  /** Copy dist instead of linking it, so a test can change the provider code between runs. */
  copyDist?: boolean;
  /** Further emulator options (TLS, temporary credentials, a token, behaviour switches). */
  emulator?: Omit<EmulatorOptions, "seed" | "accessKey" | "secretKey">;
  /** Environment for every run (a backend URL and its credentials, for example). */
  env?: Record<string, string>;
}

/** A DIS emulator and a Pulumi project reconciling declarations against it, driven by the real CLI. */
export interface World {
  emulator: EmulatorHandle;
  project: TempProject;
  env: Record<string, string>;
  writeDeclaration(name: string, text: string): void;
  removeDeclaration(name: string): void;
  /** Runs `dis-checkpoints <args>` in the project. */
  dis(...args: string[]): Promise<ProcessResult>;
  /** Runs the Pulumi CLI in the project (the language host beside it). */
  pulumi(...args: string[]): Promise<ProcessResult>;
  /** One operation on the test stack through one door; extra arguments go to that door's command. */
  run(door: Door, operation: Operation, ...extra: string[]): Promise<ProcessResult>;
  /** The stack's state as `pulumi stack export` prints it. */
  exportState(): Promise<ExportedState>;
  /** Requests the emulator received since the last call (or since start). */
  takeRequests(): RequestLogEntry[];
  /** The app's checkpoint on a partition, as the emulator holds it (undefined: none). */
  checkpoint(app: string, stream: string, partition: number): string | undefined;
  /**
   * A second checkout of the same project (its files as they are now, its own PULUMI_HOME and local
   * backend directory) against the same emulator: another CI runner. Its close() leaves the emulator running.
   */
  clone(): World;
  /** Deletes the stack's state, as a fresh CI runner with a local backend has none. */
  loseState(): void;
  /** Commits as a consumer would, without HTTP (not in the request log). */
  consume(app: string, stream: string, partition: number, sequenceNumber: string): void;
  close(): Promise<void>;
}

export interface ExportedState {
  deployment: { resources?: Array<Record<string, any>>; pending_operations?: unknown[] };
}

export function writes(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.operation !== undefined && WRITE_OPERATIONS.has(entry.operation));
}

/** The commits in a request log as `app/stream/partition=sequence[ metadata]`, sorted. */
export function commits(requests: readonly RequestLogEntry[]): string[] {
  return requests
    .filter((entry) => entry.operation === "CommitCheckpoint")
    .map((entry) => {
      const body = entry.body as Record<string, string>;
      const metadata = body.metadata === undefined ? "" : ` ${body.metadata}`;
      return `${body.app_name}/${body.stream_name}/${Number(body.partition_id!.replace("shardId-", ""))}=${body.sequence_number}${metadata}`;
    })
    .sort();
}

/** `ShowConsumerState 200` per request, in order: what a run read and wrote. */
export function operations(requests: readonly RequestLogEntry[]): string[] {
  return requests.map((entry) => `${entry.operation} ${entry.status}`);
}

/** A JavaScript stack frame line: never shown for a user's mistake. */
export const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?\n/;

export async function startWorld(options: WorldOptions): Promise<World> {
  const emulator = await startEmulator({ ...options.emulator, seed: options.seed, accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY });
  const overrides = new Set((options.config ?? []).map((line) => line.split(":").slice(0, 2).join(":")));
  const config = [
    `dis-checkpoints:projectId: ${emulator.projectId}`,
    ...QUICK_WAITS.filter((line) => !overrides.has(line.split(":").slice(0, 2).join(":"))),
    ...(options.config ?? []),
  ];
  const files = {
    "Pulumi.yaml": fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"),
    [`stacks/Pulumi.${STACK}.yaml`]: `config:\n${config.map((line) => `  ${line}`).join("\n")}\n`,
    ...Object.fromEntries(Object.entries(options.declarations).map(([name, text]) => [`checkpoints/${STACK}/${name}`, text])),
  };
  return worldOf(emulator, makeTempProject(files), options, true);
}

/** Every file of a project but what Pulumi and the tools keep locally: what a git clone of it has. */
function checkedInFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (!entry.isFile() || /^(\.pulumi|\.restore|node_modules|dist)(\/|$)/.test(relative)) continue;
    files[relative] = fs.readFileSync(path.join(dir, relative), "utf8");
  }
  return files;
}

function worldOf(emulator: EmulatorHandle, project: TempProject, options: WorldOptions, ownsEmulator: boolean): World {
  if (options.copyDist) {
    fs.rmSync(path.join(project.dir, "dist"));
    fs.cpSync(path.join(PROJECT_ROOT, "dist"), path.join(project.dir, "dist"), { recursive: true });
  }
  const env = {
    ...project.env,
    DIS_CHECKPOINTS_ENDPOINT: emulator.url,
    HUAWEICLOUD_SDK_AK: TEST_ACCESS_KEY,
    HUAWEICLOUD_SDK_SK: TEST_SECRET_KEY,
    ...options.env,
  };
  // A clone starts where the emulator's log is now, so its takeRequests() shows only its own runs.
  let lastSeq = emulator.requests().at(-1)?.seq ?? 0;
  let stackCreated = false;
  const declarationPath = (name: string) => path.join(project.dir, "checkpoints", STACK, name);
  const partitionRef = (partition: number) => ({ ordinal: partition, id: String(partition) });
  const world: World = {
    emulator,
    project,
    env,
    writeDeclaration(name, text) {
      fs.mkdirSync(path.dirname(declarationPath(name)), { recursive: true });
      fs.writeFileSync(declarationPath(name), text);
    },
    removeDeclaration(name) {
      fs.rmSync(declarationPath(name));
    },
    dis: (...args) => run(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), ...args], { cwd: project.dir, env }),
    pulumi: (...args) => run(requirePulumiCli().command, [...args, "--non-interactive"], { cwd: project.dir, env }),
    async run(door, operation, ...extra) {
      if (door === "dis-checkpoints") return world.dis(operation, "--stack", STACK, ...extra);
      if (!stackCreated) {
        // `dis-checkpoints` creates the stack on first use; plain Pulumi needs it to exist.
        const created = await world.pulumi("stack", "select", "--create", STACK);
        if (created.code !== 0) throw new Error(`pulumi stack select --create failed: ${created.stderr}`);
        stackCreated = true;
      }
      const confirm = operation === "preview" ? [] : ["--yes"];
      return world.pulumi(operation, "--stack", STACK, ...confirm, ...extra);
    },
    async exportState() {
      const result = await world.pulumi("stack", "export", "--stack", STACK);
      if (result.code !== 0) throw new Error(`pulumi stack export failed: ${result.stderr}`);
      return JSON.parse(result.stdout);
    },
    takeRequests() {
      const fresh = emulator.requests(lastSeq);
      lastSeq = fresh.at(-1)?.seq ?? lastSeq;
      return fresh;
    },
    clone() {
      const copy = worldOf(emulator, makeTempProject(checkedInFiles(project.dir)), { ...options, copyDist: false }, false);
      return copy;
    },
    loseState() {
      const state = path.join(project.dir, ".pulumi", "state");
      fs.rmSync(state, { recursive: true, force: true });
      fs.mkdirSync(state, { recursive: true });
      stackCreated = false;
    },
    checkpoint(app, stream, partition) {
      return emulator.state.showCheckpoint({ app, stream, partition: partitionRef(partition) })?.sequenceNumber.toString();
    },
    consume(app, stream, partition, sequenceNumber) {
      emulator.state.commitCheckpoint({ app, stream, partition: partitionRef(partition) }, BigInt(sequenceNumber));
    },
    async close() {
      if (ownsEmulator) await emulator.close();
      project.cleanup();
    },
  };
  return world;
}

/** The Checkpoints resource of an exported state (undefined before the first up). */
export function checkpointsResource(state: ExportedState): Record<string, any> | undefined {
  return state.deployment.resources?.find((resource) => resource.type === CHECKPOINTS_TYPE);
}

/** The applied record of an exported state as `app/stream → {partition: value}`. */
export function appliedPartitions(state: ExportedState): Record<string, Record<string, string>> {
  const applied = (checkpointsResource(state)?.outputs.applied ?? {}) as Record<string, { partitions: string }>;
  return Object.fromEntries(
    Object.entries(applied).map(([key, stream]) => [key, Object.fromEntries([...decodePositions(stream.partitions, key)].map(([ordinal, value]) => [String(ordinal), value!]))]),
  );
}

/** The root stack's outputs as last applied (secret ones appear as ciphertext). */
export function rootOutputs(state: ExportedState): Record<string, unknown> {
  return (state.deployment.resources?.find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs ?? {}) as Record<string, unknown>;
}

export { OUTPUTS };
