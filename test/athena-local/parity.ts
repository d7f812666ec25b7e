/**
 * The checks that Trino (through the local Athena) and DuckDB give the same answers over one lake
 * folder, shared by the sample and the generated dataset: every contract figure, every named query
 * of the synthesized stack, and filters that Parquet statistics and dictionaries can answer.
 */
import { expect } from 'vitest';
import type { NamedQuery } from '../../src/athena-local/template-catalog.js';
import { bothEngines, queryEngine, rowSet, type Row } from './support.js';

/** Same rows; in the same order when the query orders them (a UNION ALL alone does not). */
export function expectSameRows(trino: readonly Row[], duckdb: readonly Row[], sql: string): void {
  if (/ORDER BY[^)]*$/i.test(sql)) expect(trino, sql).toEqual(duckdb);
  else expect(rowSet(trino), sql).toEqual(rowSet(duckdb));
}

export async function expectSameAnswer(lakeDir: string, sql: string): Promise<Row[]> {
  const { trino, duckdb } = await bothEngines(lakeDir, sql);
  expectSameRows(trino, duckdb, sql);
  return trino;
}

export async function expectNamedQueryParity(lakeDir: string, query: NamedQuery): Promise<Row[]> {
  return expectSameAnswer(lakeDir, query.sql);
}

/** A filter, and the same filter applied in JavaScript to the unfiltered rows. */
export interface Predicate {
  readonly name: string;
  readonly where: string;
  readonly keep: (row: Row) => boolean;
}

export function predicatesFor(sample: { songplayId: string; from: string; to: string }): Predicate[] {
  return [
    {
      name: 'songplay_id = (statistics and dictionary of a unique column)',
      where: `songplay_id = '${sample.songplayId}'`,
      keep: (r) => r.songplay_id === sample.songplayId,
    },
    { name: "level = 'paid' (dictionary-encoded column)", where: `level = 'paid'`, keep: (r) => r.level === 'paid' },
    {
      name: 'start_time BETWEEN (row group and page statistics)',
      where: `start_time BETWEEN TIMESTAMP '${sample.from}' AND TIMESTAMP '${sample.to}'`,
      keep: (r) => String(r.start_time) >= sample.from && String(r.start_time) <= sample.to,
    },
    {
      name: 'year = 2018 AND month = 11 (partition pruning)',
      where: `year = 2018 AND month = 11`,
      keep: (r) => r.year === 2018 && r.month === 11,
    },
  ];
}

const PLAY_COLUMNS = 'songplay_id, start_time, user_id, level, session_id, year, month';

/**
 * For songplays and base_plays: the filtered query returns exactly the rows of the unfiltered one
 * that match, on Trino, and the same rows as DuckDB.
 */
export async function expectPredicatesKeepRows(
  lakeDir: string,
  table: 'songplays' | 'base_plays',
  predicates: readonly Predicate[],
): Promise<void> {
  const all = await queryEngine('trino', lakeDir, `SELECT ${PLAY_COLUMNS} FROM ${table}`);
  expect(all.length).toBeGreaterThan(0);
  for (const predicate of predicates) {
    const sql = `SELECT ${PLAY_COLUMNS} FROM ${table} WHERE ${predicate.where}`;
    const { trino, duckdb } = await bothEngines(lakeDir, sql);
    const expected = rowSet(all.filter(predicate.keep));
    expect(expected.length, `${predicate.name} keeps some rows`).toBeGreaterThan(0);
    expect(rowSet(trino), `${table}: ${predicate.name}`).toEqual(expected);
    expect(rowSet(duckdb), `${table} on DuckDB: ${predicate.name}`).toEqual(expected);
  }
}
