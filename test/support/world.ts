import * as fs from "node:fs";
import * as path from "node:path";
import { STREAM_CHECKPOINTS_TYPE } from "../../src/program/declarations";
import { startEmulator, type EmulatorHandle, type EmulatorOptions, type RequestLogEntry, type SeedDocument } from "../../src/emulator";
import { PROJECT_ROOT, requirePulumiCli } from "../../src/workspace";
import { makeTempProject, run, type ProcessResult, type TempProject } from "./project";

export const TEST_ACCESS_KEY = "TESTACCESSKEY0000001";
export const TEST_SECRET_KEY = "test-secret-key-do-not-print-0001";
export const STACK = "test";

const WRITE_OPERATIONS = new Set(["CommitCheckpoint", "DeleteCheckpoint", "CreateApp", "DeleteApp", "CreateStream", "DeleteStream", "PutRecords"]);

export interface WorldOptions {
  seed: SeedDocument;
  /** Declaration files, relative to checkpoints/test/. */
  declarations: Record<string, string>;
  /** Extra stack config lines (`key: value`) under `config:`. */
  config?: string[];
  /** Copy dist instead of linking it, so a test can change the provider code between runs. */
  copyDist?: boolean;
  /** Further emulator options (TLS, temporary credentials, a token, behaviour switches). */
  emulator?: Omit<EmulatorOptions, "seed" | "accessKey" | "secretKey">;
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
  /** Runs the Pulumi CLI in the project. */
  pulumi(...args: string[]): Promise<ProcessResult>;
  /** The stack's state as `pulumi stack export` prints it. */
  exportState(): Promise<{ deployment: { resources?: Array<Record<string, any>> } }>;
  /** Requests the emulator received since the last call (or since start). */
  takeRequests(): RequestLogEntry[];
  close(): Promise<void>;
}

export function writes(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.operation !== undefined && WRITE_OPERATIONS.has(entry.operation));
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const emulator = await startEmulator({ ...options.emulator, seed: options.seed, accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY });
  const config = [`  dis-checkpoints:projectId: ${emulator.projectId}`, ...(options.config ?? []).map((line) => `  ${line}`)];
  const project = makeTempProject({
    "Pulumi.yaml": fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"),
    [`stacks/Pulumi.${STACK}.yaml`]: `config:\n${config.join("\n")}\n`,
    ...Object.fromEntries(Object.entries(options.declarations).map(([name, text]) => [`checkpoints/${STACK}/${name}`, text])),
  });
  if (options.copyDist) {
    fs.rmSync(path.join(project.dir, "dist"));
    fs.cpSync(path.join(PROJECT_ROOT, "dist"), path.join(project.dir, "dist"), { recursive: true });
  }
  const env = {
    ...project.env,
    DIS_CHECKPOINTS_ENDPOINT: emulator.url,
    HUAWEICLOUD_SDK_AK: TEST_ACCESS_KEY,
    HUAWEICLOUD_SDK_SK: TEST_SECRET_KEY,
  };
  let lastSeq = 0;
  const declarationPath = (name: string) => path.join(project.dir, "checkpoints", STACK, name);
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
    async close() {
      await emulator.close();
      project.cleanup();
    },
  };
  return world;
}

/** The StreamCheckpoints resources of an exported state, by name (`app/stream`). */
export function streamResources(state: Awaited<ReturnType<World["exportState"]>>): Map<string, Record<string, any>> {
  const resources = state.deployment.resources ?? [];
  return new Map(
    resources
      .filter((resource) => resource.type === STREAM_CHECKPOINTS_TYPE)
      .map((resource) => [String(resource.urn).split("::").pop()!, resource]),
  );
}
