/**
 * Every problem the declarations loader can report, as data. Codes are stable: CI scripts and docs may
 * refer to them. Messages say what is wrong and what to do; the location says where.
 */

/** Files larger than this are refused before they are read or parsed. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Declarations nest 6 levels deep; anything far deeper is hostile input, refused before the YAML parser runs. */
export const MAX_NESTING_DEPTH = 32;

export const DECLARATION_ERROR_CODES = {
  "path-not-found": "a path given to the loader does not exist",
  "read-failed": "a file or directory exists but could not be read",
  "symlink-outside": "a symbolic link inside a declarations directory points outside that directory",
  "file-too-large": `a file is larger than ${MAX_FILE_BYTES} bytes`,
  "invalid-utf8": "a file is not valid UTF-8",
  "empty-file": "a file holds no YAML document",
  "empty-document": "a YAML document (between --- lines) is empty",
  "yaml-syntax": "the text is not valid YAML",
  "yaml-directive": "a %YAML or %TAG directive (not supported)",
  "yaml-tag": "an explicit YAML tag such as !!str (not supported)",
  "anchor-or-alias": "a YAML anchor (&name) or alias (*name) (not supported)",
  "nesting-too-deep": `collections nested more than ${MAX_NESTING_DEPTH} levels deep`,
  "duplicate-key": "the same key twice in one mapping",
  "non-scalar-key": "a mapping or list used as a key",
  "reserved-key": "the key __proto__",
  "invalid-number": "a number not written as plain decimal digits (1e3, 0x10, +5, 007, 1.5)",
  "unquoted-large-integer": "an unquoted integer above 2^53-1, which cannot be read exactly",
  "missing-version": "a document without `version`",
  "unsupported-version": "a `version` other than 1",
  "missing-key": "a required key is absent",
  "unknown-key": "a key the format does not define",
  "wrong-type": "a value of the wrong kind (string, number, boolean, mapping, list)",
  "invalid-app-name": "an app name DIS would refuse",
  "invalid-stream-name": "a stream name DIS would refuse",
  "invalid-partition-id": "a partition key that is neither an ordinal nor shardId-NNNNNNNNNN",
  "invalid-sequence-number": "a sequence number that is negative or not decimal digits",
  "sequence-number-out-of-range": "a sequence number above 9223372036854775807",
  "metadata-too-long": "checkpoint metadata longer than DIS stores",
  "invalid-on-delete": "an `onDelete` other than retain or delete",
  "invalid-revision": "a `revision` that is not a whole number ≥ 0",
  "invalid-while-consumers-run": "a `whileConsumersRun` other than refuse or allow",
  "no-partitions": "a stream that declares no partition",
  "duplicate-partition": "one partition declared twice in a stream (for example 0 and shardId-0000000000)",
  "duplicate-stream": "one app and stream declared in two places",
} as const;

export type DeclarationErrorCode = keyof typeof DECLARATION_ERROR_CODES;

export interface SourceLocation {
  /** The file as given to the loader (relative to its `cwd`). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
}

export interface DeclarationError extends SourceLocation {
  code: DeclarationErrorCode;
  message: string;
  /** Keys from the document root to the offending value, when the problem is inside a document. */
  path?: string[];
}

/** The one place errors become text: `path:line:col: message [code]`. */
export function formatDeclarationError(error: DeclarationError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.message} [${error.code}]`;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/** Orders errors by file (in the order files were given), then line and column, keeping ties stable. */
export function sortErrors(errors: DeclarationError[], fileOrder: readonly string[]): DeclarationError[] {
  const rank = new Map(fileOrder.map((file, index) => [file, index]));
  const fileRank = (file: string) => rank.get(file) ?? -1;
  return [...errors].sort(
    (a, b) => fileRank(a.file) - fileRank(b.file) || a.line - b.line || a.column - b.column,
  );
}
