/**
 * The invalid corpus: one mistake per fixture, each with the exact errors it must produce. Every entry in
 * test/fixtures/invalid must appear here, so no fixture goes unchecked.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeclarations } from "../../src/desired";

const FIXTURES = path.join(__dirname, "..", "fixtures", "invalid");

type Expected = [file: string, line: number, column: number, code: string, message: string];

const CORPUS: [fixture: string, errors: Expected[]][] = [
  ["alias.yaml", [
    ["alias.yaml", 7, 10, "anchor-or-alias", "the alias *start is not allowed: write the value out here, so reviewers see it"],
  ]],
  ["anchor.yaml", [
    ["anchor.yaml", 6, 10, "anchor-or-alias", "the anchor &start is not allowed: write every value out where it applies, so reviewers see it"],
  ]],
  ["app-name-too-long.yaml", [
    ["app-name-too-long.yaml", 2, 6, "invalid-app-name", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" is not a valid app name: DIS app names are 1–200 letters, digits, \"_\" or \"-\" (this one has 201 characters)"],
  ]],
  ["app-name-with-space.yaml", [
    ["app-name-with-space.yaml", 2, 6, "invalid-app-name", "\"orders consumer\" is not a valid app name: DIS app names are 1–200 letters, digits, \"_\" or \"-\""],
  ]],
  ["duplicate-key-app.yaml", [
    ["duplicate-key-app.yaml", 3, 1, "duplicate-key", "the key \"app\" appears twice in this mapping (first at line 2, column 1); keep one"],
  ]],
  ["duplicate-key-partition.yaml", [
    ["duplicate-key-partition.yaml", 7, 7, "duplicate-key", "the key \"0\" appears twice in this mapping (first at line 6, column 7); keep one"],
  ]],
  ["duplicate-key-stream-option.yaml", [
    ["duplicate-key-stream-option.yaml", 8, 5, "duplicate-key", "the key \"allowSkip\" appears twice in this mapping (first at line 7, column 5); keep one"],
  ]],
  ["duplicate-partition-both-id-forms.yaml", [
    ["duplicate-partition-both-id-forms.yaml", 8, 7, "duplicate-partition", "partition 0 of stream orders is declared twice: as \"shardId-0000000000\" here and as \"0\" at line 6, column 7; keep one"],
  ]],
  ["duplicate-stream-across-files", [
    ["duplicate-stream-across-files/b.yaml", 5, 3, "duplicate-stream", "stream orders of app orders-consumer is already declared at duplicate-stream-across-files/a.yaml:4:3: declare each app and stream once"],
  ]],
  ["duplicate-stream-in-two-documents.yaml", [
    ["duplicate-stream-in-two-documents.yaml", 11, 3, "duplicate-stream", "stream orders of app orders-consumer is already declared at line 4, column 3: declare each app and stream once"],
  ]],
  ["empty-document-between-separators.yaml", [
    ["empty-document-between-separators.yaml", 7, 4, "empty-document", "this YAML document is empty: remove the extra --- line or write a declaration here"],
  ]],
  ["empty-file-only-comments.yaml", [
    ["empty-file-only-comments.yaml", 1, 1, "empty-file", "the file holds no declaration: write version, app and streams, or delete the file"],
  ]],
  ["empty-file.yaml", [
    ["empty-file.yaml", 1, 1, "empty-file", "the file holds no declaration: write version, app and streams, or delete the file"],
  ]],
  ["invalid-utf8.yaml", [
    ["invalid-utf8.yaml", 8, 23, "invalid-utf8", "the file is not valid UTF-8 (byte 0xe9 at byte offset 128): save it as UTF-8"],
  ]],
  ["metadata-too-long.yaml", [
    ["metadata-too-long.yaml", 8, 19, "metadata-too-long", "metadata of partition 0 of stream orders is 1001 characters long; DIS stores at most 1000"],
  ]],
  ["missing-app.yaml", [
    ["missing-app.yaml", 1, 1, "missing-key", "the declaration has no app: name the DIS consumer app this document declares, e.g. app: orders-consumer"],
  ]],
  ["missing-partitions.yaml", [
    ["missing-partitions.yaml", 4, 3, "missing-key", "stream orders has no partitions: declare the partitions to commit, e.g. partitions: {0: \"1520\"}"],
  ]],
  ["missing-sequence-number.yaml", [
    ["missing-sequence-number.yaml", 6, 7, "missing-key", "partition 0 of stream orders has no sequenceNumber: give the sequence number to commit, e.g. sequenceNumber: \"1520\""],
  ]],
  ["nesting-too-deep.yaml", [
    ["nesting-too-deep.yaml", 3, 40, "nesting-too-deep", "collections nest more than 32 levels deep here; a declaration needs about 6, so this file was not parsed"],
  ]],
  ["no-partitions.yaml", [
    ["no-partitions.yaml", 5, 17, "no-partitions", "stream orders declares no partitions: add at least one (for example 0: \"0\") or remove the stream"],
  ]],
  ["non-scalar-key.yaml", [
    ["non-scalar-key.yaml", 7, 9, "non-scalar-key", "a key must be a plain name or number, not a mapping or list"],
  ]],
  ["on-delete-misspelt.yaml", [
    ["on-delete-misspelt.yaml", 7, 15, "invalid-on-delete", "onDelete of stream orders must be \"retain\" or \"delete\", not \"retian\"; did you mean \"retain\"?"],
  ]],
  ["while-consumers-run-misspelt.yaml", [
    ["while-consumers-run-misspelt.yaml", 7, 24, "invalid-while-consumers-run", "whileConsumersRun of stream orders must be \"refuse\" or \"allow\", not \"alow\"; did you mean \"allow\"?"],
  ]],
  ["partition-id-leading-zero.yaml", [
    ["partition-id-leading-zero.yaml", 6, 7, "invalid-partition-id", "\"01\" is not a partition id of stream orders: write the ordinal (0, 1, 2 …) or \"shardId-\" and exactly 10 digits (shardId-0000000002)"],
  ]],
  ["partition-id-negative.yaml", [
    ["partition-id-negative.yaml", 6, 7, "invalid-partition-id", "\"-1\" is not a partition id of stream orders: write the ordinal (0, 1, 2 …) or \"shardId-\" and exactly 10 digits (shardId-0000000002)"],
  ]],
  ["partition-id-shard-nine-digits.yaml", [
    ["partition-id-shard-nine-digits.yaml", 6, 7, "invalid-partition-id", "\"shardId-000000001\" is not a partition id of stream orders: write the ordinal (0, 1, 2 …) or \"shardId-\" and exactly 10 digits (shardId-0000000002)"],
  ]],
  ["partition-id-word.yaml", [
    ["partition-id-word.yaml", 6, 7, "invalid-partition-id", "\"first\" is not a partition id of stream orders: write the ordinal (0, 1, 2 …) or \"shardId-\" and exactly 10 digits (shardId-0000000002)"],
  ]],
  ["reserved-key-proto.yaml", [
    ["reserved-key-proto.yaml", 7, 5, "reserved-key", "the key \"__proto__\" is not allowed; remove it"],
  ]],
  ["revision-fraction.yaml", [
    ["revision-fraction.yaml", 7, 15, "invalid-number", "1.5 is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text"],
  ]],
  ["revision-negative.yaml", [
    ["revision-negative.yaml", 7, 15, "invalid-revision", "revision of stream orders must be a whole number from 0 to 9007199254740991, not -1"],
  ]],
  ["sequence-number-above-maximum.yaml", [
    ["sequence-number-above-maximum.yaml", 6, 10, "sequence-number-out-of-range", "partition 0 of stream orders: 9223372036854775808 is above the largest sequence number, 9223372036854775807"],
  ]],
  ["sequence-number-empty.yaml", [
    ["sequence-number-empty.yaml", 6, 7, "wrong-type", "partition 0 of stream orders must be a sequence number (a quoted decimal string such as \"1520\") or a mapping with sequenceNumber and metadata, not an empty value"],
  ]],
  ["sequence-number-in-mapping-not-numeric.yaml", [
    ["sequence-number-in-mapping-not-numeric.yaml", 7, 25, "invalid-sequence-number", "partition 0 of stream orders: \"12a\" is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. \"1520\""],
  ]],
  ["sequence-number-leading-plus.yaml", [
    ["sequence-number-leading-plus.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: \"+120\" is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. \"1520\""],
  ]],
  ["sequence-number-leading-zero.yaml", [
    ["sequence-number-leading-zero.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: \"0120\" is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. \"1520\""],
  ]],
  ["sequence-number-negative-integer.yaml", [
    ["sequence-number-negative-integer.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: -5 is negative; sequence numbers run from 0 to 9223372036854775807"],
  ]],
  ["sequence-number-negative-string.yaml", [
    ["sequence-number-negative-string.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: -1 is negative; sequence numbers run from 0 to 9223372036854775807"],
  ]],
  ["sequence-number-not-numeric.yaml", [
    ["sequence-number-not-numeric.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: \"latest\" is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. \"1520\""],
  ]],
  ["sequence-number-unquoted-above-2-53.yaml", [
    ["sequence-number-unquoted-above-2-53.yaml", 6, 10, "unquoted-large-integer", "9007199254740993 has more digits than an unquoted number holds exactly (at most 9007199254740991): quote it (\"9007199254740993\")"],
  ]],
  ["sequence-number-unquoted-exponent.yaml", [
    ["sequence-number-unquoted-exponent.yaml", 6, 10, "invalid-number", "1e3 is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text"],
  ]],
  ["sequence-number-unquoted-fraction.yaml", [
    ["sequence-number-unquoted-fraction.yaml", 6, 10, "invalid-number", "120.5 is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text"],
  ]],
  ["sequence-number-unquoted-hex.yaml", [
    ["sequence-number-unquoted-hex.yaml", 6, 10, "invalid-number", "0x78 is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text"],
  ]],
  ["sequence-number-unquoted-leading-zero.yaml", [
    ["sequence-number-unquoted-leading-zero.yaml", 6, 10, "invalid-number", "0120 is not a whole number in plain decimal digits: write digits only (no +, exponent, fraction, leading zeros or 0x/0o prefix), or quote it if it is text"],
  ]],
  ["sequence-number-whitespace.yaml", [
    ["sequence-number-whitespace.yaml", 6, 10, "invalid-sequence-number", "partition 0 of stream orders: \" 120\" is not a sequence number; write decimal digits without sign, spaces or leading zeros, e.g. \"1520\""],
  ]],
  ["stream-name-too-long.yaml", [
    ["stream-name-too-long.yaml", 4, 3, "invalid-stream-name", "\"sssssssssssssssssssssssssssssssssssssssssssssssssssssssss…\" is not a valid stream name: DIS stream names are 1–64 letters, digits, \"_\" or \"-\" (this one has 65 characters)"],
  ]],
  ["stream-name-with-dot.yaml", [
    ["stream-name-with-dot.yaml", 4, 3, "invalid-stream-name", "\"orders.v2\" is not a valid stream name: DIS stream names are 1–64 letters, digits, \"_\" or \"-\""],
  ]],
  ["unknown-key-metadata-typo.yaml", [
    ["unknown-key-metadata-typo.yaml", 8, 9, "unknown-key", "unknown key \"metdata\" in partition 0 of stream orders: did you mean \"metadata\"?"],
  ]],
  ["unknown-key-root-typo.yaml", [
    ["unknown-key-root-typo.yaml", 3, 1, "unknown-key", "unknown key \"stream\" in the declaration: did you mean \"streams\"?"],
  ]],
  ["unknown-key-stream-option-snake-case.yaml", [
    ["unknown-key-stream-option-snake-case.yaml", 7, 5, "unknown-key", "unknown key \"allow_skip\" in stream orders: did you mean \"allowSkip\"?"],
  ]],
  ["unknown-key-without-suggestion.yaml", [
    ["unknown-key-without-suggestion.yaml", 7, 5, "unknown-key", "unknown key \"owner\" in stream orders: the keys allowed here are partitions, allowSkip, onDelete, revision, whileConsumersRun"],
  ]],
  ["version-missing.yaml", [
    ["version-missing.yaml", 1, 1, "missing-version", "the declaration has no version: add \"version: 1\" as its first line"],
  ]],
  ["version-misspelt.yaml", [
    ["version-misspelt.yaml", 1, 1, "unknown-key", "unknown key \"versoin\" in the declaration: did you mean \"version\"?"],
  ]],
  ["version-quoted.yaml", [
    ["version-quoted.yaml", 1, 10, "unsupported-version", "unknown format version \"1\": this dis-checkpoints reads version 1; write \"version: 1\" or upgrade dis-checkpoints"],
  ]],
  ["version-unknown.yaml", [
    ["version-unknown.yaml", 1, 10, "unsupported-version", "unknown format version 2: this dis-checkpoints reads version 1; write \"version: 1\" or upgrade dis-checkpoints"],
  ]],
  ["wrong-type-allow-skip-yes.yaml", [
    ["wrong-type-allow-skip-yes.yaml", 7, 16, "wrong-type", "allowSkip of stream orders must be true or false, not \"yes\""],
  ]],
  ["wrong-type-app-is-a-number.yaml", [
    ["wrong-type-app-is-a-number.yaml", 2, 6, "wrong-type", "app must be the consumer app name (a string), not 12345; quote it: \"12345\""],
  ]],
  ["wrong-type-metadata-number.yaml", [
    ["wrong-type-metadata-number.yaml", 8, 19, "wrong-type", "metadata of partition 0 of stream orders must be a string, not 4211; quote it: \"4211\""],
  ]],
  ["wrong-type-partition-boolean.yaml", [
    ["wrong-type-partition-boolean.yaml", 6, 10, "wrong-type", "partition 0 of stream orders must be a sequence number (a quoted decimal string such as \"1520\") or a mapping with sequenceNumber and metadata, not true"],
  ]],
  ["wrong-type-partition-list.yaml", [
    ["wrong-type-partition-list.yaml", 6, 10, "wrong-type", "partition 0 of stream orders must be a sequence number (a quoted decimal string such as \"1520\") or a mapping with sequenceNumber and metadata, not a list"],
  ]],
  ["wrong-type-partitions-is-a-list.yaml", [
    ["wrong-type-partitions-is-a-list.yaml", 6, 7, "wrong-type", "partitions of stream orders must be a mapping from partition ids to sequence numbers, not a list"],
  ]],
  ["wrong-type-root-is-a-list.yaml", [
    ["wrong-type-root-is-a-list.yaml", 1, 1, "wrong-type", "a declaration must be a mapping with version, app and streams, not a list"],
  ]],
  ["wrong-type-streams-is-a-list.yaml", [
    ["wrong-type-streams-is-a-list.yaml", 4, 3, "wrong-type", "streams must be a mapping from stream names to their partitions, not a list"],
  ]],
  ["yaml-directive.yaml", [
    ["yaml-directive.yaml", 1, 1, "yaml-directive", "the directive \"%YAML 1.1\" is not supported: declarations are plain YAML 1.2; remove the line"],
  ]],
  ["yaml-syntax-bad-indentation.yaml", [
    ["yaml-syntax-bad-indentation.yaml", 7, 1, "yaml-syntax", "YAML syntax: All mapping items must start at the same column"],
  ]],
  ["yaml-syntax-tab-indentation.yaml", [
    ["yaml-syntax-tab-indentation.yaml", 6, 1, "yaml-syntax", "YAML syntax: Tabs are not allowed as indentation"],
  ]],
  ["yaml-syntax-unclosed-flow-mapping.yaml", [
    ["yaml-syntax-unclosed-flow-mapping.yaml", 6, 1, "yaml-syntax", "YAML syntax: Flow map in block collection must be sufficiently indented and end with a }"],
  ]],
  ["yaml-syntax-unclosed-quote.yaml", [
    ["yaml-syntax-unclosed-quote.yaml", 7, 1, "yaml-syntax", "YAML syntax: Missing closing \"quote"],
  ]],
  ["yaml-tag.yaml", [
    ["yaml-tag.yaml", 6, 10, "yaml-tag", "the tag !!str is not allowed: remove it (quote the value if it must be a string)"],
  ]],
];

describe("invalid declarations", () => {
  it("has a table entry for every fixture, and at least 40 of them", () => {
    expect(CORPUS.map(([fixture]) => fixture).sort()).toEqual(readdirSync(FIXTURES).sort());
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CORPUS)("%s", async (fixture, expected) => {
    const result = await loadDeclarations([fixture], { cwd: FIXTURES });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map(({ file, line, column, code, message }) => [file, line, column, code, message])).toEqual(expected);
  });
});
