/**
 * What erasing a listener does to one landing log file: the same bytes without the lines that are
 * theirs. Pure, on bytes, so every other line keeps its exact bytes (a line of invalid UTF-8, a
 * CRLF ending, a missing final newline).
 *
 * A line is the user's when it is a JSON object whose userId is that user (`"012"` and 12 are the
 * same user, as in the lake), or, for a line that is not valid JSON and so sits in the quarantine
 * as raw text, when it holds a userId field with that value.
 */

const NEWLINE = 0x0a;

export interface ErasedText {
  readonly bytes: Uint8Array;
  /** Lines removed. */
  readonly removed: number;
}

/** Canonical form of a user id as the lake stores it: `"012"` → `"12"`; undefined for a non-id. */
export function canonicalUserId(id: string | number): string | undefined {
  const text = String(id).trim();
  if (!/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

export function withoutUserLines(bytes: Uint8Array, userId: string): ErasedText {
  const target = canonicalUserId(userId);
  if (target === undefined) throw new Error(`not a user id: ${userId}`);
  const kept: Uint8Array[] = [];
  let removed = 0;
  let start = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (start <= buffer.length) {
    const end = buffer.indexOf(NEWLINE, start);
    const lineEnd = end === -1 ? buffer.length : end;
    const line = buffer.subarray(start, lineEnd);
    if (end === -1 && line.length === 0 && start > 0) break; // the file ended with a newline
    if (isUsersLine(line.toString('utf8'), target)) removed += 1;
    else kept.push(line);
    if (end === -1) break;
    start = end + 1;
  }
  if (removed === 0) return { bytes, removed };
  const endsWithNewline = buffer.length > 0 && buffer[buffer.length - 1] === NEWLINE;
  const joined = Buffer.concat(
    kept.flatMap((line, i) => (i < kept.length - 1 || endsWithNewline ? [line, Buffer.from([NEWLINE])] : [line])),
  );
  return { bytes: new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength), removed };
}

function isUsersLine(line: string, target: string): boolean {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return rawLineNames(line, target);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return rawLineNames(line, target);
  const userId = (event as Record<string, unknown>).userId;
  if (typeof userId !== 'string' && typeof userId !== 'number') return false;
  return canonicalUserId(userId) === target;
}

/** A line that is not a JSON object: the user's if a `"userId": <id>` field in it names them. */
function rawLineNames(line: string, target: string): boolean {
  for (const match of line.matchAll(/"userId"\s*:\s*"?\s*(-?\d+)\s*"?/g)) {
    if (match[1] !== undefined && canonicalUserId(match[1]) === target) return true;
  }
  return false;
}
