import { describe, expect, it } from 'vitest';
import { timePartsOf } from '../../src/domain/time-parts.js';
import { duckdbRows } from '../support/duckdb.js';

describe('timePartsOf', () => {
  it('numbers weekdays 1 = Sunday ... 7 = Saturday and uses UTC', () => {
    expect(timePartsOf(Date.UTC(2018, 10, 4, 23, 30))).toMatchObject({ weekday: 1, hour: 23, day: 4 }); // a Sunday
    expect(timePartsOf(Date.UTC(2018, 10, 10, 0, 0))).toMatchObject({ weekday: 7, hour: 0, day: 10 }); // a Saturday
  });

  it('uses ISO-8601 weeks across year boundaries', () => {
    expect(timePartsOf(Date.UTC(2018, 11, 31)).week).toBe(1); // Monday, in week 1 of 2019
    expect(timePartsOf(Date.UTC(2021, 0, 3)).week).toBe(53); // Sunday, in week 53 of 2020
    expect(timePartsOf(Date.UTC(2020, 11, 31)).week).toBe(53);
    expect(timePartsOf(Date.UTC(2024, 11, 30)).week).toBe(1);
  });

  it('agrees with DuckDB on every hour of six years', async () => {
    const start = Date.UTC(2017, 11, 25);
    const hours = 6 * 366 * 24;
    const expected = await duckdbRows(`
      SELECT epoch_ms(ts)::DOUBLE AS ms, hour(ts)::INTEGER AS hour, day(ts)::INTEGER AS day, week(ts)::INTEGER AS week,
             month(ts)::INTEGER AS month, year(ts)::INTEGER AS year, (dayofweek(ts) + 1)::INTEGER AS weekday
      FROM (SELECT make_timestamp(${start}::BIGINT * 1000 + i * 3600000000 + 1234000) AS ts FROM range(${hours}) t(i))
      ORDER BY ms`);
    expect(expected).toHaveLength(hours);
    const mismatches = expected.filter((row) => {
      const parts = timePartsOf(Number(row.ms));
      return (
        parts.hour !== row.hour ||
        parts.day !== row.day ||
        parts.week !== row.week ||
        parts.month !== row.month ||
        parts.year !== row.year ||
        parts.weekday !== row.weekday
      );
    });
    expect(mismatches).toEqual([]);
  });
});
