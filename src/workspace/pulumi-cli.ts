import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  builtTool,
  ensureGoTool,
  findGo,
  findOnPath,
  setupLog,
  SetupError,
  type GoTool,
  type SetupOptions,
} from "./go-tool";
import { localPulumiPaths, PROJECT_ROOT } from "./paths";

/** The Pulumi release this project is built and tested with; it matches the pinned @pulumi/pulumi SDK. */
export const PULUMI_VERSION = "3.248.0";

export const PULUMI_CLI_TOOL: GoTool = {
  binary: "pulumi",
  title: "Pulumi CLI",
  version: PULUMI_VERSION,
  module: "pulumi-cli",
  mainPackage: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
  versionVariable: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
  tags: ["osusergo", "grpcnotrace"],
  // The name predates the other tools' stamps; keeping it keeps CLIs built before them valid.
  stampFile: ".build-stamp",
  coldBuild: "downloads about 1 GB and takes several minutes",
};

const DYNAMIC_PROVIDER_PLUGIN = "pulumi-resource-pulumi-nodejs";

export interface PulumiCli {
  /** Absolute path of the `pulumi` executable. */
  command: string;
  version: string;
  source: "built" | "path";
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

/** The CLI built into the project, when it is complete and built from the current wrapper module. */
function builtCli(root: string): PulumiCli | undefined {
  const command = builtTool(root, PULUMI_CLI_TOOL);
  if (!command || !fs.existsSync(path.join(path.dirname(command), DYNAMIC_PROVIDER_PLUGIN))) return undefined;
  const version = commandVersion(command);
  return version === `v${PULUMI_VERSION}` ? { command, version, source: "built" } : undefined;
}

/** A recent enough `pulumi` on PATH; one in the project's own bin folder is judged by its stamp instead. */
function cliOnPath(root: string): { command?: string; version?: string; recent: boolean } {
  const command = findOnPath("pulumi", localPulumiPaths(root).bin);
  const version = command === undefined ? undefined : commandVersion(command);
  return { command, version, recent: version !== undefined && isAtLeast(version, PULUMI_VERSION) };
}

/** The CLI this project runs: the one built by setup, else a recent enough `pulumi` on PATH. */
export function findPulumiCli(root: string = PROJECT_ROOT): PulumiCli | undefined {
  const built = builtCli(root);
  if (built) return built;
  const onPath = cliOnPath(root);
  return onPath.recent ? { command: onPath.command!, version: onPath.version!, source: "path" } : undefined;
}

export function requirePulumiCli(root: string = PROJECT_ROOT): PulumiCli {
  const cli = findPulumiCli(root);
  if (!cli) throw new SetupError(`no Pulumi CLI v${PULUMI_VERSION} or newer was found: run \`npm run setup\` first`);
  return cli;
}

/**
 * Makes a Pulumi CLI available: reuses the built one or a recent enough one on PATH, otherwise builds the
 * CLI at PULUMI_VERSION from Go modules through the wrapper module in tools/pulumi-cli (go.mod and go.sum
 * pin every module), and installs the dynamic-provider plugin script from the pinned @pulumi/pulumi package.
 */
export async function ensurePulumiCli(options: SetupOptions = {}): Promise<PulumiCli> {
  const root = options.root ?? PROJECT_ROOT;
  const log = setupLog(options);
  const existing = builtCli(root);
  if (existing) {
    log(`Pulumi CLI ${existing.version}: ready (.pulumi/bin/pulumi)`);
    return existing;
  }
  const onPath = cliOnPath(root);
  if (onPath.recent) {
    log(`Pulumi CLI ${onPath.version}: using ${onPath.command} from PATH`);
    return { command: onPath.command!, version: onPath.version!, source: "path" };
  }
  if (onPath.command) {
    log(`Pulumi CLI on PATH (${onPath.version ?? "unknown version"}) is older than v${PULUMI_VERSION}; building v${PULUMI_VERSION}`);
  }
  const go = findGo();
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
  fs.copyFileSync(plugin, path.join(bin, DYNAMIC_PROVIDER_PLUGIN));
  fs.chmodSync(path.join(bin, DYNAMIC_PROVIDER_PLUGIN), 0o755);
  await ensureGoTool(PULUMI_CLI_TOOL, go, options);
  const built = builtCli(root);
  if (!built) {
    throw new SetupError(
      `\`.pulumi/bin/pulumi version\` does not print v${PULUMI_VERSION}: delete .pulumi/bin and run \`npm run setup\` again`,
    );
  }
  return built;
}
