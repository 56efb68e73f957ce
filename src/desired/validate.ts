/**
 * One parsed YAML document → a validated declaration, or problems that say what is wrong, where, and what
 * to do. zod decides what is valid; this module only explains zod's verdict in the user's terms, from the
 * field's place in the document and the value the user wrote.
 */
import type { z } from "zod";
import {
  DECIMAL_DIGITS_PATTERN,
  MAX_APP_NAME_LENGTH,
  MAX_METADATA_LENGTH,
  MAX_SEQUENCE_NUMBER,
  MAX_STREAM_NAME_LENGTH,
} from "../contract";
import type { DeclarationErrorCode } from "./errors";
import {
  declarationSchema,
  FORMAT_VERSION,
  ON_DELETE_VALUES,
  WHILE_CONSUMERS_RUN_VALUES,
  partitionEntrySchema,
  streamSchema,
  type DeclarationDocument,
} from "./schema";
import { closestMatch } from "./suggest";
import { nodeAt, type DocumentPath, type SourceDocument, type SourceProblem } from "./yaml-source";

type Issue = z.core.$ZodIssue;

export function validateDocument(
  document: SourceDocument,
  report: (problem: SourceProblem) => void,
): DeclarationDocument | undefined {
  const root = document.value;
  const rootOffset = document.source.value;
  if (!isMapping(root)) {
    report({
      code: "wrong-type",
      offset: rootOffset,
      path: [],
      message: `a declaration must be a mapping with version, app and streams, not ${describeValue(root)}`,
    });
    return undefined;
  }
  const reportedPaths = [...document.reportedPaths];
  if (!("version" in root)) {
    // A misspelt "version" key is reported once, as an unknown key with its suggestion.
    const misspelt = Object.keys(root).some((key) => closestMatch(key, ["version"]) !== undefined);
    if (!misspelt) {
      report({
        code: "missing-version",
        offset: rootOffset,
        path: [],
        message: `the declaration has no version: add "version: ${FORMAT_VERSION}" as its first line`,
      });
    }
    reportedPaths.push(["version"]);
  } else if (root.version !== FORMAT_VERSION) {
    if (!isReported(["version"], reportedPaths)) {
      report({
        code: "unsupported-version",
        offset: nodeAt(document.source, ["version"]).node.value,
        path: ["version"],
        message: `unknown format version ${describeValue(root.version)}: this dis-checkpoints reads version ${FORMAT_VERSION}; write "version: ${FORMAT_VERSION}" or upgrade dis-checkpoints`,
      });
    }
    // The rest is in a format we do not know: explaining it as version 1 would only mislead.
    return undefined;
  }
  const result = declarationSchema.safeParse(root);
  if (result.success) return result.data;
  const sites = result.error.issues.flatMap((issue) => issueSites(issue, []));
  const misspelt = new Set(sites.flatMap((site) => (site.kind === "unknown-key" ? [siteKey(suggestedPath(site.path))] : [])));
  const explained = new Set<string>();
  for (const site of sites) {
    if (isReported(site.path, reportedPaths)) continue;
    // "stream:" for "streams:" is one mistake: the "did you mean" says it all, a missing-key error would repeat it.
    if (isMissing(site, document) && misspelt.has(siteKey(site.path))) continue;
    const key = `${site.kind}:${siteKey(site.path)}`;
    if (explained.has(key)) continue;
    explained.add(key);
    report(explainSite(site, document));
  }
  return undefined;
}

const siteKey = (path: readonly string[]) => JSON.stringify(path);

function isMissing(site: Site, document: SourceDocument): boolean {
  return site.kind === "wrong-type" && valueAt(document.value, site.path) === undefined;
}

/** Where an unknown key's "did you mean" suggestion would live. */
function suggestedPath(unknownKeyPath: readonly string[]): string[] {
  const parentPath = unknownKeyPath.slice(0, -1);
  const suggestion = closestMatch(unknownKeyPath[unknownKeyPath.length - 1] ?? "", fieldAt(parentPath).knownKeys ?? []);
  return suggestion === undefined ? [...unknownKeyPath] : [...parentPath, suggestion];
}

function isReported(path: DocumentPath, reportedPaths: readonly DocumentPath[]): boolean {
  return reportedPaths.some(
    (reported) => reported.length <= path.length && reported.every((segment, index) => segment === path[index]),
  );
}

// ---- zod issues → sites ----------------------------------------------------------------------

type SiteKind = "wrong-type" | "bad-value" | "bad-key" | "unknown-key";
interface Site {
  kind: SiteKind;
  path: string[];
}

