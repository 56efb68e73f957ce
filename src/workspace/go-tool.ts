import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProjectError } from "../errors";
import { localPulumiPaths, PROJECT_ROOT } from "./paths";

export class SetupError extends ProjectError {
  override name = "SetupError";
  readonly code = "setup";
}

/** A Go program that set-up builds from its own committed wrapper module under tools/ into .pulumi/bin. */
export interface GoTool {
  /** The executable's name in .pulumi/bin. */
  binary: string;
  /** How set-up's messages call it. */
  title: string;
  /** The release built, without the leading `v`. */
  version: string;
  /** The wrapper module's folder under tools/; its go.mod and go.sum pin every module of the build. */
  module: string;
  mainPackage: string;
  /** The Go variable `-X` sets to `v<version>`, so that the binary reports the release it was built from. */
  versionVariable: string;
  tags?: string[];
  /** The stamp's file name in .pulumi/bin. */
  stampFile: string;
  /** What the first build costs, for the line that announces it. */
  coldBuild: string;
}

export interface SetupOptions {
  root?: string;
  log?: (line: string) => void;
  /** How often to report progress while building. */
  heartbeatMs?: number;
}

export function setupLog(options: SetupOptions): (line: string) => void {
  return options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
}

/** The first executable called `name` on PATH, passing over `skipDir` (the project's own bin folder). */
export function findOnPath(name: string, skipDir?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const skip = skipDir === undefined ? undefined : realPath(skipDir);
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir || (skip !== undefined && realPath(dir) === skip)) continue;
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

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export function toolPath(root: string, tool: GoTool): string {
  return path.join(localPulumiPaths(root).bin, tool.binary);
}

/** Changes whenever the wrapper module or the wanted release changes, so that set-up rebuilds. */
export function toolStamp(root: string, tool: GoTool): string {
  const hash = createHash("sha256").update(tool.version);
  for (const file of ["go.mod", "go.sum"]) hash.update(fs.readFileSync(path.join(root, "tools", tool.module, file)));
  return hash.digest("hex");
}

function readStamp(root: string, tool: GoTool): string | undefined {
  try {
    return fs.readFileSync(path.join(localPulumiPaths(root).bin, tool.stampFile), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** `stale`: built, but from another wrapper module or release than the checkout's. */
export type ToolStatus = "ready" | "missing" | "stale";

export function toolStatus(root: string, tool: GoTool): ToolStatus {
  if (!fs.existsSync(toolPath(root, tool))) return "missing";
  return readStamp(root, tool) === toolStamp(root, tool) ? "ready" : "stale";
}

/** The binary set-up built, provided it was built from the checkout's wrapper module. */
export function builtTool(root: string, tool: GoTool): string | undefined {
  return toolStatus(root, tool) === "ready" ? toolPath(root, tool) : undefined;
}

export function findGo(): string | undefined {
  return findOnPath("go");
}

/** Reuses the binary when its stamp matches, else builds it; `go` is the Go command to build with. */
export async function ensureGoTool(tool: GoTool, go: string, options: SetupOptions = {}): Promise<string> {
  const root = options.root ?? PROJECT_ROOT;
  const log = setupLog(options);
  const status = toolStatus(root, tool);
  const binary = toolPath(root, tool);
  if (status === "ready") {
    log(`${tool.title} v${tool.version}: ready (.pulumi/bin/${tool.binary})`);
    return binary;
  }
  if (status === "stale") log(`${tool.title}: tools/${tool.module} or its release changed since it was built`);
  await buildGoTool(tool, go, root, log, options.heartbeatMs ?? 30_000);
  log(`${tool.title} v${tool.version}: built into .pulumi/bin`);
  return binary;
}

async function buildGoTool(
  tool: GoTool,
  go: string,
  root: string,
  log: (line: string) => void,
  heartbeatMs: number,
): Promise<void> {
  const output = toolPath(root, tool);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  // Per process, so that two set-ups running at once (a test run and `npm start`) do not write one file.
  const partial = `${output}.${process.pid}.partial`;
  const ldflags = `-s -w -X ${tool.versionVariable}=v${tool.version}`;
  const args = ["build", "-mod=readonly", "-trimpath"];
  if (tool.tags?.length) args.push("-tags", tool.tags.join(","));
  args.push("-ldflags", ldflags, "-o", partial, tool.mainPackage);
  const what = `${tool.title} v${tool.version} (tools/${tool.module})`;
  log(`Building ${what} with Go; the first build ${tool.coldBuild}`);
  const started = Date.now();
  let downloads = 0;
  const stderrTail: string[] = [];
  const child = spawn(go, args, {
    cwd: path.join(root, "tools", tool.module),
    env: { ...process.env, CGO_ENABLED: "0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
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
    log(`  still building ${tool.binary} (${seconds}s, ${downloads} modules downloaded so far)`);
  }, heartbeatMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    }).catch((error: unknown) => {
      throw new SetupError(`could not run ${go} to build ${what}: ${String(error)}`);
    });
    if (code !== 0) throw new SetupError(`go build of ${what} failed (exit ${code}):\n${stderrTail.join("\n")}`);
    fs.renameSync(partial, output);
  } finally {
    clearInterval(heartbeat);
    fs.rmSync(partial, { force: true });
  }
  fs.writeFileSync(path.join(path.dirname(output), tool.stampFile), `${toolStamp(root, tool)}\n`);
  log(`  built in ${Math.round((Date.now() - started) / 1000)}s`);
}
