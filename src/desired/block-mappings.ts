/**
 * A fast reader for the YAML that declarations are actually written in: block mappings with plain keys,
 * one-line scalar values (plain text, canonical integers, booleans, null, and quoted strings without
 * escapes), comments, blank lines and `---` between documents, with LF or CRLF line ends. It reads such a
 * file in one pass over its characters, about 20 times faster than the general parser, and gives exactly
 * the `SourceFile` the general path would (the differential tests in test/desired/block-mappings.test.ts
 * hold it to that).
 *
 * It never reports a problem. The moment a file steps outside this subset (tabs, a byte order mark, flow
 * collections, escapes …), or holds anything the general path would report (a duplicate key, an empty
 * document, an unquoted number that is not exact), it gives up and the general parser reads the file:
 * every error still comes from one place, with one wording.
 */
import type { LineCounter } from "yaml";
import { DECIMAL_DIGITS_PATTERN } from "../contract";
import type { SourceDocument, SourceFile, SourceNode } from "./yaml-source";

/** Deeper than any declaration (root → streams → stream → partitions → partition is 5): left to the general path and its nesting limit. */
const MAX_LEVELS = 8;
/** YAML limits implicit keys to 1024 characters; anything near that is left to the general path. */
const MAX_KEY_LENGTH = 1000;

const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/** Plain words the core schema reads as something other than a string. */
const PLAIN_WORD_VALUES: ReadonlyMap<string, boolean | null> = new Map([
  ["true", true],
  ["True", true],
  ["TRUE", true],
  ["false", false],
  ["False", false],
  ["FALSE", false],
  ["null", null],
  ["Null", null],
  ["NULL", null],
]);

interface Level {
  indent: number;
  mapping: Record<string, unknown>;
  entries: Map<string, SourceNode>;
}

/** A key written with no value on its line: its value is the mapping on the lines below, or null. */
interface OpenKey {
  parent: Level;
  key: string;
  node: SourceNode;
}

class GiveUp extends Error {}

