/**
 * The last check before a row joins a batch: whatever the transforms let through by mistake, a row
 * the Parquet writer cannot store is named with its column and refused, and never reaches the
 * encoder (where it would fail the whole batch).
 */
import { describe, expect, it } from 'vitest';
import type { PlayRow } from '../../src/domain/rows.js';
import { BASE_PLAYS } from '../../src/domain/tables.js';
import { encodeParquet } from '../../src/parquet/writer.js';
import { rowCheckFor } from '../../src/pipeline/row-check.js';

const PLAY: PlayRow = {
  songplay_id: '7-100-0-1541106106796',
  start_time: 1541106106796,
  user_id: 7,
  level: 'free',
  session_id: 100,
  item_in_session: 0,
  location: null,
  user_agent: 'Mozilla/5.0',
  first_name: 'Ann',
  last_name: 'Lee',
  gender: 'F',
  song: null,
  artist: null,
  length: null,
  hour: 21,
  day: 1,
  week: 44,
  weekday: 5,
  source_key: 'log_data/2018/11/2018-11-01-events.json',
  source_line: 1,
  rescued_data: null,
  year: 2018,
  month: 11,
};

const check = rowCheckFor(BASE_PLAYS);

describe('rowCheckFor(base_plays)', () => {
  it('passes a storable row', () => {
    expect(check(PLAY)).toBeUndefined();
  });

  it.each([
    ['a required column missing', { user_id: null }, 'user_id: missing'],
    ['an int beyond 32 bits', { session_id: 2 ** 31 }, 'session_id: not a 32-bit integer: 2147483648'],
    ['a fractional int', { item_in_session: 1.5 }, 'item_in_session: not a 32-bit integer: 1.5'],
    ['a timestamp beyond 2^53', { start_time: 2 ** 53 + 2 }, 'start_time: not a 64-bit integer: 9007199254740994'],
    ['a NaN double', { length: Number.NaN }, 'length: not a finite number: NaN'],
    ['an infinite double', { length: Number.POSITIVE_INFINITY }, 'length: not a finite number: Infinity'],
    ['a number where text belongs', { level: 3 }, 'level: expected text, got number'],
    ['a NaN partition value', { month: Number.NaN }, 'month: not a 32-bit integer: NaN'],
    ['an empty partition value', { year: '' }, 'year: missing partition value'],
  ])('refuses %s, naming the column', (_case, change, problem) => {
    expect(check({ ...PLAY, ...change })).toBe(problem);
  });

  it('whatever it passes, the Parquet writer can encode', () => {
    const values: unknown[] = [
      null,
      undefined,
      0,
      -1,
      1.5,
      2 ** 31,
      -(2 ** 31),
      2 ** 53,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '',
      'x',
      true,
      {},
    ];
    let passed = 0;
    for (const column of BASE_PLAYS.columns.filter((c) => c.name !== 'write_id')) {
      for (const value of values) {
        const row = { ...PLAY, [column.name]: value };
        if (check(row) !== undefined) continue;
        passed += 1;
        expect(
          () => encodeParquet(BASE_PLAYS, [row], { write_id: 'w' }),
          `${column.name} = ${String(value)}`,
        ).not.toThrow();
      }
    }
    expect(passed).toBeGreaterThan(BASE_PLAYS.columns.length);
  });
});
