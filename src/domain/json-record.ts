/**
 * A strict JSON reader for our input records: one object per log line, one object per song file.
 *
 * Why not JSON.parse: the contract stores a text column that arrives as a JSON number as *the
 * exact characters of the token* (`4.60` stays `4.60`, `12345678901234567890` keeps every digit),
 * and JSON.parse gives only the double (Node 20's revivers have no `context.source`). It also
 * keeps the last of two duplicated keys and turns a lone surrogate escape (`\uD83D`) into a
 * string that is not valid Unicode; the contract makes both a bad record.
 *
 * So this reader returns, per top-level field, its kind, its value as text (the decoded string,
 * or the exact token of a number or literal, or the raw JSON of a nested value) and where the
 * value sits in the input (so unknown fields can be re-emitted byte for byte). It is written as
 * charCodeAt loops with slices for escape-free strings: the log path parses every line with it,
 * and its cost is measured against JSON.parse in bench/experiments/json-record.ts.
 */

export type JsonKind = 'string' | 'number' | 'true' | 'false' | 'null' | 'object' | 'array';

/** Why a text is not a record we can read; `message` is the reject reason. */
export class JsonRecordError extends Error {
  constructor(
    readonly problem: 'syntax' | 'not-an-object' | 'duplicated-key' | 'invalid-unicode',
    message: string,
  ) {
    super(message);
  }
}

/** Nested values deeper than this are refused, so a hostile `[[[[…` cannot overflow the stack. */
export const MAX_NESTING = 256;

/** What a string cannot be sliced over: an escape, a control character (invalid raw), a surrogate (valid only paired). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern finds.
const SPECIAL_CHARS = /[\\\x00-\x1f\ud800-\udfff]/g;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads one JSON object at a time into reusable arrays: no object is allocated per field, which
 * keeps the per-line cost near JSON.parse's. Give it the keys the caller knows (a record schema's
 * field names): `slot(i)` then tells which known key field i is, and `fieldOf(slot)` finds a known
 * field without a lookup by name.
 */
export class JsonRecordReader {
  private text = '';
  private pos = 0;
  private readonly knownSlots: ReadonlyMap<string, number>;
  /** Per known key: the field index holding it in the current record, valid when stamped. */
  private readonly fieldBySlot: Int32Array;
  private readonly slotStamp: Uint32Array;
  private stamp = 0;

  /** Fields of the current record, in input order. */
  count = 0;
  /** How many of them have a key the caller does not know. */
  unknownCount = 0;
  private readonly names: string[] = [];
  private readonly kinds: JsonKind[] = [];
  /** Decoded text of strings with escapes and literals; undefined until value() slices the others. */
  private readonly values: (string | undefined)[] = [];
  private readonly slots: number[] = [];
  private readonly keyStarts: number[] = [];
  private readonly keyEnds: number[] = [];
  private readonly valueStarts: number[] = [];
  private readonly valueEnds: number[] = [];
  /** The text of the value parseValue just read, when it had to be built (an escaped string, a literal); else undefined. */
  private lastValue: string | undefined = undefined;
  /**
   * Position of the next character a string cannot simply be sliced over (a backslash, a control
   * character, a surrogate), found with one native regex scan and reused until passed; -1 when
   * there is none before the end.
   */
  private nextSpecial = -1;
  /** Per field index, the known key found there in the previous record: keys come in the same order line after line. */
  private readonly expectedSlot: number[] = [];

  constructor(readonly knownKeys: readonly string[] = []) {
    this.knownSlots = new Map(knownKeys.map((key, slot) => [key, slot]));
    if (this.knownSlots.size !== knownKeys.length) throw new Error('knownKeys has duplicates');
    this.fieldBySlot = new Int32Array(knownKeys.length);
    this.slotStamp = new Uint32Array(knownKeys.length);
  }

