/**
 * YAML text → plain values with the source offset of every key and value. Declarations use a deliberately
 * small YAML: no anchors or aliases (a reviewer must see every checkpoint where it applies, and alias bombs
 * become impossible), no tags, no directives, numbers only as plain decimal digits. Hostile nesting is
 * refused by a linear lexical scan before the (recursive) composer runs.
 */
import { CST, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, parseAllDocuments } from "yaml";
import type { Node as YamlNode, Scalar } from "yaml";
import { MAX_NESTING_DEPTH, type DeclarationErrorCode } from "./errors";

export type DocumentPath = readonly string[];

export interface SourceProblem {
  code: DeclarationErrorCode;
  message: string;
  offset: number;
  path?: DocumentPath;
}

export interface NodeOffsets {
  /** Where the key naming this node starts (absent for the document root and list items). */
  key?: number;
  value: number;
}

export interface SourceDocument {
  /** Mappings are null-prototype objects; lists are arrays; scalars are string, number, boolean or null. */
  value: unknown;
  offsets: Map<string, NodeOffsets>;
  /** Paths already reported by a problem: validation must not report them (or anything below) again. */
  reportedPaths: DocumentPath[];
}

export interface SourceFile {
  /** The documents that parsed cleanly and are not empty, in file order. */
  documents: SourceDocument[];
  problems: SourceProblem[];
  lineCounter: LineCounter;
}

export const pathKey = (path: DocumentPath): string => JSON.stringify(path);

export function readYamlSource(text: string): SourceFile {
  const lineCounter = countLines(text);
  const scan = scanTokens(text);
  if (scan.tooDeepAt !== undefined) {
    const problem = {
      code: "nesting-too-deep",
      offset: scan.tooDeepAt,
      message: `collections nest more than ${MAX_NESTING_DEPTH} levels deep here; a declaration needs about 6, so this file was not parsed`,
    } as const;
    return { documents: [], problems: [problem], lineCounter };
  }
  const problems = [...scan.problems];
  const documents: SourceDocument[] = [];
  const parsed = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  if (parsed.length === 0) {
    problems.push({
      code: "empty-file",
      offset: 0,
      message: "the file holds no declaration: write version, app and streams, or delete the file",
    });
  }
  for (const document of parsed) {
    const syntaxProblems = [...document.errors, ...document.warnings]
      .filter((error) => !REPORTED_BY_TOKEN_SCAN.has(error.code))
      .map((error) => ({
        code: "yaml-syntax" as const,
        offset: error.pos[0],
        message: `YAML syntax: ${error.message}`,
      }));
    problems.push(...syntaxProblems);
    if (syntaxProblems.length > 0) continue;
    const contents = document.contents;
    if (contents === null || isEmptyScalar(contents)) {
      problems.push({
        code: "empty-document",
        offset: contents?.range?.[0] ?? document.range[0],
        message: "this YAML document is empty: remove the extra --- line or write a declaration here",
      });
      continue;
    }
    const walker = new DocumentWalker(problems, lineCounter);
    const value = walker.toValue(contents, [], undefined);
    documents.push({ value, offsets: walker.offsets, reportedPaths: walker.reportedPaths });
  }
  return { documents, problems, lineCounter };
}

/** yaml errors about constructs the token scan already reported, each at its exact token. */
const REPORTED_BY_TOKEN_SCAN = new Set([
  "ALIAS_PROPS",
  "BAD_ALIAS",
  "MULTIPLE_ANCHORS",
  "MULTIPLE_TAGS",
  "TAG_RESOLVE_FAILED",
  "BAD_COLLECTION_TYPE",
  "BAD_DIRECTIVE",
]);

function countLines(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", newline + 1)) {
    lineCounter.addNewLine(newline + 1);
  }
  return lineCounter;
}

/** Zero-width lexer markers: they are not part of the source text. */
const LEXER_MARKERS = new Set(["\x02", "\x18", "\x1f"]);
const SCALAR_MARKER = "\x1f";

interface TokenScan {
  problems: SourceProblem[];
  tooDeepAt?: number;
}

/**
 * One linear pass over the lexer's tokens: reports anchors, aliases, tags and directives at their exact
 * offsets, and estimates nesting depth (indentation levels + block indicators on the line + open flow
 * brackets), stopping at the first place deeper than MAX_NESTING_DEPTH.
 */
