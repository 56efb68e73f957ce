/**
 * The bench's processes: the emulator in a child process (so it does not share an event loop with the
 * driver or the provider), its admin surface, and the peak RSS of the Pulumi dynamic-provider process,
 * found among this process's descendants through /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { PROJECT_ROOT } from "../src/workspace";

export interface EmulatorProcess {
  url: string;
  /** Requests so far, per DIS operation. */
  operationCounts(): Promise<Record<string, number>>;
  /** Back to the seeded state: no checkpoint committed. */
  resetState(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/** Starts `dis-emulator` (compiled) on a free loopback port with the given seed file and identity. */
export async function startEmulatorProcess(options: {
  seedFile: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  /** Added to every request (an emulator latency fault), to model a network round trip; 0 for none. */
  latencyMs: number;
}): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(PROJECT_ROOT, "dist", "emulator", "cli.js"),
      "--seed", options.seedFile,
      "--project-id", options.projectId,
      "--access-key", options.accessKey,
      "--secret-key", options.secretKey,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`the emulator did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("exit", (code) => fail(new Error(`the emulator exited with code ${code} before listening`)));
    // The first line is documented: `DIS emulator listening on http://127.0.0.1:<port>`.
    lines.once("line", (line) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const match = /listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]!);
      else fail(new Error(`unexpected first line from the emulator: ${line}`));
    });
  });
  const admin = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/_emulator/${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator admin ${method} ${route} answered ${response.status}: ${text}`);
    return text === "" ? undefined : JSON.parse(text);
  };
  // A reset clears faults too, so the latency is put back after each one.
  const addLatency = async () => {
    if (options.latencyMs > 0) await admin("POST", "faults", { kind: "latency", latencyMs: options.latencyMs });
  };
  try {
    await addLatency();
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    url,
    async operationCounts() {
      const metrics = (await admin("GET", "metrics")) as { operations: Record<string, { count: number }> };
      return Object.fromEntries(Object.entries(metrics.operations).map(([operation, { count }]) => [operation, count]));
    },
    async resetState() {
      await admin("POST", "reset", { state: true });
      await addLatency();
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Requests per operation between two counts. */
export function countsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const difference = count - (before[operation] ?? 0);
    if (difference > 0) delta[operation] = difference;
  }
  return Object.fromEntries(Object.entries(delta).sort(([a], [b]) => a.localeCompare(b)));
}

const DYNAMIC_PROVIDER = "@pulumi/pulumi/cmd/dynamic-provider";
const SAMPLE_MS = 50;
/** Finding the provider means listing /proc; once found, only its status file is read on most ticks. */
const RESCAN_EVERY = 10;

/**
 * Samples VmHWM (the kernel's own peak RSS) of every dynamic-provider process below `rootPid` every 50 ms,
 * so the figure is the true peak up to the last sample before the process exits.
 */
export class ProviderMemorySampler {
  private readonly providers = new Set<number>();
  private peakKb = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rootPid: number = process.pid) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  /** Stops sampling; the peak in bytes, or null when no provider process was seen (Linux /proc only). */
  stop(): { peakRssBytes: number | null; providerProcesses: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakRssBytes: this.providers.size === 0 ? null : this.peakKb * 1024, providerProcesses: this.providers.size };
  }

  private sample(): void {
    if (this.providers.size === 0 || this.ticks++ % RESCAN_EVERY === 0) this.scan();
    for (const pid of this.providers) {
      const status = readProc(pid, "status");
      const kb = status === undefined ? undefined : /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
      if (kb !== undefined) this.peakKb = Math.max(this.peakKb, Number(kb));
    }
  }

  private scan(): void {
    let entries: string[];
    try {
      entries = fs.readdirSync("/proc");
    } catch {
      return; // not Linux: no figure
    }
    const children = new Map<number, number[]>();
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readProc(Number(entry), "stat");
      if (stat === undefined) continue;
      // `pid (comm) state ppid …`; comm may itself hold parentheses.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    }
    const queue = [...(children.get(this.rootPid) ?? [])];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      queue.push(...(children.get(pid) ?? []));
      // Read again on every scan: a process forked but not yet exec'd still shows its parent's command line.
      if (!this.providers.has(pid) && readProc(pid, "cmdline")?.includes(DYNAMIC_PROVIDER)) this.providers.add(pid);
    }
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined; // the process ended between listing and reading
  }
}
