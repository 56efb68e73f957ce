/**
 * YAML text → plain values with the source offset of every key and value. Declarations use a deliberately
 * small YAML: no anchors or aliases (a reviewer must see every checkpoint where it applies, and alias bombs
 * become impossible), no tags, no directives, numbers only as plain decimal digits. Values are built from
 * the node tree, never with yaml's toJS, so no alias is ever expanded (yaml's maxAliasCount would have
 * nothing to limit). Hostile nesting is refused by a linear lexical scan before the (recursive) composer runs.
 *
 * Most files are plain block mappings, which `readBlockMappings` reads far faster with the same result;
 * the general parser below reads everything else, and every file with a problem to report.
 */
import { Composer, CST, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser } from "yaml";
import type { Node as YamlNode, Scalar } from "yaml";
import { readBlockMappings } from "./block-mappings";
import { MAX_NESTING_DEPTH, type DeclarationErrorCode } from "./errors";

export type DocumentPath = readonly string[];

export interface SourceProblem {
  code: DeclarationErrorCode;
  message: string;
  offset: number;
  path?: DocumentPath;
}

/** Where a value, and the key naming it, were written; for mappings and lists, the same for each entry. */
export interface SourceNode {
  /** Offset of the key naming this node (absent for the document root and list items). */
  key?: number;
  value: number;
  /** Entries of a mapping (in document order) or a list (by index). */
  entries?: Map<string, SourceNode>;
}

export interface SourceDocument {
  /** Mappings are null-prototype objects; lists are arrays; scalars are string, number, boolean or null. */
  value: unknown;
  source: SourceNode;
  /** Paths already reported by a problem: validation must not report them (or anything below) again. */
  reportedPaths: DocumentPath[];
}

export interface SourceFile {
  /** The documents that parsed cleanly and are not empty, in file order. */
  documents: SourceDocument[];
  problems: SourceProblem[];
  lineCounter: LineCounter;
}

/** The node at `path`, or the nearest enclosing one, with the depth it was found at. */
export function nodeAt(root: SourceNode, path: DocumentPath): { node: SourceNode; depth: number } {
  let node = root;
  for (let depth = 0; depth < path.length; depth++) {
    const child = node.entries?.get(path[depth] ?? "");
    if (!child) return { node, depth };
    node = child;
  }
  return { node, depth: path.length };
}

export function readYamlSource(text: string): SourceFile {
  const lineCounter = countLines(text);
  return readBlockMappings(text, lineCounter) ?? readWithYamlParser(text, lineCounter);
}