  /** Reads `text` as one JSON object; throws JsonRecordError when it is not one. */
  read(text: string): void {
    this.text = text;
    this.pos = 0;
    this.nextSpecial = -2; // not searched yet
    this.count = 0;
    this.unknownCount = 0;
    this.stamp = this.stamp === 0xffffffff ? 1 : this.stamp + 1;
    if (this.stamp === 1) this.slotStamp.fill(0);
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) {
      // Say what it is when it is valid JSON (an array, a string), else why it is not JSON.
      if (this.pos >= text.length) throw this.syntax('no JSON value (empty input)');
      const kind = this.parseValue(0);
      this.expectEnd();
      throw new JsonRecordError('not-an-object', `expected a JSON object, got ${describeKind(kind)}`);
    }
    this.topLevelObject();
    this.expectEnd();
  }

  name(field: number): string {
    return this.names[field] as string;
  }

  kind(field: number): JsonKind {
    return this.kinds[field] as JsonKind;
  }

  /**
   * A string's decoded text, a number's or literal's exact token, a nested value's raw JSON. Sliced
   * from the input on first use: most fields of a log line (auth, method, status…) are never read.
   */
  value(field: number): string {
    let value = this.values[field];
    if (value === undefined) {
      const start = this.valueStarts[field] as number;
      const end = this.valueEnds[field] as number;
      // An escape-free string's text is its literal without the quotes.
      value = this.kinds[field] === 'string' ? this.text.slice(start + 1, end - 1) : this.text.slice(start, end);
      this.values[field] = value;
    }
    return value;
  }

  /** Whether field is the string `expected`, compared in the input without slicing it out. */
  isString(field: number, expected: string): boolean {
    if (this.kinds[field] !== 'string') return false;
    const start = (this.valueStarts[field] as number) + 1;
    const end = (this.valueEnds[field] as number) - 1;
    if (this.values[field] === undefined)
      return end - start === expected.length && this.text.startsWith(expected, start);
    return this.values[field] === expected;
  }

  /** The index of a known key among the knownKeys, or -1 for a key the caller does not know. */
  slot(field: number): number {
    return this.slots[field] as number;
  }

  /** The field holding the known key `slot` in the current record, or -1 when it is absent. */
  fieldOf(slot: number): number {
    return this.slotStamp[slot] === this.stamp ? (this.fieldBySlot[slot] as number) : -1;
  }

  /**
   * The field as it appears in the input, `"key":value`: the key's and the value's own spelling
   * (escapes, number tokens, nested JSON byte for byte), without the spaces around the colon.
   */
  rawField(field: number): string {
    const text = this.text;
    return `${text.slice(this.keyStarts[field] as number, this.keyEnds[field] as number)}:${text.slice(this.valueStarts[field] as number, this.valueEnds[field] as number)}`;
  }

  // ------------------------------------------------------------------------------------------

  private topLevelObject(): void {
    const text = this.text;
    this.pos++; // {
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== QUOTE) throw this.unexpected('a key in double quotes');
      const keyStart = this.pos;
      // The known key expected here (the one found at this field index in the record before), if it is the one.
      const expected = this.expectedSlot[this.count];
      const slot =
        expected !== undefined && this.keyIsAt(this.knownKeys[expected] as string, keyStart + 1) ? expected : -1;
      let name: string;
      if (slot >= 0) {
        name = this.knownKeys[slot] as string;
        this.pos = keyStart + name.length + 2;
      } else {
        name = this.string();
      }
      const keyEnd = this.pos;
      if (text.charCodeAt(this.pos) !== COLON) {
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) !== COLON) throw this.unexpected("':' after a key");
      }
      this.pos++;
      if (text.charCodeAt(this.pos) <= 0x20) this.skipWhitespace();
      const valueStart = this.pos;
      const kind = this.parseValue(1);
      this.addField(name, slot, kind, keyStart, keyEnd, valueStart, this.pos);
      if (text.charCodeAt(this.pos) <= 0x20) this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      if (c === CLOSE_BRACE) {
        this.pos++;
        return;
      }
      throw this.unexpected("',' or '}' after a value");
    }
  }

  /** `knownSlot`: the key's slot when it was recognised in place, else -1 (looked up here). */
  private addField(
    name: string,
    knownSlot: number,
    kind: JsonKind,
    keyStart: number,
    keyEnd: number,
    valueStart: number,
    valueEnd: number,
  ): void {
    const field = this.count++;
    let slot = knownSlot >= 0 ? knownSlot : this.knownSlots.get(name);
    if (slot === undefined) {
      slot = -1;
      this.unknownCount++;
      // Unknown keys are rare: compare them with the fields before.
      for (let i = 0; i < field; i++)
        if (this.slots[i] === -1 && this.names[i] === name) throw this.duplicated(name, keyStart);
    } else {
      if (this.slotStamp[slot] === this.stamp) throw this.duplicated(name, keyStart);
      this.slotStamp[slot] = this.stamp;
      this.fieldBySlot[slot] = field;
      this.expectedSlot[field] = slot;
    }
    this.names[field] = name;
    this.kinds[field] = kind;
    this.values[field] = this.lastValue;
    this.slots[field] = slot;
    this.keyStarts[field] = keyStart;
    this.keyEnds[field] = keyEnd;
    this.valueStarts[field] = valueStart;
    this.valueEnds[field] = valueEnd;
  }

  /** Parses the value at pos; scalars leave their text in lastValue. */
  private parseValue(depth: number): JsonKind {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    switch (c) {
      case QUOTE:
        this.lastValue = this.string(true);
        return 'string';
      case OPEN_BRACE:
        this.nestedObject(depth + 1);
        this.lastValue = undefined;
        return 'object';
      case OPEN_BRACKET:
        this.nestedArray(depth + 1);
        this.lastValue = undefined;
        return 'array';
      case 0x74: // t
        this.literal('true');
        return 'true';
      case 0x66: // f
        this.literal('false');
        return 'false';
      case 0x6e: // n
        this.literal('null');
        return 'null';
      default:
        if (c === MINUS || (c >= ZERO && c <= NINE)) {
          const start = this.pos;
          this.pos = numberEnd(text, start);
          if (this.pos < 0) {
            this.pos = -this.pos;
            throw this.syntax(`invalid number ${JSON.stringify(text.slice(start, this.pos + 1))}`, start);
          }
          this.lastValue = undefined;
          return 'number';
        }
        if (this.pos >= text.length) throw this.syntax('unexpected end of input');
        throw this.unexpected('a value');
    }
  }

  private literal(word: 'true' | 'false' | 'null'): void {
    if (!this.text.startsWith(word, this.pos)) throw this.unexpected('a value');
    this.pos += word.length;
    this.lastValue = word;
  }

  private nestedObject(depth: number): void {
    if (depth > MAX_NESTING) throw this.syntax(`nested deeper than ${MAX_NESTING} levels`);
    const text = this.text;
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    const keys = new Set<string>();
    for (;;) {
      if (text.charCodeAt(this.pos) !== QUOTE) throw this.unexpected('a key in double quotes');
      const keyStart = this.pos;
      const name = this.string();
      if (keys.has(name)) throw this.duplicated(name, keyStart);
      keys.add(name);
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== COLON) throw this.unexpected("':' after a key");
      this.pos++;
      this.skipWhitespace();
      this.parseValue(depth);
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      if (c === CLOSE_BRACE) {
        this.pos++;
        return;
      }
      throw this.unexpected("',' or '}' after a value");
    }
  }

  private nestedArray(depth: number): void {
    if (depth > MAX_NESTING) throw this.syntax(`nested deeper than ${MAX_NESTING} levels`);
    const text = this.text;
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    for (;;) {
      this.parseValue(depth);
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      if (c === CLOSE_BRACKET) {
        this.pos++;
        return;
      }
      throw this.unexpected("',' or ']' after a value");
    }
  }

  /**
   * Whether the key literal at `start` (after its opening quote) is `known`, compared in place: most
   * records spell the same keys in the same order as the record before, so no slice, no hash lookup.
   */
  private keyIsAt(known: string, start: number): boolean {
    const text = this.text;
    const length = known.length;
    if (text.charCodeAt(start + length) !== QUOTE) return false;
    for (let i = 0; i < length; i++) if (text.charCodeAt(start + i) !== known.charCodeAt(i)) return false;
    return true;
  }

  /**
   * The string literal at pos (which holds its opening quote), decoded; pos ends after it. With
   * `lazy`, an escape-free string is not sliced out (undefined): value() slices it when asked.
   */
  private string(lazy: true): string | undefined;
  private string(lazy?: false): string;
  private string(lazy = false): string | undefined {
    const text = this.text;
    const start = this.pos + 1;
    // A string ends at the next quote, and is a plain slice unless a special character comes first.
    const end = text.indexOf('"', start);
    if (end < 0) throw this.syntax('unterminated string', this.pos);
    let special = this.nextSpecial;
    if (special !== -1 && special < start) {
      SPECIAL_CHARS.lastIndex = start;
      special = this.nextSpecial = SPECIAL_CHARS.test(text) ? SPECIAL_CHARS.lastIndex - 1 : -1;
    }
    if (special === -1 || special > end) {
      this.pos = end + 1;
      return lazy ? undefined : text.slice(start, end);
    }
    return this.escapedString(start, special);
  }

  private escapedString(start: number, from: number): string {
    const text = this.text;
    const length = text.length;
    let out = text.slice(start, from);
    let i = from;
    let segment = i;
    for (;;) {
      if (i >= length) throw this.syntax('unterminated string', start - 1);
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out + text.slice(segment, i);
      }
      if (c < 0x20) throw this.syntax(`control character U+${hex4(c)} in a string (must be escaped)`, i);
      if (c >= 0xd800 && c <= 0xdfff) {
        // A raw surrogate: only as a proper pair (input that came through UTF-8 always has pairs).
        const next = text.charCodeAt(i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
          throw this.invalidUnicode(`unpaired surrogate U+${hex4(c)}`, i);
        i += 2;
        continue;
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += text.slice(segment, i);
      const escaped = text.charCodeAt(i + 1);
      switch (escaped) {
        case QUOTE:
          out += '"';
          break;
        case BACKSLASH:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const unit = this.hexEscape(i);
          if (unit >= 0xd800 && unit <= 0xdbff) {
            // A high surrogate must be followed by the escape of a low one.
            const low =
              text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === 0x75 ? this.hexEscape(i + 6) : -1;
            if (!(low >= 0xdc00 && low <= 0xdfff))
              throw this.invalidUnicode(`unpaired surrogate escape ${text.slice(i, i + 6)}`, i);
            out += String.fromCharCode(unit, low);
            i += 12;
            segment = i;
            continue;
          }
          if (unit >= 0xdc00 && unit <= 0xdfff)
            throw this.invalidUnicode(`unpaired surrogate escape ${text.slice(i, i + 6)}`, i);
          out += String.fromCharCode(unit);
          i += 6;
          segment = i;
          continue;
        }
        default:
          if (i + 1 >= length) throw this.syntax('unterminated string', start - 1);
          throw this.syntax(`invalid escape ${JSON.stringify(text.slice(i, i + 2))}`, i);
      }
      i += 2;
      segment = i;
    }
  }

  /** The code unit of the `\uXXXX` escape at `at`. */
  private hexEscape(at: number): number {
    let unit = 0;
    for (let k = at + 2; k < at + 6; k++) {
      const digit = hexDigit(this.text.charCodeAt(k));
      if (digit < 0) throw this.syntax(`invalid escape ${JSON.stringify(this.text.slice(at, at + 6))}`, at);
      unit = unit * 16 + digit;
    }
    return unit;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let i = this.pos;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  private expectEnd(): void {
    this.skipWhitespace();
    if (this.pos < this.text.length) throw this.unexpected('the end of the input after the value');
  }

  private unexpected(expected: string): JsonRecordError {
    if (this.pos >= this.text.length) return this.syntax(`unexpected end of input, expected ${expected}`);
    return this.syntax(`unexpected ${describeChar(this.text, this.pos)}, expected ${expected}`);
  }

  private syntax(what: string, at = this.pos): JsonRecordError {
    return new JsonRecordError('syntax', `${what} at position ${at}`);
  }

  private duplicated(name: string, at: number): JsonRecordError {
    return new JsonRecordError('duplicated-key', `duplicated key ${JSON.stringify(name)} at position ${at}`);
  }

  private invalidUnicode(what: string, at: number): JsonRecordError {
    return new JsonRecordError('invalid-unicode', `not valid Unicode: ${what} at position ${at}`);
  }
}

