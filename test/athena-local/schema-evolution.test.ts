/**
 * Issue 11 on Athena's engine: a column added at the end of a table reads as NULL, on Trino, in the
 * Parquet files written before it (the Hive connector maps Parquet columns by name), next to files
 * that have it, and the analyst views over that table still answer; DuckDB agrees
 * (test/local/schema-evolution.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markLakeFolder } from '../../src/local/lake-folder.js';
import { tempDir } from '../support/paths.js';
import { EVOLVED_SONGS, writeLakeWithAnAddedColumn } from '../support/schema-evolution-lake.js';
import { expectSameAnswer } from './parity.js';
import { localAthena, queryEngine } from './support.js';

const lake = tempDir('athena-schema-evolution');
afterAll(() => lake.cleanup());

beforeAll(async () => {
  localAthena();
  writeLakeWithAnAddedColumn(lake.path);
  await markLakeFolder(lake.path, 'ingest');
});

describe('a column added at the end of a table, on Trino', () => {
  it('reads as NULL in a file written before it, and with its value in a file written after', async () => {
    const sql = 'SELECT song_id, rescued_data, title, year FROM base_songs ORDER BY song_id';
    expect(await queryEngine('trino', lake.path, sql)).toEqual(EVOLVED_SONGS);
    await expectSameAnswer(lake.path, sql);
  });

  it('the views over the table answer for both files, as on DuckDB', async () => {
    expect(await expectSameAnswer(lake.path, 'SELECT song_id, title FROM songs ORDER BY song_id')).toEqual([
      { song_id: 'SONEW', title: 'Title SONEW' },
      { song_id: 'SOOLD', title: 'Title SOOLD' },
    ]);
  });
});