function issueSites(issue: Issue, base: readonly string[]): Site[] {
  const path = [...base, ...issue.path.map(String)];
  switch (issue.code) {
    case "invalid_type":
      return [{ kind: "wrong-type", path }];
    case "invalid_union": {
      // The user wrote one kind of value (a string, a mapping …): explain it against the branch for that
      // kind; if no branch accepts that kind, the value has the wrong type.
      const branch = issue.errors.find((branchIssues) => !isTypeMismatch(branchIssues));
      return branch ? branch.flatMap((inner) => issueSites(inner, path)) : [{ kind: "wrong-type", path }];
    }
    case "invalid_key":
      return [{ kind: "bad-key", path }];
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ kind: "unknown-key", path: [...path, key] }));
    default:
      return [{ kind: "bad-value", path }];
  }
}

function isTypeMismatch(branchIssues: readonly Issue[]): boolean {
  const [only, ...rest] = branchIssues;
  if (!only || rest.length > 0 || only.path.length > 0) return false;
  if (only.code === "invalid_type") return true;
  return only.code === "invalid_union" && only.errors.every(isTypeMismatch);
}

// ---- sites → problems ------------------------------------------------------------------------

interface Explanation {
  code: DeclarationErrorCode;
  message: string;
}

interface Field {
  /** How messages name the place: "app", "partition 3 of stream orders" … */
  label: string;
  /** What a value here must be, for wrong-type messages. */
  expected: string;
  /** Quoting fixes a number or boolean written where text is expected. */
  wantsText?: boolean;
  /** For mappings with fixed keys: the keys allowed, for "did you mean". */
  knownKeys?: readonly string[];
  /** A value of the right type that is still not allowed. */
  explainValue?: (value: unknown) => Explanation;
  /** A mapping key naming this field that is not allowed (stream names, partition ids). */
  explainKey?: (key: string) => Explanation;
  /** What to write when this field is required and absent. */
  whenMissing?: string;
}

const SEQUENCE_NUMBER_EXAMPLE = 'a quoted decimal string such as "1520"';

function fieldAt(path: readonly string[]): Field {
  const [top, stream, inStream, partition, inPartition] = path;
  if (top === undefined) {
    return {
      label: "the declaration",
      expected: "a mapping with version, app and streams",
      knownKeys: Object.keys(declarationSchema.shape),
    };
  }
  if (top === "app" && path.length === 1) {
    return {
      label: "app",
      expected: "the consumer app name (a string)",
      wantsText: true,
      explainValue: (value) => explainName("invalid-app-name", "app", String(value), MAX_APP_NAME_LENGTH),
      whenMissing: "name the DIS consumer app this document declares, e.g. app: orders-consumer",
    };
  }
  if (top === "streams" && stream === undefined) {
    return {
      label: "streams",
      expected: "a mapping from stream names to their partitions",
      whenMissing: "list the streams this app consumes, each with its partitions",
    };
  }
  if (top === "streams" && stream !== undefined && inStream === undefined) {
    return {
      label: `stream ${stream}`,
      expected: "a mapping with partitions (and optionally allowSkip, onDelete, revision, whileConsumersRun)",
      knownKeys: Object.keys(streamSchema.shape),
      explainKey: (key) => explainName("invalid-stream-name", "stream", key, MAX_STREAM_NAME_LENGTH),
    };
  }
  if (top === "streams" && stream !== undefined && path.length === 3) return streamOptionField(stream, inStream ?? "");
  if (top === "streams" && stream !== undefined && partition !== undefined) {
    const label = `partition ${partition} of stream ${stream}`;
    if (inPartition === undefined) {
      return {
        label,
        expected: `a sequence number (${SEQUENCE_NUMBER_EXAMPLE}) or a mapping with sequenceNumber and metadata`,
        knownKeys: Object.keys(partitionEntrySchema.shape),
        explainValue: (value) => explainSequenceNumber(label, value),
        explainKey: (key) => ({
          code: "invalid-partition-id",
          message: `${JSON.stringify(key)} is not a partition id of stream ${stream}: write the ordinal (0, 1, 2 …) or "shardId-" and exactly 10 digits (shardId-0000000002)`,
        }),
      };
    }
    if (inPartition === "sequenceNumber") {
      return {
        label,
        expected: `a sequence number (${SEQUENCE_NUMBER_EXAMPLE})`,
        explainValue: (value) => explainSequenceNumber(label, value),
        whenMissing: `give the sequence number to commit, e.g. sequenceNumber: "1520"`,
      };
    }
    return {
      label: `metadata of ${label}`,
      expected: "a string",
      wantsText: true,
      explainValue: (value) => ({
        code: "metadata-too-long",
        message: `metadata of ${label} is ${String(value).length} characters long; DIS stores at most ${MAX_METADATA_LENGTH}`,
      }),
    };
  }
  return { label: path.join("."), expected: "something else" };
}