/**
 * End of the number token at `start` (JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
 * or minus the position of the offending character when the token is malformed.
 */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  let c = text.charCodeAt(i);
  if (c === ZERO) {
    i++;
  } else if (c >= 0x31 && c <= NINE) {
    do i++;
    while (isDigit(text.charCodeAt(i)));
  } else {
    return -i;
  }
  c = text.charCodeAt(i);
  if (c === DOT) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return -i;
    do i++;
    while (isDigit(text.charCodeAt(i)));
    c = text.charCodeAt(i);
  }
  if (c === 0x65 || c === 0x45) {
    i++;
    c = text.charCodeAt(i);
    if (c === PLUS || c === MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) return -i;
    do i++;
    while (isDigit(text.charCodeAt(i)));
  }
  // A digit right after a complete token is a leading zero ("012"): not JSON.
  if (isDigit(text.charCodeAt(i))) return -i;
  return i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * Whether `text` is a number literal as a numeric column accepts one inside a JSON string
 * (`"1541105830796"`, `"4.6"`, `"-1e3"`): JSON's number grammar, except that leading zeros are
 * allowed (`"012"` is 12, as userId `"012"` is user 12). No spaces, no `+`, no `Infinity`, no hex.
 */
export function isNumberLiteral(text: string): boolean {
  let i = 0;
  if (text.charCodeAt(0) === MINUS) i++;
  if (!isDigit(text.charCodeAt(i))) return false;
  do i++;
  while (isDigit(text.charCodeAt(i)));
  let c = text.charCodeAt(i);
  if (c === DOT) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return false;
    do i++;
    while (isDigit(text.charCodeAt(i)));
    c = text.charCodeAt(i);
  }
  if (c === 0x65 || c === 0x45) {
    i++;
    c = text.charCodeAt(i);
    if (c === PLUS || c === MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) return false;
    do i++;
    while (isDigit(text.charCodeAt(i)));
  }
  return i === text.length;
}

function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

function describeChar(text: string, at: number): string {
  const c = text.charCodeAt(at);
  if (c < 0x20 || c === 0x7f) return `character U+${hex4(c)}`;
  return `character ${JSON.stringify(String.fromCodePoint(text.codePointAt(at) as number))}`;
}

export function describeKind(kind: JsonKind): string {
  switch (kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    default:
      return kind;
  }
}

/** One field of a parsed record, as a plain object: for tests and one-off reads (songs). */
export interface JsonField {
  readonly name: string;
  readonly kind: JsonKind;
  /** The decoded string, the exact token of a number or literal, or the raw JSON of a nested value. */
  readonly value: string;
  /** The field as it appears in the input: `"key":value`. */
  readonly raw: string;
}

/** Parses one JSON object into its fields, in input order; throws JsonRecordError. */
export function parseJsonRecord(text: string): JsonField[] {
  const reader = new JsonRecordReader();
  reader.read(text);
  const fields: JsonField[] = [];
  for (let i = 0; i < reader.count; i++) {
    fields.push({ name: reader.name(i), kind: reader.kind(i), value: reader.value(i), raw: reader.rawField(i) });
  }
  return fields;
}