/** The general path: any YAML, every syntax problem reported (exported for the differential tests). */
export function readWithYamlParser(text: string, lineCounter: LineCounter): SourceFile {
  const scanner = new TokenScanner();
  const parser = new Parser();
  // One pass of the lexer feeds both the scanner and the parser; the scanner stops the stream before a
  // hostile nesting depth reaches the (recursive) composer.
  function* cst() {
    for (const token of new Lexer().lex(text)) {
      if (!scanner.step(token)) return;
      yield* parser.next(token);
    }
    yield* parser.end();
  }
  const parsed = [...new Composer({ prettyErrors: false, uniqueKeys: false }).compose(cst())];
  if (scanner.tooDeepAt !== undefined) {
    const problem = {
      code: "nesting-too-deep",
      offset: scanner.tooDeepAt,
      message: `collections nest more than ${MAX_NESTING_DEPTH} levels deep here; a declaration needs about 6, so this file was not parsed`,
    } as const;
    return { documents: [], problems: [problem], lineCounter };
  }
  const problems = [...scanner.problems];
  const documents: SourceDocument[] = [];
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
    const source: SourceNode = { value: 0 };
    const value = walker.toValue(contents, source);
    documents.push({ value, source, reportedPaths: walker.reportedPaths });
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

export function countLines(text: string): LineCounter {
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

/**
 * Looks at each lexer token once: reports anchors, aliases, tags and directives at their exact offsets,
 * and estimates nesting depth (indentation levels + block indicators on the line + open flow brackets),
 * refusing the first token deeper than MAX_NESTING_DEPTH.
 */
export class TokenScanner {
  readonly problems: SourceProblem[] = [];
  /** Where nesting first went too deep; no token after it was looked at. */
  tooDeepAt: number | undefined;
  private readonly indents: number[] = [];
  private offset = 0;
  private flowDepth = 0;
  private lineIndent = 0;
  private lineIndicators = 0;
  private atLineStart = true;
  private previous = "";

  /** Returns false once nesting is too deep: stop feeding tokens then. */
  step(token: string): boolean {
    const start = this.offset;
    if (!LEXER_MARKERS.has(token)) this.offset += token.length;
    const type = this.previous === SCALAR_MARKER ? "scalar-text" : CST.tokenType(token);
    this.previous = token;
    switch (type) {
      case "doc-mode":
      case "scalar":
      case "flow-error-end":
      case "comment":
      case "byte-order-mark":
        return true;
      case "newline":
        this.atLineStart = true;
        this.lineIndent = 0;
        this.lineIndicators = 0;
        return true;
      case "space":
        if (this.atLineStart) this.lineIndent = token.length;
        return true;
      case "scalar-text":
        // A block scalar's body arrives as one token that starts at its line's beginning.
        if (this.atLineStart) this.lineIndent += token.length - token.trimStart().length;
        break;
      case "doc-start":
      case "doc-end":
        this.indents.length = 0;
        this.flowDepth = 0;
        break;
      case "directive-line":
        this.report("yaml-directive", start, `the directive ${JSON.stringify(token.trim())} is not supported: declarations are plain YAML 1.2; remove the line`);
        return true;
      case "anchor":
        this.report("anchor-or-alias", start, `the anchor ${token} is not allowed: write every value out where it applies, so reviewers see it`);
        break;
      case "alias":
        this.report("anchor-or-alias", start, `the alias ${token} is not allowed: write the value out here, so reviewers see it`);
        break;
      case "tag":
        this.report("yaml-tag", start, `the tag ${token} is not allowed: remove it (quote the value if it must be a string)`);
        break;
      case "flow-map-start":
      case "flow-seq-start":
        this.flowDepth += 1;
        break;
      case "flow-map-end":
      case "flow-seq-end":
        this.flowDepth = Math.max(0, this.flowDepth - 1);
        break;
      case "seq-item-ind":
      case "explicit-key-ind":
      case "map-value-ind":
        if (this.flowDepth === 0) this.lineIndicators += 1;
        break;
    }
    if (this.atLineStart && this.flowDepth === 0) {
      while (this.indents.length > 0 && (this.indents[this.indents.length - 1] ?? 0) >= this.lineIndent) this.indents.pop();
      this.indents.push(this.lineIndent);
    }
    this.atLineStart = type === "scalar-text" && token.endsWith("\n");
    if (this.indents.length + this.lineIndicators + this.flowDepth <= MAX_NESTING_DEPTH) return true;
    this.tooDeepAt = start;
    return false;
  }

  private report(code: DeclarationErrorCode, offset: number, message: string): void {
    this.problems.push({ code, offset, message });
  }
}

function isEmptyScalar(node: YamlNode): boolean {
  return isScalar(node) && node.value === null && (node.source ?? "") === "";
}

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

class DocumentWalker {
  readonly reportedPaths: DocumentPath[] = [];
  /** The keys from the root to the node being converted; copied only when a problem names it. */
  private readonly path: string[] = [];

  constructor(
    private readonly problems: SourceProblem[],
    private readonly lineCounter: LineCounter,
  ) {}

  /** Converts `node` and records its offsets in `source` (whose `key` the caller has set). */
  toValue(node: unknown, source: SourceNode): unknown {
    source.value = valueStart(node) ?? source.key ?? 0;
    if (isScalar(node)) return this.scalarValue(node, source.value);
    if (isMap(node)) {
      const mapping: Record<string, unknown> = Object.create(null);
      const entries = new Map<string, SourceNode>();
      source.entries = entries;
      for (const pair of node.items) {
        const keyNode = pair.key;
        const offset = valueStart(keyNode) ?? source.value;
        if (keyNode !== null && !isScalar(keyNode)) {
          this.report("non-scalar-key", offset, "a key must be a plain name or number, not a mapping or list");
          continue;
        }
        const key = keyText(keyNode);
        const earlier = entries.get(key);
        if (earlier !== undefined) {
          const first = describeOffset(this.lineCounter, earlier.key ?? 0);
          this.report("duplicate-key", offset, `the key ${JSON.stringify(key)} appears twice in this mapping (first at ${first}); keep one`, key);
          continue;
        }
        if (key === "__proto__") {
          this.report("reserved-key", offset, 'the key "__proto__" is not allowed; remove it', key);
          continue;
        }
        const child: SourceNode = { key: offset, value: offset };
        entries.set(key, child);
        mapping[key] = this.childValue(key, pair.value, child);
      }
      return mapping;
    }
    if (isSeq(node)) {
      const entries = new Map<string, SourceNode>();
      source.entries = entries;
      return node.items.map((item, index) => {
        const child: SourceNode = { value: 0 };
        entries.set(String(index), child);
        return this.childValue(String(index), item, child);
      });
    }
    // An alias (reported by the token scan) or an empty value.
    if (isAlias(node)) this.reportedPaths.push([...this.path]);
    return null;
  }

  private childValue(key: string, node: unknown, source: SourceNode): unknown {
    this.path.push(key);
    const value = this.toValue(node, source);
    this.path.pop();
    return value;
  }

  /** Numbers only as canonical decimal integers, and exactly: the source text decides, not the JS number. */
  private scalarValue(node: Scalar, offset: number): unknown {
    const value = node.value;
    if (typeof value !== "number" || node.type !== "PLAIN") return value;
    const source = node.source ?? String(value);
    if (!CANONICAL_INTEGER.test(source)) {
      this.reportValue(
        "invalid-number",
        offset,
        `${source} is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text`,
      );
      return value;
    }
    if (!Number.isSafeInteger(value)) {
      this.reportValue(
        "unquoted-large-integer",
        offset,
        `${source} has more digits than an unquoted number holds exactly (at most 9007199254740991): quote it ("${source}")`,
      );
      return source;
    }
    return value;
  }

  /** A problem at the current node, or at its entry `key`. */
  private report(code: DeclarationErrorCode, offset: number, message: string, key?: string): void {
    const path = key === undefined ? [...this.path] : [...this.path, key];
    this.problems.push({ code, offset, message, path });
  }

  /** A problem with the current value, which validation must then not explain again. */
  private reportValue(code: DeclarationErrorCode, offset: number, message: string): void {
    this.report(code, offset, message);
    this.reportedPaths.push([...this.path]);
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
