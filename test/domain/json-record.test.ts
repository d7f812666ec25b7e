import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JsonRecordError,
  JsonRecordReader,
  isNumberLiteral,
  parseJsonRecord,
  type JsonField,
} from '../../src/domain/json-record.js';
import { Random } from '../../src/generate/random.js';
import { SAMPLE_DIR } from '../support/paths.js';

function problemOf(text: string): { problem: string; message: string } {
  try {
    parseJsonRecord(text);
  } catch (error) {
    if (error instanceof JsonRecordError) return { problem: error.problem, message: error.message };
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

/** String.prototype.isWellFormed, which the TypeScript lib of this project does not declare. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return !isWellFormed(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([key, v]) => !isWellFormed(key) || hasLoneSurrogate(v));
  return false;
}

const byName = (fields: readonly JsonField[]) => Object.fromEntries(fields.map((f) => [f.name, f]));

describe('parseJsonRecord: values and exact tokens', () => {
  it('keeps the exact characters of number and literal tokens', () => {
    const fields = byName(
      parseJsonRecord('{"a":4.60,"b":1.0,"c":12345678901234567890,"d":true,"e":-0.5E+10,"f":false,"g":null,"h":0}'),
    );
    expect(Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, [f.kind, f.value]]))).toEqual({
      a: ['number', '4.60'],
      b: ['number', '1.0'],
      c: ['number', '12345678901234567890'],
      d: ['true', 'true'],
      e: ['number', '-0.5E+10'],
      f: ['false', 'false'],
      g: ['null', 'null'],
      h: ['number', '0'],
    });
  });

  it('decodes every escape, and a surrogate pair escape into its character', () => {
    const fields = byName(
      parseJsonRecord(String.raw`{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u00C9\ud83d\ude00 end","raw":"Björk 😀"}`),
    );
    expect(fields.s?.value).toBe('a"b\\c/d\b\f\n\r\té\u00c9😀 end');
    expect(fields.raw?.value).toBe('Björk 😀');
  });

  it('reads nested objects and arrays as values, with their raw JSON', () => {
    const fields = byName(parseJsonRecord('{"o": {"x": [1, 2.50, {"y": null}], "z": "\\u00e9"}, "a": [], "e": {}}'));
    expect([fields.o?.kind, fields.o?.value]).toEqual(['object', '{"x": [1, 2.50, {"y": null}], "z": "\\u00e9"}']);
    expect([fields.a?.kind, fields.a?.value]).toEqual(['array', '[]']);
    expect([fields.e?.kind, fields.e?.value]).toEqual(['object', '{}']);
  });

  it('gives each field as it appears in the input, for rescued data', () => {
    const fields = parseJsonRecord('{ "caf\\u00e9" :  4.60 , "n":{"k" : [true]} }');
    expect(fields.map((f) => f.raw)).toEqual(['"caf\\u00e9":4.60', '"n":{"k" : [true]}']);
    expect(fields[0]?.name).toBe('café');
  });

  it('agrees with JSON.parse on every line of the sample logs', () => {
    const text = readFileSync(join(SAMPLE_DIR, 'log_data/2018/11/2018-11-21-events.json'), 'utf8');
    for (const line of text.split('\n')) {
      const expected = JSON.parse(line) as Record<string, unknown>;
      const fields = parseJsonRecord(line);
      expect(fields.map((f) => f.name)).toEqual(Object.keys(expected));
      for (const field of fields) {
        const value =
          field.kind === 'number'
            ? Number(field.value)
            : field.kind === 'string'
              ? field.value
              : JSON.parse(field.value);
        expect(value).toEqual(expected[field.name]);
      }
    }
  });
});

describe('parseJsonRecord: what it refuses, and why', () => {
  it.each([
    ['{"page":"Home","page":"NextSong"}', 'duplicated-key', 'duplicated key "page" at position 15'],
    ['{"a":{"k":1,"k":2}}', 'duplicated-key', 'duplicated key "k" at position 12'],
    ['{"x":1,"\\u0078":2}', 'duplicated-key', 'duplicated key "x"'],
    ['{"s":"\\uD83D"}', 'invalid-unicode', 'unpaired surrogate escape \\uD83D at position 6'],
    ['{"s":"\\uDE00\\uD83D"}', 'invalid-unicode', 'unpaired surrogate escape \\uDE00'],
    ['{"s":"\\ud83dx"}', 'invalid-unicode', 'unpaired surrogate escape \\ud83d'],
    ['{"s":"\\ud83d\\u0041"}', 'invalid-unicode', 'unpaired surrogate escape'],
    ['{"s":"a\uD83Db"}', 'invalid-unicode', 'unpaired surrogate U+D83D at position 7'],
    ['{"k\\uD800":1}', 'invalid-unicode', 'unpaired surrogate escape'],
    ['[1,2]', 'not-an-object', 'expected a JSON object, got an array'],
    ['"text"', 'not-an-object', 'expected a JSON object, got a string'],
    ['null', 'not-an-object', 'expected a JSON object, got null'],
    ['', 'syntax', 'no JSON value (empty input) at position 0'],
    ['{"a":1,}', 'syntax', 'unexpected character "}", expected a key in double quotes at position 7'],
    ['{"a" 1}', 'syntax', "expected ':' after a key at position 5"],
    ["{'a':1}", 'syntax', 'unexpected character "\'"'],
    ['{"a":01}', 'syntax', 'invalid number "01" at position 5'],
    ['{"a":1.}', 'syntax', 'invalid number'],
    ['{"a":.5}', 'syntax', 'unexpected character "."'],
    ['{"a":-}', 'syntax', 'invalid number'],
    ['{"a":+1}', 'syntax', 'unexpected character "+"'],
    ['{"a":1e}', 'syntax', 'invalid number'],
    ['{"a":NaN}', 'syntax', 'unexpected character "N"'],
    ['{"a":tru}', 'syntax', 'unexpected character "t"'],
    ['{"a":"tab\there"}', 'syntax', 'control character U+0009 in a string (must be escaped) at position 9'],
    ['{"a":"\\x"}', 'syntax', 'invalid escape "\\\\x" at position 6'],
    ['{"a":"\\u12"}', 'syntax', 'invalid escape'],
    ['{"a":"open', 'syntax', 'unterminated string at position 5'],
    ['{"a":1} x', 'syntax', 'expected the end of the input after the value at position 8'],
    ['{"a":1', 'syntax', 'unexpected end of input'],
    ['{"a":[1 2]}', 'syntax', "expected ',' or ']' after a value"],
  ])('%s → %s', (text, problem, message) => {
    const refused = problemOf(text);
    expect(refused.problem).toBe(problem);
    expect(refused.message).toContain(message);
  });

  it('refuses nesting deeper than it can read without overflowing the stack, as a syntax error', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(problemOf(deep)).toMatchObject({
      problem: 'syntax',
      message: expect.stringContaining('nested deeper than 256 levels'),
    });
    expect(parseJsonRecord(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`)[0]?.kind).toBe('array');
  });

  it('accepts or refuses exactly as JSON.parse does, on thousands of mutated records', () => {
    const rng = new Random('json-fuzz');
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      '\\',
      'u',
      'D',
      '8',
      '3',
      'd',
      'e',
      '0',
      '1',
      '-',
      '.',
      'E',
      '+',
      ' ',
      '\n',
      't',
      'n',
      'a',
      '\u00e9',
      '\ud83d',
      '\u0001',
    ];
    const base = [
      '{"artist":"A\\/B","length":4.60,"n":null,"t":true,"ts":1541105830796,"o":{"k":[1,-2.5e3,"x"]},"u":"\\u00e9\\ud83d\\ude00"}',
      '{"a" : [ ] , "b" : { } }',
    ];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = rng.pick(base);
      for (let edits = rng.int(1, 3); edits > 0; edits--) {
        const at = rng.int(0, text.length);
        const op = rng.int(0, 2);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
        else if (op === 1) text = text.slice(0, at) + rng.pick(alphabet) + text.slice(at);
        else text = text.slice(0, at) + rng.pick(alphabet) + text.slice(at + 1);
      }
      let expected: unknown;
      let parses = true;
      try {
        expected = JSON.parse(text);
      } catch {
        parses = false;
      }
      let fields: JsonField[] | undefined;
      let refusal: JsonRecordError | undefined;
      try {
        fields = parseJsonRecord(text);
      } catch (error) {
        if (!(error instanceof JsonRecordError)) throw new Error(`${JSON.stringify(text)}: ${String(error)}`);
        refusal = error;
      }
      const isObject = parses && typeof expected === 'object' && expected !== null && !Array.isArray(expected);
      if (fields) {
        accepted++;
        expect(isObject, text).toBe(true);
        expect(new Set(fields.map((f) => f.name)).size, text).toBe(fields.length);
        for (const field of fields) {
          const value =
            field.kind === 'number'
              ? Number(field.value)
              : field.kind === 'string'
                ? field.value
                : JSON.parse(field.value);
          expect(value, text).toEqual((expected as Record<string, unknown>)[field.name]);
          if (field.kind === 'string') expect(isWellFormed(field.value), text).toBe(true);
        }
      } else if (!parses) {
        // Refused too; the reason may be a lone surrogate or a duplicated key before the syntax error.
        expect(refusal, text).toBeDefined();
      } else if (isObject) {
        // JSON.parse keeps the last of duplicated keys and lone surrogates; we refuse both.
        expect(['duplicated-key', 'invalid-unicode'], text).toContain(refusal?.problem);
        if (refusal?.problem === 'invalid-unicode') expect(hasLoneSurrogate(expected), text).toBe(true);
      } else {
        expect(refusal?.problem, text).toBe('not-an-object');
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('JsonRecordReader', () => {
  it('finds known keys by slot and counts unknown ones, record after record', () => {
    const reader = new JsonRecordReader(['ts', 'page']);
    reader.read('{"page":"NextSong","ts":1,"extra":2}');
    expect([reader.fieldOf(0), reader.fieldOf(1), reader.unknownCount]).toEqual([1, 0, 1]);
    reader.read('{"ts":2}');
    expect([reader.fieldOf(0), reader.fieldOf(1), reader.unknownCount, reader.value(0)]).toEqual([0, -1, 0, '2']);
    // Same keys in another order than the record before: the in-place key comparison must not be fooled.
    reader.read('{"tsx":3,"ts":4,"page":"Home"}');
    expect([reader.fieldOf(0), reader.value(reader.fieldOf(0)), reader.unknownCount, reader.name(0)]).toEqual([
      1,
      '4',
      1,
      'tsx',
    ]);
  });
});

describe('isNumberLiteral', () => {
  it.each([
    ['1541105830796', true],
    ['4.6', true],
    ['-1e3', true],
    ['012', true],
    ['1.', false],
    ['', false],
    [' 12', false],
    ['12 ', false],
    ['+1', false],
    ['0x10', false],
    ['Infinity', false],
    ['NaN', false],
    ['1_000', false],
  ])('%j → %s', (text, expected) => {
    expect(isNumberLiteral(text)).toBe(expected);
  });
});
