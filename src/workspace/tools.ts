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
import { PULUMI_CLI_TOOL } from "./pulumi-cli";

/**
 * Runs a plain `pulumi preview|up` of a `runtime: nodejs` project (the Automation API's inline programs need
 * none). The proxy serves no module of the v3.248 host, but up to v3.68.0 it lived inside sdk/v3, whose
 * releases it serves; the v3.248.0 CLI drives this older host through the same language-runtime protocol.
 * The engine looks for it beside the running `pulumi`, so .pulumi/bin serves the CLI built there.
 */
const LANGUAGE_HOST: GoTool = {
  binary: "pulumi-language-nodejs-v3.68.0",
  title: "nodejs language host",
  version: "3.68.0",
  module: "pulumi-language-nodejs",
  mainPackage: "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
  versionVariable: PULUMI_CLI_TOOL.versionVariable,
  stampFile: ".pulumi-language-nodejs.build-stamp",
  coldBuild: "takes about two minutes",
};

/** The name the engine looks the nodejs language host up by. */
const LANGUAGE_HOST_COMMAND = "pulumi-language-nodejs";

/**
 * What the engine runs as the language host: a wrapper around the v3.68.0 binary, for two reasons.
 *
 * That release took the project's runtime options (Pulumi.yaml `runtime.options`) as command-line flags,
 * which the v3.248 CLI no longer passes, so it would run this project with ts-node (its default), which then
 * compiles the TypeScript sources behind the source maps of every error it formats: half a minute of CPU per
 * failing preview. This project's Pulumi.yaml says `typescript: false`; the wrapper says it to the host.
 *
 * The host asks its engine whether it is alive only every five minutes, so an engine killed with SIGKILL
 * leaves the host and the program running that long (the engine starts each plugin in a process group of
 * its own, out of reach of the signal). The wrapper's watcher ends that group, program included, within a
 * second of the engine's death. The watcher shares the group, so the engine's own shutdown of the host
 * (SIGINT, then SIGKILL, to the group) reaches it too; it ignores the SIGINT and ends within a second of the
 * engine.
 */
function languageHostWrapper(): string {
  return [
    "#!/bin/sh",
    "# Written by npm run setup (src/workspace/tools.ts): Pulumi.yaml's typescript: false, as the v3.68.0 host takes it;",
    "# and the host's process group ends within a second of its engine's death.",
    "engine=$PPID",
    '(while kill -0 "$engine" 2>/dev/null; do sleep 1; done; kill -KILL 0) </dev/null >/dev/null 2>&1 &',
    `exec "$(dirname "$0")/${LANGUAGE_HOST.binary}" -typescript=false "$@"`,
    "",
  ].join("\n");
}

function writeLanguageHostWrapper(root: string): void {
  const wrapper = path.join(localPulumiPaths(root).bin, LANGUAGE_HOST_COMMAND);
  const text = languageHostWrapper();
  if (fs.existsSync(wrapper) && fs.readFileSync(wrapper, "utf8") === text) return;
  fs.writeFileSync(`${wrapper}.partial`, text, { mode: 0o755 });
  fs.renameSync(`${wrapper}.partial`, wrapper);
}

/** An S3-compatible server over a local directory: tests run Pulumi's S3 backend against it. */
const VERSITYGW: GoTool = {
  binary: "versitygw",
  title: "versitygw",
  version: "1.8.0",
  module: "versitygw",
  mainPackage: "github.com/versity/versitygw/cmd/versitygw",
  versionVariable: "main.Version",
  stampFile: ".versitygw.build-stamp",
  coldBuild: "takes a few minutes",
};

/** Lints GitHub Actions workflow files in tests. */
const ACTIONLINT: GoTool = {
  binary: "actionlint",
  title: "actionlint",
  version: "1.7.12",
  module: "actionlint",
  mainPackage: "github.com/rhysd/actionlint/cmd/actionlint",
  versionVariable: "github.com/rhysd/actionlint.version",
  stampFile: ".actionlint.build-stamp",
  coldBuild: "takes under a minute",
};

const TOOLS = { "pulumi-language-nodejs": LANGUAGE_HOST, versitygw: VERSITYGW, actionlint: ACTIONLINT } as const;

export type ToolName = keyof typeof TOOLS;

/** Tool definitions, for tests of the stamps; set-up and requireTool are the way to get a binary. */
export function toolDefinition(name: ToolName | "pulumi"): GoTool {
  return name === "pulumi" ? PULUMI_CLI_TOOL : TOOLS[name];
}

/** A language host on PATH came with a Pulumi installation, and the engine prefers it over a bundled one. */
function ambientLanguageHost(root: string): string | undefined {
  return findOnPath(LANGUAGE_HOST_COMMAND, localPulumiPaths(root).bin);
}

/** The tool's executable: for the language host one on PATH, else the one set-up built from the checkout. */
export function findTool(name: ToolName, root: string = PROJECT_ROOT): string | undefined {
  if (name === "pulumi-language-nodejs") {
    const ambient = ambientLanguageHost(root);
    if (ambient) return ambient;
    const wrapper = path.join(localPulumiPaths(root).bin, LANGUAGE_HOST_COMMAND);
    return builtTool(root, LANGUAGE_HOST) && fs.existsSync(wrapper) ? wrapper : undefined;
  }
  return builtTool(root, TOOLS[name]);
}

export function requireTool(name: ToolName, root: string = PROJECT_ROOT): string {
  const found = findTool(name, root);
  if (found) return found;
  const tool = TOOLS[name];
  throw new SetupError(
    `${tool.binary} v${tool.version} is not built from the current tools/${tool.module}: run \`npm run setup\` ` +
      "(it needs Go 1.25.11 or newer)",
  );
}

/**
 * Builds, or reuses, the tools beside the Pulumi CLI. Only the CLI is indispensable (`npm start` needs no
 * more), so without Go these are skipped with a note rather than failing set-up.
 */
export async function ensureTools(options: SetupOptions = {}): Promise<void> {
  const root = options.root ?? PROJECT_ROOT;
  const log = setupLog(options);
  const ambient = ambientLanguageHost(root);
  if (ambient) log(`nodejs language host: using ${ambient} from PATH`);
  const wanted = Object.values(TOOLS).filter((tool) => tool !== LANGUAGE_HOST || !ambient);
  const go = findGo();
  if (!go) {
    const skipped = wanted.filter((tool) => !builtTool(root, tool)).map((tool) => tool.binary);
    if (skipped.length) {
      log(`not built, for want of Go 1.25.11 or newer: ${skipped.join(", ")} (tests and plain \`pulumi\` runs need them)`);
    }
    return;
  }
  for (const tool of wanted) await ensureGoTool(tool, go, options);
  if (!ambient) writeLanguageHostWrapper(root);
}