export function scanTokens(text: string): TokenScan {
  const problems: SourceProblem[] = [];
  const indents: number[] = [];
  let offset = 0;
  let flowDepth = 0;
  let lineIndent = 0;
  let lineIndicators = 0;
  let atLineStart = true;
  let previous = "";
  for (const token of new Lexer().lex(text)) {
    const start = offset;
    if (!LEXER_MARKERS.has(token)) offset += token.length;
    const type = previous === SCALAR_MARKER ? "scalar-text" : CST.tokenType(token);
    previous = token;
    switch (type) {
      case "doc-mode":
      case "scalar":
      case "flow-error-end":
      case "comment":
      case "byte-order-mark":
        continue;
      case "newline":
        atLineStart = true;
        lineIndent = 0;
        lineIndicators = 0;
        continue;
      case "space":
        if (atLineStart) lineIndent = token.length;
        continue;
      case "scalar-text":
        // A block scalar's body arrives as one token that starts at its line's beginning.
        if (atLineStart) lineIndent += token.length - token.trimStart().length;
        break;
      case "doc-start":
      case "doc-end":
        indents.length = 0;
        flowDepth = 0;
        break;
      case "directive-line":
        problems.push({
          code: "yaml-directive",
          offset: start,
          message: `the directive ${JSON.stringify(token.trim())} is not supported: declarations are plain YAML 1.2; remove the line`,
        });
        continue;
      case "anchor":
        problems.push({
          code: "anchor-or-alias",
          offset: start,
          message: `the anchor ${token} is not allowed: write every value out where it applies, so reviewers see it`,
        });
        break;
      case "alias":
        problems.push({
          code: "anchor-or-alias",
          offset: start,
          message: `the alias ${token} is not allowed: write the value out here, so reviewers see it`,
        });
        break;
      case "tag":
        problems.push({
          code: "yaml-tag",
          offset: start,
          message: `the tag ${token} is not allowed: remove it (quote the value if it must be a string)`,
        });
        break;
      case "flow-map-start":
      case "flow-seq-start":
        flowDepth += 1;
        break;
      case "flow-map-end":
      case "flow-seq-end":
        flowDepth = Math.max(0, flowDepth - 1);
        break;
      case "seq-item-ind":
      case "explicit-key-ind":
      case "map-value-ind":
        if (flowDepth === 0) lineIndicators += 1;
        break;
    }
    if (atLineStart && flowDepth === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= lineIndent) indents.pop();
      indents.push(lineIndent);
    }
    atLineStart = type === "scalar-text" && token.endsWith("\n");
    if (indents.length + lineIndicators + flowDepth > MAX_NESTING_DEPTH) return { problems, tooDeepAt: start };
  }
  return { problems };
}

function isEmptyScalar(node: YamlNode): boolean {
  return isScalar(node) && node.value === null && (node.source ?? "") === "";
}

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

class DocumentWalker {
  readonly offsets = new Map<string, NodeOffsets>();
  readonly reportedPaths: DocumentPath[] = [];

  constructor(
    private readonly problems: SourceProblem[],
    private readonly lineCounter: LineCounter,
  ) {}

  toValue(node: unknown, path: DocumentPath, keyOffset: number | undefined): unknown {
    const valueOffset = valueStart(node) ?? keyOffset ?? 0;
    this.offsets.set(pathKey(path), keyOffset === undefined ? { value: valueOffset } : { key: keyOffset, value: valueOffset });
    if (isScalar(node)) return this.scalarValue(node, path, valueOffset);
    if (isMap(node)) {
      const mapping: Record<string, unknown> = Object.create(null);
      const firstSeen = new Map<string, number>();
      for (const pair of node.items) {
        const keyNode = pair.key;
        const offset = valueStart(keyNode) ?? valueOffset;
        if (keyNode !== null && !isScalar(keyNode)) {
          this.report({ code: "non-scalar-key", offset, message: "a key must be a plain name or number, not a mapping or list" }, path);
          continue;
        }
        const key = keyText(keyNode);
        const childPath = [...path, key];
        const earlier = firstSeen.get(key);
        if (earlier !== undefined) {
          this.report(
            { code: "duplicate-key", offset, message: `the key ${JSON.stringify(key)} appears twice in this mapping (first at ${describeOffset(this.lineCounter, earlier)}); keep one` },
            childPath,
          );
          continue;
        }
        firstSeen.set(key, offset);
        if (key === "__proto__") {
          this.report({ code: "reserved-key", offset, message: 'the key "__proto__" is not allowed; remove it' }, childPath);
          continue;
        }
        mapping[key] = this.toValue(pair.value, childPath, offset);
      }
      return mapping;
    }
    if (isSeq(node)) return node.items.map((item, index) => this.toValue(item, [...path, String(index)], undefined));
    // An alias (reported by the token scan) or an empty value.
    if (isAlias(node)) this.reportedPaths.push(path);
    return null;
  }

  private scalarValue(node: Scalar, path: DocumentPath, offset: number): unknown {
    const value = node.value;
    if (typeof value !== "number" || node.type !== "PLAIN") return value;
    const source = node.source ?? String(value);
    if (!CANONICAL_INTEGER.test(source)) {
      this.report(
        {
          code: "invalid-number",
          offset,
          message: `${source} is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, underscores, leading zeros or 0x/0o prefix), or quote it if it is text`,
        },
        path,
      );
      return value;
    }
    if (!Number.isSafeInteger(value)) {
      this.report(
        {
          code: "unquoted-large-integer",
          offset,
          message: `${source} is above 9007199254740991 and cannot be read exactly as an unquoted number: quote it ("${source}")`,
        },
        path,
      );
      return source;
    }
    return value;
  }

  private report(problem: SourceProblem, path: DocumentPath): void {
    this.problems.push({ ...problem, path });
    this.reportedPaths.push(path);
  }
}

function valueStart(node: unknown): number | undefined {
  if (node === null || typeof node !== "object" || !("range" in node)) return undefined;
  const range = (node as YamlNode).range;
  if (!range || (isScalar(node) && isEmptyScalar(node))) return undefined;
  return range[0];
}

function keyText(keyNode: Scalar | null): string {
  if (keyNode === null) return "";
  if (keyNode.type === "PLAIN") return keyNode.source ?? String(keyNode.value);
  return String(keyNode.value);
}

export function describeOffset(lineCounter: LineCounter, offset: number): string {
  const { line, col } = lineCounter.linePos(offset);
  return `line ${line}, column ${col}`;
}
