#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "./emulator";

const USAGE = `usage: dis-emulator [--host 127.0.0.1] [--port 0] [--project-id ID]
                    [--access-key AK --secret-key SK] [--token T] [--seed FILE] [--data FILE]

A local stand-in for Huawei Cloud DIS (streams, records, apps, checkpoints) with AK/SK signature checks.
  --host HOST        address to listen on (default 127.0.0.1; the admin surface answers loopback only)
  --port PORT        port, 0 for any free one (default 0)
  --project-id ID    the project id requests must name (default: the demo project)
  --access-key AK    access key to accept, with --secret-key (default: the printed demo keys)
  --secret-key SK    its secret key (never printed)
  --token T          also accept X-Auth-Token: T (never printed)
  --seed FILE        YAML or JSON seed: streams, records, apps, checkpoints, simulated consumers
                     (see docs/emulator.md)
  --data FILE        keep the state in FILE across restarts (the seed applies only while FILE is absent)
  --help             show this help
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "project-id": { type: "string" },
  "access-key": { type: "string" },
  "secret-key": { type: "string" },
  token: { type: "string" },
  seed: { type: "string" },
  data: { type: "string" },
  help: { type: "boolean" },
} as const;

class UsageError extends Error {}

/** Flags → options. Pure, so that every usage error is testable without starting anything. */
export function parseCommandLine(argv: readonly string[]): EmulatorOptions | "help" {
  let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message.split(". ")[0] as string);
  }
  if (values.help) return "help";
  for (const [name, value] of Object.entries(values)) {
    if (value === "") throw new UsageError(`--${name} needs a non-empty value`);
  }
  if ((values["access-key"] === undefined) !== (values["secret-key"] === undefined)) {
    throw new UsageError("--access-key and --secret-key go together");
  }
  const options: EmulatorOptions = {};
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
      throw new UsageError(`--port must be a port number from 0 to 65535, got ${values.port}`);
    }
    options.port = Number(values.port);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values["project-id"] !== undefined) options.projectId = values["project-id"];
  if (values["access-key"] !== undefined) options.accessKey = values["access-key"];
  if (values["secret-key"] !== undefined) options.secretKey = values["secret-key"];
  if (values.token !== undefined) options.token = values.token;
  if (values.seed !== undefined) options.seed = values.seed;
  if (values.data !== undefined) options.dataFile = values.data;
  return options;
}

/** What the emulator prints at start. Demo keys are shown (they are not secrets); a given secret never is. */
export function banner(handle: EmulatorHandle, options: EmulatorOptions): string {
  const demoKeys = options.accessKey === undefined;
  const lines = [
    `DIS emulator listening on ${handle.url}`,
    `  project id   ${handle.projectId}`,
    `  access key   ${handle.accessKey}${demoKeys ? "  (demo key)" : ""}`,
    `  secret key   ${demoKeys ? `${handle.secretKey}  (demo key, not a secret)` : "(as given with --secret-key, not shown)"}`,
  ];
  if (options.token !== undefined) lines.push("  token        X-Auth-Token accepted (as given with --token, not shown)");
  if (typeof options.seed === "string") lines.push(`  seed         ${options.seed}`);
  if (options.dataFile !== undefined) lines.push(`  data         ${options.dataFile}`);
  const consumers = handle.consumers().length;
  if (consumers > 0) lines.push(`  consumers    ${consumers} simulated, committing (${handle.url}/_emulator/consumers)`);
  lines.push(`  admin        ${handle.url}/_emulator/ (requests, metrics, faults, consumers, clock, reset, state)`);
  return `${lines.join("\n")}\n`;
}

async function main(argv: readonly string[]): Promise<void> {
  let options: EmulatorOptions | "help";
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`dis-emulator: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return;
  }
  let handle: EmulatorHandle;
  try {
    handle = await startEmulator({ ...options, log: (line) => process.stderr.write(`dis-emulator: ${line}\n`) });
  } catch (error) {
    process.stderr.write(`dis-emulator: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(banner(handle, options));
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`dis-emulator: ${signal}, closing\n`);
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`dis-emulator: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) void main(process.argv.slice(2));
