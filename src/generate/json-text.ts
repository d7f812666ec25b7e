/**
 * JSON text the way the real files spell it, which JSON.stringify does not: every character
 * outside printable ASCII as a `\uXXXX` escape (lower-case hex, astral characters as surrogate
 * pairs, as Python's json.dumps writes them), `/` escaped as `\/` in the log files, and floats with
 * a `.0` when they are whole (`1540919166796.0`).
 */

/** Printable ASCII except `"`, `/` and `\`: nothing to escape. */
const PLAIN = /^[\x20\x21\x23-\x2e\x30-\x5b\x5d-\x7e]*$/;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** A JSON string literal, ASCII only; `escapeSlash` writes `/` as `\/` (the log files do). */
export function jsonString(text: string, escapeSlash = false): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[code];
    if (short !== undefined) out += short;
    else if (code === 0x2f) out += escapeSlash ? '\\/' : '/';
    else if (code >= 0x20 && code < 0x7f) out += text[i];
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** A float as Python's repr writes it: whole values keep a `.0`. */
export function jsonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a JSON number: ${value}`);
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

/**
 * A JSON number token written as it is, in a text column: `4.60` or `12345678901234567890`, which
 * a double would respell. The lake stores the token's characters; `String(token)` gives them.
 */
export class JsonToken {
  constructor(readonly token: string) {}

  toString(): string {
    return this.token;
  }
}

/**
 * A value of a text column: text as a string literal, a number (a band named 112, a title 4.6) as
 * a JSON number, a token as it is, null as null.
 */
export function jsonTextValue(value: string | number | JsonToken | null, escapeSlash = false): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (value instanceof JsonToken) return value.token;
  return jsonString(value, escapeSlash);
}

/** What a text column stores for a value that arrived as text or as a number: the token's characters. */
export function storedText(value: string | number | JsonToken | null): string | null {
  return value === null ? null : String(value);
}

/**
 * Text mis-encoded the way some of the real log lines are: UTF-8 bytes read as Latin-1, twice
 * (`é` → `Ã\u0083Â©`). Such a name never equals the catalogue's, which is the point.
 */
export function mojibake(text: string): string {
  const once = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
  return once(once(text));
}
