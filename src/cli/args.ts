/**
 * The command-line argument parser every subcommand shares: `--name value`, `--name=value`, `-n value`,
 * boolean flags, repeatable options, and `--` to end options. Mistakes become a UsageError whose message
 * fits on one line.
 */

import { ProjectError } from "../errors";

export type OptionType = "boolean" | "string" | "strings";

export interface OptionDefinition {
  type: OptionType;
  /** One letter, used as `-x`. */
  short?: string;
  /** For help: the value's name, e.g. "TIME". */
  valueName?: string;
  description: string;
}

export type OptionSpec = Record<string, OptionDefinition>;

type OptionValue<T extends OptionType> = T extends "boolean" ? boolean : T extends "string" ? string : string[];

export interface ParsedArgs<S extends OptionSpec> {
  options: { [K in keyof S]?: OptionValue<S[K]["type"]> };
  positionals: string[];
}

/** A mistake on the command line: exit status 2 and a one-line hint. */
export class UsageError extends ProjectError {
  override readonly name = "UsageError";
  readonly code = "usage";
}

export function parseArgs<S extends OptionSpec>(argv: readonly string[], spec: S): ParsedArgs<S> {
  const options: Record<string, boolean | string | string[]> = {};
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--") {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [name, inlineValue] = splitOption(arg, spec);
    const definition = spec[name];
    if (!definition) throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    if (definition.type === "boolean") {
      if (inlineValue !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = inlineValue ?? argv[++index];
    if (value === undefined) throw new UsageError(`--${name} needs a value${definition.valueName ? ` (${definition.valueName})` : ""}`);
    if (definition.type === "string") {
      if (name in options) throw new UsageError(`--${name} is given twice`);
      options[name] = value;
    } else {
      const values = options[name];
      options[name] = Array.isArray(values) ? [...values, value] : [value];
    }
  }
  return { options: options as ParsedArgs<S>["options"], positionals };
}

/** `--name=value` → ["name", "value"]; `-x` → the long name of short option x. */
function splitOption(arg: string, spec: OptionSpec): [string, string | undefined] {
  if (arg.startsWith("--")) {
    const equals = arg.indexOf("=");
    return equals === -1 ? [arg.slice(2), undefined] : [arg.slice(2, equals), arg.slice(equals + 1)];
  }
  const short = arg.slice(1);
  const long = Object.keys(spec).find((name) => spec[name]?.short === short);
  if (!long) throw new UsageError(`unknown option ${arg}`);
  return [long, undefined];
}

/** Every command accepts it (the dispatcher handles it); list it in each command's help. */
export const HELP_OPTION = { help: { type: "boolean", short: "h", description: "Show this help" } } satisfies OptionSpec;

/** The "Options:" block of a command's help, from the same spec the parser uses. */
export function formatOptionsHelp(spec: OptionSpec): string {
  const rows = Object.entries(spec).map(([name, definition]) => {
    const flag = `${definition.short ? `-${definition.short}, ` : ""}--${name}`;
    const value = definition.type === "boolean" ? "" : ` ${definition.valueName ?? "VALUE"}`;
    return [`${flag}${value}`, definition.description + (definition.type === "strings" ? " (repeatable)" : "")] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
}
