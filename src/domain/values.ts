/**
 * Coercion of JSON field values to the declared column types. Types are fixed, never inferred:
 * a text column accepts a JSON number and keeps its decimal text (a band named 112); a numeric
 * column accepts only a JSON number that is a valid value of its type.
 */

/** Thrown for a value that cannot be stored in its column; the message is the reject reason. */
export class BadValueError extends Error {}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value === 'object' ? 'an object' : `the ${typeof value} ${String(value)}`}`;
}

export function optionalText(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new BadValueError(`${field}: expected text, got ${describe(value)}`);
}

/** Text that identifies something: missing or empty is an error. */
export function requiredText(field: string, value: unknown): string {
  const text = optionalText(field, value);
  if (text === null || text === '') throw new BadValueError(`${field}: missing`);
  return text;
}

export function optionalDouble(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new BadValueError(`${field}: expected a number, got ${describe(value)}`);
}

export function optionalInt(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
  throw new BadValueError(`${field}: expected a 32-bit integer, got ${describe(value)}`);
}

export function requiredInt(field: string, value: unknown): number {
  const int = optionalInt(field, value);
  if (int === null) throw new BadValueError(`${field}: missing`);
  return int;
}

/**
 * An integer id that may arrive as a JSON number or as its decimal digits in a string (userId is a
 * string in the app's logs; `""` is a logged-out event).
 */
export function requiredIntId(field: string, value: unknown): number {
  if (typeof value === 'string') {
    if (value === '') throw new BadValueError(`${field}: empty`);
    if (!/^-?\d+$/.test(value)) throw new BadValueError(`${field}: expected digits, got ${describe(value)}`);
    return requiredInt(field, Number(value));
  }
  return requiredInt(field, value);
}

/** Epoch milliseconds that a Parquet TIMESTAMP_MILLIS and a JavaScript Date can both hold. */
export function requiredEpochMillis(field: string, value: unknown): number {
  if (value === null || value === undefined) throw new BadValueError(`${field}: missing`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 8.64e15) {
    throw new BadValueError(`${field}: expected epoch milliseconds, got ${describe(value)}`);
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
