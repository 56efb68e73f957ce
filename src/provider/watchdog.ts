/**
 * The provider process must not outlive its Pulumi engine. The engine starts it in a process group of its
 * own, so when the engine is killed (SIGKILL, a crashed runner) the provider keeps running, orphaned, and its
 * retries could commit a dead run's values after a newer run committed others. So it watches the engine
 * and ends itself once the engine is gone. Linux only (it reads /proc); elsewhere it does nothing.
 */
import * as fs from "node:fs";

const ENGINE_COMMAND = "pulumi";
const MAX_ANCESTORS = 16;

/** `/proc/<pid>/stat` → command and parent pid; the command may itself hold spaces and parentheses. */
export function parseStat(stat: string): { command: string; state: string; parent: number } | undefined {
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const [state, parent] = stat.slice(close + 2).split(" ");
  if (state === undefined || parent === undefined || !/^\d+$/.test(parent)) return undefined;
  return { command: stat.slice(open + 1, close), state, parent: Number(parent) };
}

function readStat(pid: number): ReturnType<typeof parseStat> {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** The nearest ancestor of this process running the Pulumi engine. */
function findEngine(): number | undefined {
  let pid = process.ppid;
  for (let depth = 0; depth < MAX_ANCESTORS && pid > 1; depth++) {
    const stat = readStat(pid);
    if (!stat) return undefined;
    if (stat.command === ENGINE_COMMAND) return pid;
    pid = stat.parent;
  }
  return undefined;
}

/** A process that exited but was not reaped yet is a zombie: gone for this purpose. */
function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.command === ENGINE_COMMAND;
}

let watching = false;

export function exitWhenEngineDies(intervalMs = 500): void {
  if (watching) return;
  watching = true;
  const engine = findEngine();
  if (engine === undefined) return;
  const timer = setInterval(() => {
    if (isRunning(engine)) return;
    process.stderr.write("dis-checkpoints provider: the Pulumi engine is gone; stopping so that no stale commit is retried\n");
    process.exit(1);
  }, intervalMs);
  timer.unref();
}