function streamOptionField(stream: string, option: string): Field {
  const label = `${option} of stream ${stream}`;
  switch (option) {
    case "partitions":
      return {
        label,
        expected: "a mapping from partition ids to sequence numbers",
        explainValue: () => ({
          code: "no-partitions",
          message: `stream ${stream} declares no partitions: add at least one (for example 0: "0") or remove the stream`,
        }),
        whenMissing: 'declare the partitions to commit, e.g. partitions: {0: "1520"}',
      };
    case "allowSkip":
      return { label, expected: "true or false" };
    case "onDelete":
      return {
        label,
        expected: '"retain" or "delete"',
        explainValue: (value) => {
          const suggestion = closestMatch(String(value), ON_DELETE_VALUES);
          return {
            code: "invalid-on-delete",
            message: `${label} must be "retain" or "delete", not ${describeValue(value)}${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
          };
        },
      };
    case "whileConsumersRun":
      return {
        label,
        expected: '"refuse" or "allow"',
        explainValue: (value) => {
          const suggestion = closestMatch(String(value), WHILE_CONSUMERS_RUN_VALUES);
          return {
            code: "invalid-while-consumers-run",
            message: `${label} must be "refuse" or "allow", not ${describeValue(value)}${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
          };
        },
      };
    default:
      return {
        label,
        expected: "a whole number ≥ 0",
        explainValue: (value) => ({
          code: "invalid-revision",
          message: `${label} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not ${describeValue(value)}`,
        }),
      };
  }
}

function explainName(code: DeclarationErrorCode, kind: "app" | "stream", name: string, maxLength: number): Explanation {
  const rule = `DIS ${kind} names are 1–${maxLength} letters, digits, "_" or "-"`;
  const detail = name.length > maxLength ? ` (this one has ${name.length} characters)` : "";
  return { code, message: `${describeValue(name)} is not a valid ${kind} name: ${rule}${detail}` };
}

function explainSequenceNumber(label: string, value: unknown): Explanation {
  const text = String(value);
  if (/^-\d+$/.test(text)) {
    return {
      code: "invalid-sequence-number",
      message: `${label}: ${text} is negative; sequence numbers run from 0 to ${MAX_SEQUENCE_NUMBER}`,
    };
  }
  if (!DECIMAL_DIGITS_PATTERN.test(text)) {
    return {
      code: "invalid-sequence-number",
      message: `${label}: ${describeValue(value)} is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. "1520"`,
    };
  }
  return {
    code: "sequence-number-out-of-range",
    message: `${label}: ${text} is above the largest sequence number, ${MAX_SEQUENCE_NUMBER}`,
  };
}

function explainSite(site: Site, document: SourceDocument): SourceProblem {
  const { path } = site;
  const field = fieldAt(path);
  const value = valueAt(document.value, path);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1] ?? "";
  const explanation = ((): Explanation => {
    switch (site.kind) {
      case "unknown-key": {
        const parent = fieldAt(parentPath);
        const known = parent.knownKeys ?? [];
        const suggestion = closestMatch(key, known);
        const hint = suggestion ? `did you mean "${suggestion}"?` : `the keys allowed here are ${known.join(", ")}`;
        return { code: "unknown-key", message: `unknown key ${JSON.stringify(key)} in ${parent.label}: ${hint}` };
      }
      case "bad-key":
        return (field.explainKey ?? unexplained)(key);
      case "bad-value":
        return (field.explainValue ?? unexplained)(value);
      case "wrong-type":
        if (isMissing(site, document)) {
          const parent = fieldAt(parentPath);
          return {
            code: "missing-key",
            message: `${parent.label} has no ${key}: ${field.whenMissing ?? `add ${key}`}`,
          };
        }
        return {
          code: "wrong-type",
          message: `${field.label} must be ${field.expected}, not ${describeValue(value)}${quoteHint(field, value)}`,
        };
    }
  })();
  return { ...explanation, offset: siteOffset(site, document), path };
}

/** A verdict this module has no words for yet: still an error, never a silent pass. */
function unexplained(value: unknown): Explanation {
  return { code: "wrong-type", message: `${describeValue(value)} is not allowed here` };
}

function quoteHint(field: Field, value: unknown): string {
  const isScalar = typeof value === "number" || typeof value === "boolean";
  return field.wantsText && isScalar ? `; quote it: "${String(value)}"` : "";
}

/**
 * Values are located at the value; keys, and keys missing from a mapping, at the key that names the
 * mapping (or the nearest enclosing one).
 */
function siteOffset(site: Site, document: SourceDocument): number {
  const missing = isMissing(site, document);
  const located = missing ? site.path.slice(0, -1) : site.path;
  const { node, depth } = nodeAt(document.source, located);
  const atValue = !missing && depth === located.length && (site.kind === "bad-value" || site.kind === "wrong-type");
  return (atValue ? undefined : node.key) ?? node.value;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const segment of path) {
    if (!isMapping(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How messages show a value the user wrote: short, quoted when it is text. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
