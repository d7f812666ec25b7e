/**
 * Issue 11: a column added at the end of a table reads as NULL in the Parquet files written before
 * it, next to files that have it, through the same DuckDB views `sparkify-lake query` uses
 * (read_parquet with union_by_name). Athena's Hive connector reads Parquet by column name too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SongRow } from '../../src/domain/rows.js';
import { BASE_SONGS, type BaseTable } from '../../src/domain/tables.js';
import { withLakeSql } from '../../src/local/lake-sql.js';
import { encodeParquet } from '../../src/parquet/writer.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { tempDir } from '../support/paths.js';

const dirs = tempDir('schema-evolution');
afterAll(() => dirs.cleanup());

const song = (id: string, rescued: string | null): SongRow => ({
  song_id: id,
  title: `Title ${id}`,
  artist_id: 'AR1',
  artist_name: 'Artist',
  artist_location: '',
  artist_latitude: null,
  artist_longitude: null,
  duration: 200.5,
  num_songs: 1,
  source_key: `song_data/A/B/C/${id}.json`,
  rescued_data: rescued,
  year: 2001,
});

describe('a column added at the end of a table', () => {
  it('reads as NULL in a file written before it, and with its value in a file written after', async () => {
    const lake = dirs.path;
    const folder = join(lake, 'base_songs', 'year=2001');
    mkdirSync(folder, { recursive: true });
    // The table as released before rescued_data: the same columns without the last one.
    const before: BaseTable = { ...BASE_SONGS, columns: BASE_SONGS.columns.filter((column) => column.name !== 'rescued_data') };
    expect(BASE_SONGS.columns.at(-1)?.name).toBe('rescued_data');
    writeFileSync(join(folder, 'old.parquet'), encodeParquet(before, [song('SOOLD', null)]));
    writeFileSync(join(folder, 'new.parquet'), encodeParquet(BASE_SONGS, [song('SONEW', '{"tempo":120.50}')]));

    const result = await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
      sql.query(`SELECT song_id, rescued_data, title, year FROM base_songs ORDER BY song_id`),
    );
    expect(result.rows).toEqual([
      ['SONEW', '{"tempo":120.50}', 'Title SONEW', 2001],
      ['SOOLD', null, 'Title SOOLD', 2001],
    ]);
    // The analyst views over the base table still answer for both files.
    const songs = await withLakeSql(lake, new FsObjectStore(lake), (sql) => sql.query(`SELECT count(*) AS n FROM songs`));
    expect(songs.rows).toEqual([[2]]);
  });
});
