import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { localPulumiPaths, PROJECT_ROOT } from "./paths";

/** The Pulumi release this project is built and tested with; it matches the pinned @pulumi/pulumi SDK. */
export const PULUMI_VERSION = "3.248.0";

const DYNAMIC_PROVIDER_PLUGIN = "pulumi-resource-pulumi-nodejs";
const BUILD_STAMP = ".build-stamp";

export interface PulumiCli {
  /** Absolute path of the `pulumi` executable. */
  command: string;
  version: string;
  source: "built" | "path";
}

export class SetupError extends Error {
  override name = "SetupError";
}

/** Parses `v3.248.0` (optionally with a pre-release suffix) into comparable numbers. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isAtLeast(version: string, minimum: string): boolean {
  const have = parseVersion(version);
  const want = parseVersion(minimum);
  if (!have || !want) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== want[i]!) return have[i]! > want[i]!;
  }
  return true;
}

function commandVersion(command: string): string | undefined {
  const result = spawnSync(command, ["version"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  if (result.status !== 0) return undefined;
  return result.stdout.trim() || undefined;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The stamp changes whenever the wrapper module or the wanted release changes, so setup rebuilds. */
function buildStamp(root: string): string {
  const hash = createHash("sha256").update(PULUMI_VERSION);
  for (const file of ["go.mod", "go.sum"]) hash.update(fs.readFileSync(path.join(root, "tools", "pulumi-cli", file)));
  return hash.digest("hex");
}

function readStamp(binDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(binDir, BUILD_STAMP), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The CLI built into the project, when it is complete and built from the current wrapper module. */
function builtCli(root: string): PulumiCli | undefined {
  const { bin } = localPulumiPaths(root);
  const command = path.join(bin, "pulumi");
  if (!fs.existsSync(command) || !fs.existsSync(path.join(bin, DYNAMIC_PROVIDER_PLUGIN))) return undefined;
  if (readStamp(bin) !== buildStamp(root)) return undefined;
  const version = commandVersion(command);
  return version === `v${PULUMI_VERSION}` ? { command, version, source: "built" } : undefined;
}

/** The CLI this project runs: the one built by setup, else a recent enough `pulumi` on PATH. */
export function findPulumiCli(root: string = PROJECT_ROOT): PulumiCli | undefined {
  const built = builtCli(root);
  if (built) return built;
  const onPath = findOnPath("pulumi");
  if (!onPath) return undefined;
  const version = commandVersion(onPath);
  return version && isAtLeast(version, PULUMI_VERSION) ? { command: onPath, version, source: "path" } : undefined;
}

export function requirePulumiCli(root: string = PROJECT_ROOT): PulumiCli {
  const cli = findPulumiCli(root);
  if (!cli) throw new SetupError(`no Pulumi CLI v${PULUMI_VERSION} or newer was found: run \`npm run setup\` first`);
  return cli;
}

export interface SetupOptions {
  root?: string;
  log?: (line: string) => void;
  /** How often to report progress while building. */
  heartbeatMs?: number;
}

/**
 * Makes a Pulumi CLI available: reuses the built one or a recent enough one on PATH, otherwise builds the
 * CLI at PULUMI_VERSION from Go modules through the wrapper module in tools/pulumi-cli (go.mod and go.sum
 * pin every module), and installs the dynamic-provider plugin script from the pinned @pulumi/pulumi package.
 */
export async function ensurePulumiCli(options: SetupOptions = {}): Promise<PulumiCli> {
  const root = options.root ?? PROJECT_ROOT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const existing = builtCli(root);
  if (existing) {
    log(`Pulumi CLI ${existing.version}: ready (.pulumi/bin/pulumi)`);
    return existing;
  }
  const onPath = findOnPath("pulumi");
  if (onPath) {
    const version = commandVersion(onPath);
    if (version && isAtLeast(version, PULUMI_VERSION)) {
      log(`Pulumi CLI ${version}: using ${onPath} from PATH`);
      return { command: onPath, version, source: "path" };
    }
    log(`Pulumi CLI on PATH (${version ?? "unknown version"}) is older than v${PULUMI_VERSION}; building v${PULUMI_VERSION}`);
  }
  const go = findOnPath("go");
  if (!go) {
    throw new SetupError(
      `dis-checkpoints needs the Pulumi CLI v${PULUMI_VERSION} or newer, and none was found on PATH. ` +
        `Install the Pulumi CLI (v${PULUMI_VERSION} or newer), or install Go 1.25.11 or newer so that ` +
        "`npm run setup` can build it from Go modules.",
    );
  }
  const plugin = path.join(root, "node_modules", "@pulumi", "pulumi", DYNAMIC_PROVIDER_PLUGIN);
  if (!fs.existsSync(plugin)) {
    throw new SetupError(`${path.relative(root, plugin)} is missing: run \`npm ci\` first`);
  }
  const { bin } = localPulumiPaths(root);
  fs.mkdirSync(bin, { recursive: true });
  await buildWithGo(go, root, path.join(bin, "pulumi"), log, options.heartbeatMs ?? 30_000);
  fs.copyFileSync(plugin, path.join(bin, DYNAMIC_PROVIDER_PLUGIN));
  fs.chmodSync(path.join(bin, DYNAMIC_PROVIDER_PLUGIN), 0o755);
  fs.writeFileSync(path.join(bin, BUILD_STAMP), `${buildStamp(root)}\n`);
  const built = builtCli(root);
  if (!built) throw new SetupError(`the Pulumi CLI was built but \`.pulumi/bin/pulumi version\` does not print v${PULUMI_VERSION}`);
  log(`Pulumi CLI ${built.version}: built into .pulumi/bin`);
  return built;
}

async function buildWithGo(
  go: string,
  root: string,
  output: string,
  log: (line: string) => void,
  heartbeatMs: number,
): Promise<void> {
  const moduleDir = path.join(root, "tools", "pulumi-cli");
  const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}`;
  const args = [
    "build",
    "-mod=readonly",
    "-trimpath",
    "-tags",
    "osusergo,grpcnotrace",
    "-ldflags",
    ldflags,
    "-o",
    `${output}.partial`,
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
  ];
  log(`Building the Pulumi CLI v${PULUMI_VERSION} from Go modules (tools/pulumi-cli); the first build downloads about 1 GB and takes several minutes`);
  const started = Date.now();
  let downloads = 0;
  const stderrTail: string[] = [];
  const child = spawn(go, args, { cwd: moduleDir, env: { ...process.env, CGO_ENABLED: "0" }, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (!line) continue;
      if (line.startsWith("go: downloading")) downloads++;
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    }
  });
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`  still building (${seconds}s, ${downloads} modules downloaded so far)`);
  }, heartbeatMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) {
      throw new SetupError(`go build of the Pulumi CLI failed (exit ${code}):\n${stderrTail.join("\n")}`);
    }
  } finally {
    clearInterval(heartbeat);
  }
  fs.renameSync(`${output}.partial`, output);
  log(`  built in ${Math.round((Date.now() - started) / 1000)}s`);
}
