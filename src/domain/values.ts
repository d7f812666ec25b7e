/**
 * Coercion of JSON field values to the declared column types. Types are fixed, never inferred:
 * - a text column takes a JSON string as it is, and a JSON number or boolean as the exact
 *   characters of its token (`4.60` stays `4.60`; the reader keeps the token, see json-record.ts);
 * - a numeric column takes a JSON number, or a JSON string holding a number literal
 *   (`"1541105830796"`, `"4.6"`, `"012"`), when its value is valid for the column type;
 * - anything else (an object or array where text belongs, text where a number belongs, a number
 *   out of range) is a BadValueError whose message is the reject reason.
 *
 * A field is given as its JSON kind and text (JsonRecordReader's kind and value), or `undefined`
 * when the record does not have it. JSON null and a missing field are both "no value".
 */
import { describeKind, isNumberLiteral, type JsonKind } from './json-record.js';

/** Thrown for a value that cannot be stored in its column; the message is the reject reason. */
export class BadValueError extends Error {}

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

/** The usable range of ts (contract): 1990-01-01T00:00:00Z inclusive to 2100-01-01T00:00:00Z exclusive. */
export const MIN_EVENT_MS = Date.UTC(1990, 0, 1);
export const END_EVENT_MS = Date.UTC(2100, 0, 1);

function describe(kind: JsonKind, text: string): string {
  if (kind === 'string') return `the string ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`;
  if (kind === 'number') return `the number ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
  return describeKind(kind);
}

function isNothing(kind: JsonKind | undefined): kind is undefined | 'null' {
  return kind === undefined || kind === 'null';
}

/** Text, or null for no value. */
export function optionalText(field: string, kind: JsonKind | undefined, text: string): string | null {
  if (kind === 'string' || kind === 'number' || kind === 'true' || kind === 'false') return text;
  if (isNothing(kind)) return null;
  throw new BadValueError(`${field}: expected text, got ${describe(kind, text)}`);
}

/** Text that identifies something: missing or empty is an error. */
export function requiredText(field: string, kind: JsonKind | undefined, text: string): string {
  const value = optionalText(field, kind, text);
  if (value === null || value === '') throw new BadValueError(`${field}: missing`);
  return value;
}

/** The number a JSON number token or a number-literal string stands for, or undefined when it is neither. */
function numberOf(kind: JsonKind, text: string): number | undefined {
  if (kind === 'number' || (kind === 'string' && isNumberLiteral(text))) return Number(text);
  return undefined;
}

/** A finite double within [min, max], or null for no value. */
export function optionalDouble(
  field: string,
  kind: JsonKind | undefined,
  text: string,
  min = -Number.MAX_VALUE,
  max = Number.MAX_VALUE,
): number | null {
  if (isNothing(kind)) return null;
  const value = numberOf(kind, text);
  if (value === undefined) throw new BadValueError(`${field}: expected a number, got ${describe(kind, text)}`);
  if (!(value >= min && value <= max))
    throw new BadValueError(`${field}: out of range (${rangeText(min, max)}), got ${describe(kind, text)}`);
  return value;
}

/** A whole number within [min, max] (a 32-bit integer by default), or null for no value. */
export function optionalInt(
  field: string,
  kind: JsonKind | undefined,
  text: string,
  min = INT32_MIN,
  max = INT32_MAX,
): number | null {
  if (isNothing(kind)) return null;
  const value = numberOf(kind, text);
  if (value === undefined || !Number.isInteger(value)) {
    throw new BadValueError(
      `${field}: expected ${min === INT32_MIN && max === INT32_MAX ? 'a 32-bit integer' : 'a whole number'}, got ${describe(kind, text)}`,
    );
  }
  if (value < min || value > max) {
    throw new BadValueError(
      `${field}: ${min === INT32_MIN && max === INT32_MAX ? 'expected a 32-bit integer' : `out of range (${rangeText(min, max)})`}, got ${describe(kind, text)}`,
    );
  }
  return value;
}

/** A key field's 32-bit integer: missing, null or `""` is an error too. */
export function requiredInt(field: string, kind: JsonKind | undefined, text: string): number {
  if (kind === 'string' && text === '') throw new BadValueError(`${field}: empty`);
  const value = optionalInt(field, kind, text);
  if (value === null) throw new BadValueError(`${field}: missing`);
  return value;
}

/** A usable ts: whole epoch milliseconds in [1990-01-01, 2100-01-01) UTC (seconds or microseconds sent by mistake fall outside). */
export function requiredEpochMillis(field: string, kind: JsonKind | undefined, text: string): number {
  if (isNothing(kind)) throw new BadValueError(`${field}: missing`);
  const value = numberOf(kind, text);
  if (value === undefined || !Number.isInteger(value)) {
    throw new BadValueError(`${field}: expected whole epoch milliseconds, got ${describe(kind, text)}`);
  }
  if (value < MIN_EVENT_MS || value >= END_EVENT_MS) {
    throw new BadValueError(
      `${field}: epoch milliseconds outside 1990-01-01 … 2100-01-01 UTC, got ${describe(kind, text)}`,
    );
  }
  return value;
}

function rangeText(min: number, max: number): string {
  return `${min} … ${max}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