/** The file as the general path would read it, or undefined when it is not (entirely) in the subset. */
export function readBlockMappings(text: string, lineCounter: LineCounter): SourceFile | undefined {
  try {
    return new BlockMappingReader(text).read(lineCounter);
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

class BlockMappingReader {
  private readonly documents: SourceDocument[] = [];
  private levels: Level[] = [];
  private openKey: OpenKey | undefined;
  private root: SourceDocument | undefined;
  /** A `---` line started the current document. */
  private explicitStart = false;

  constructor(private readonly text: string) {}

  read(lineCounter: LineCounter): SourceFile {
    const { text } = this;
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf("\n", start);
      const next = newline === -1 ? text.length : newline;
      // A CRLF line's content ends before its carriage return.
      this.line(start, next > start && text.charCodeAt(next - 1) === CARRIAGE_RETURN ? next - 1 : next);
      start = next + 1;
    }
    this.endDocument();
    if (this.documents.length === 0) throw new GiveUp();
    return { documents: this.documents, problems: [], lineCounter };
  }

  private line(start: number, end: number): void {
    const { text } = this;
    let at = start;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    if (at === end || text.charCodeAt(at) === HASH) return;
    const indent = at - start;
    if (indent === 0 && text.startsWith("---", at) && (at + 3 === end || text.charCodeAt(at + 3) === SPACE)) {
      this.expectLineEnd(at + 3, end);
      this.endDocument();
      this.explicitStart = true;
      return;
    }
    const keyStart = at;
    if (!isKeyStart(text.charCodeAt(at))) throw new GiveUp();
    while (at < end && isKeyCharacter(text.charCodeAt(at))) at++;
    if (text.charCodeAt(at) !== COLON || at - keyStart > MAX_KEY_LENGTH) throw new GiveUp();
    const key = text.slice(keyStart, at);
    at++;
    if (at < end && text.charCodeAt(at) !== SPACE) throw new GiveUp();
    const level = this.levelFor(indent, keyStart);
    if (key === "__proto__" || level.entries.has(key)) throw new GiveUp();
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    const node: SourceNode = { key: keyStart, value: keyStart };
    level.entries.set(key, node);
    if (at === end || text.charCodeAt(at) === HASH) {
      level.mapping[key] = null;
      this.openKey = { parent: level, key, node };
      return;
    }
    node.value = at;
    level.mapping[key] = this.scalar(at, end);
  }

  /** The mapping a key at `indent` belongs to, opening or closing levels as the indentation says. */
  private levelFor(indent: number, keyStart: number): Level {
    const open = this.openKey;
    this.openKey = undefined;
    if (this.root === undefined) {
      if (indent !== 0) throw new GiveUp();
      const level = newLevel(indent);
      this.levels = [level];
      this.root = { value: level.mapping, source: { value: keyStart, entries: level.entries }, reportedPaths: [] };
      return level;
    }
    if (open !== undefined && indent > open.parent.indent) {
      if (this.levels.length >= MAX_LEVELS) throw new GiveUp();
      const level = newLevel(indent);
      open.parent.mapping[open.key] = level.mapping;
      open.node.value = keyStart;
      open.node.entries = level.entries;
      this.levels.push(level);
      return level;
    }
    while (this.levels.length > 1 && indent < (this.levels[this.levels.length - 1]?.indent ?? 0)) this.levels.pop();
    const level = this.levels[this.levels.length - 1];
    if (level === undefined || level.indent !== indent) throw new GiveUp();
    return level;
  }

  /** A one-line scalar starting at `start`, with nothing but a comment after it. */
  private scalar(start: number, end: number): unknown {
    const { text } = this;
    const first = text.charCodeAt(start);
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = text.indexOf(first === DOUBLE_QUOTE ? '"' : "'", start + 1);
      if (close === -1 || close >= end) throw new GiveUp();
      for (let at = start + 1; at < close; at++) {
        if (!isQuotedCharacter(text.charCodeAt(at))) throw new GiveUp();
      }
      // A second quote right after a single-quoted string would be an escaped quote.
      if (first === SINGLE_QUOTE && text.charCodeAt(close + 1) === SINGLE_QUOTE) throw new GiveUp();
      this.expectLineEnd(close + 1, end);
      return text.slice(start + 1, close);
    }
    if (!isKeyStart(first)) throw new GiveUp();
    // A plain scalar runs to the end of the line or to a comment; spaces inside it are part of it.
    let at = start;
    let contentEnd = start;
    while (at < end) {
      const code = text.charCodeAt(at);
      if (code !== SPACE) {
        if (!isPlainCharacter(code)) break;
        contentEnd = at + 1;
      }
      at++;
    }
    if (at < end && !(text.charCodeAt(at) === HASH && at > contentEnd)) throw new GiveUp();
    const word = text.slice(start, contentEnd);
    if (isDigit(first)) {
      if (!DECIMAL_DIGITS_PATTERN.test(word)) throw new GiveUp();
      const value = Number(word);
      if (!Number.isSafeInteger(value)) throw new GiveUp();
      return value;
    }
    const special = PLAIN_WORD_VALUES.get(word);
    return special === undefined ? word : special;
  }

  /** Only spaces and a comment may follow, and a comment needs a space before it. */
  private expectLineEnd(start: number, end: number): void {
    const { text } = this;
    let at = start;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    if (at === end) return;
    if (text.charCodeAt(at) === HASH && at > start) return;
    throw new GiveUp();
  }

  private endDocument(): void {
    if (this.root === undefined) {
      // `---` with nothing after it: an empty document, which only the general path reports.
      if (this.explicitStart) throw new GiveUp();
      return;
    }
    this.documents.push(this.root);
    this.root = undefined;
    this.levels = [];
    this.openKey = undefined;
  }
}

function newLevel(indent: number): Level {
  return { indent, mapping: Object.create(null) as Record<string, unknown>, entries: new Map() };
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isKeyStart(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === UNDERSCORE;
}

function isKeyCharacter(code: number): boolean {
  return isKeyStart(code) || code === DASH;
}

/** Printable characters that need no escape in either quoting style (the quotes themselves end the scan). */
function isQuotedCharacter(code: number): boolean {
  if (code >= SPACE && code < 0x7f) return code !== BACKSLASH;
  return isPlainNonAscii(code);
}

/** After its first character, a plain scalar may hold these; ": " and " #" would end it, so ":" and "#" are left out. */
function isPlainCharacter(code: number): boolean {
  if (code > SPACE && code < 0x7f) return code !== COLON && code !== HASH;
  return isPlainNonAscii(code);
}

function isPlainNonAscii(code: number): boolean {
  return code >= 0xa0 && code !== 0x2028 && code !== 0x2029 && code !== 0xfeff;
}
