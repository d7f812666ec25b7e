/**
 * A byte stream split into lines, each checked to be valid UTF-8. The contract makes a line with
 * invalid UTF-8 bytes a bad record (never repaired into U+FFFD), and one bad line never fails its
 * file, so validity is a property of each line, not of the stream.
 *
 * Lines are split on 0x0A bytes (no UTF-8 sequence holds that byte) and each is decoded on its own,
 * leniently: a line is valid unless its text contains U+FFFD, and only then are its bytes checked
 * one by one, because a genuine U+FFFD (EF BF BD) is valid input. An ASCII or Latin-1 line is a
 * one-byte string in V8, where the U+FFFD search returns at once. Decoding line by line costs no
 * more than decoding whole chunks and slicing them, and gives each line a flat string of its own
 * (a slice of a chunk's text is slower to read character by character, and keeps the chunk alive).
 *
 * Memory: one chunk, and the bytes of the one line that continues into the next chunk.
 */

/** A line whose bytes are not valid UTF-8. */
export interface InvalidUtf8Line {
  readonly invalidUtf8: true;
  /** The line decoded with U+FFFD in place of the invalid bytes: for the rejects row's raw text only. */
  readonly text: string;
  /** What is wrong and where in the line, e.g. `byte 0xFF at byte 12`. */
  readonly problem: string;
}

/** A valid line's text, or the description of an invalid one. */
export type CheckedLine = string | InvalidUtf8Line;

const NEWLINE = 0x0a;

/** The lines of a UTF-8 byte stream: no trailing empty line after a final "\n", none for an empty stream. */
export async function* checkedUtf8Lines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<CheckedLine> {
  // The start of a line that continues into the next chunk (copied: a chunk's buffer is not ours to keep).
  let carried: Uint8Array[] = [];
  for await (const bytes of stream) {
    // Buffer's toString decodes a range without a view object per line (as TextDecoder would need).
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && carried.length > 0) {
      const joined = Buffer.concat([...carried, chunk.subarray(0, newline)]);
      yield checkedLine(joined, 0, joined.length);
      carried = [];
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      yield checkedLine(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) carried.push(chunk.slice(start));
  }
  if (carried.length > 0) {
    const joined = Buffer.concat(carried);
    yield checkedLine(joined, 0, joined.length);
  }
}

/** The line in bytes [start, end), decoded leniently, checked byte by byte only when it shows U+FFFD. */
function checkedLine(chunk: Buffer, start: number, end: number): CheckedLine {
  const text = chunk.toString('utf8', start, end);
  return text.includes('\uFFFD') ? checked(text, chunk.subarray(start, end)) : text;
}

function checked(text: string, bytes: Uint8Array): CheckedLine {
  const problem = invalidUtf8Problem(bytes);
  return problem === undefined ? text : { invalidUtf8: true, text, problem };
}

/** Where the bytes stop being valid UTF-8 (`bytes 0xE2 0x82 at byte 17`), or undefined when they are valid. */
export function invalidUtf8Problem(bytes: Uint8Array): string | undefined {
  const bad = firstInvalidUtf8(bytes);
  return bad < 0 ? undefined : `${describeBytes(bytes, bad)} at byte ${bad}`;
}

/** "byte 0xFF", or the bytes of a truncated or malformed sequence: "bytes 0xE2 0x82". */
function describeBytes(bytes: Uint8Array, at: number): string {
  const length = Math.max(1, utf8SequenceLength(bytes[at] as number));
  const shown: string[] = [];
  for (let i = at; i < Math.min(bytes.length, at + length); i++) {
    // The sequence as far as it goes: up to the first byte that does not continue it.
    if (i > at && ((bytes[i] as number) & 0xc0) !== 0x80) break;
    shown.push(`0x${(bytes[i] as number).toString(16).toUpperCase().padStart(2, '0')}`);
  }
  return `${shown.length === 1 ? 'byte' : 'bytes'} ${shown.join(' ')}`;
}

function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode's table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or -1 when all of them are valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const size = utf8SequenceLength(lead);
    if (size === 0 || i + size > length) return i;
    const second = bytes[i + 1] as number;
    // The second byte's allowed range depends on the lead (overlongs, surrogates, > U+10FFFF).
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < size; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += size;
  }
  return -1;
}
