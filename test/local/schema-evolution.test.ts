/**
 * Issue 11: a column added at the end of a table reads as NULL in the Parquet files written before
 * it, next to files that have it, through the same DuckDB views `sparkify-lake query` uses
 * (read_parquet with union_by_name). Athena's Hive connector reads Parquet by column name too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { withLakeSql } from '../../src/local/lake-sql.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { tempDir } from '../support/paths.js';
import { EVOLVED_SONGS, writeLakeWithAnAddedColumn } from '../support/schema-evolution-lake.js';

const dirs = tempDir('schema-evolution');
afterAll(() => dirs.cleanup());

describe('a column added at the end of a table', () => {
  it('reads as NULL in a file written before it, and with its value in a file written after', async () => {
    const lake = dirs.path;
    writeLakeWithAnAddedColumn(lake);

    const result = await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
      sql.query(`SELECT song_id, rescued_data, title, year FROM base_songs ORDER BY song_id`),
    );
    expect(result.rows).toEqual(EVOLVED_SONGS.map((row) => [row.song_id, row.rescued_data, row.title, row.year]));
    // The analyst views over the base table still answer for both files.
    const songs = await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
      sql.query(`SELECT count(*) AS n FROM songs`),
    );
    expect(songs.rows).toEqual([[2]]);
  });
});
