/** Strict UTF-8 decoding that says where the first invalid byte is, as a line and column. */

export type DecodeResult =
  | { ok: true; text: string }
  | { ok: false; byteOffset: number; line: number; column: number };

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, text: strictDecoder.decode(bytes) };
  } catch {
    const byteOffset = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, byteOffset - 1) + 1;
    let line = 1;
    for (let index = 0; index < lineStart; index++) if (bytes[index] === 0x0a) line++;
    // Everything before the first invalid byte is valid, so the line's start decodes cleanly.
    const column = strictDecoder.decode(bytes.subarray(lineStart, byteOffset)).length + 1;
    return { ok: false, byteOffset, line, column };
  }
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence (WHATWG rules). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const [length, secondMin, secondMax] = sequenceShape(lead);
    if (length === 0) return index;
    for (let next = 1; next < length; next++) {
      const byte = bytes[index + next];
      const [min, max] = next === 1 ? [secondMin, secondMax] : [0x80, 0xbf];
      if (byte === undefined || byte < min || byte > max) return index;
    }
    index += length;
  }
  return bytes.length;
}

/** [sequence length, allowed range of the second byte]; length 0 for a byte that cannot start a sequence. */
function sequenceShape(lead: number): [number, number, number] {
  if (lead <= 0x7f) return [1, 0, 0];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}
