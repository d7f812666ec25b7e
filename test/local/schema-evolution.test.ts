/**
 * Issue 11: a column added at the end of a table reads as NULL in the Parquet files written before
 * it, next to files that have it, through the same DuckDB views `sparkify-lake query` uses
 * (read_parquet with union_by_name). Athena's Hive connector reads Parquet by column name too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SongRow } from '../../src/domain/rows.js';
import { BASE_SONGS, BASE_SOURCES, type BaseTable } from '../../src/domain/tables.js';
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
    const before: BaseTable = {
      ...BASE_SONGS,
      columns: BASE_SONGS.columns.filter((column) => column.name !== 'rescued_data'),
    };
    expect(BASE_SONGS.columns.at(-1)?.name).toBe('rescued_data');
    const oldWrite = '20181101T000000000Z-000000000001';
    const newWrite = '20181102T000000000Z-000000000002';
    writeFileSync(
      join(folder, `part-${oldWrite}.parquet`),
      encodeParquet(before, [song('SOOLD', null)], { write_id: oldWrite }),
    );
    writeFileSync(
      join(folder, `part-${newWrite}.parquet`),
      encodeParquet(BASE_SONGS, [song('SONEW', '{"tempo":120.50}')], { write_id: newWrite }),
    );
    // Each file's ledger row, which makes its rows current.
    const ledger = join(lake, 'base_sources', 'source=song_data');
    mkdirSync(ledger, { recursive: true });
    for (const [id, write] of [
      ['SOOLD', oldWrite],
      ['SONEW', newWrite],
    ] as const) {
      const row = {
        source_key: `song_data/A/B/C/${id}.json`,
        seq: '1'.padEnd(32, '0'),
        status: 'present',
        content_sha256: null,
        bytes: null,
        rows: 1,
        partitions: '["base_songs/2001"]',
        format_version: 2,
        source: 'song_data',
      };
      writeFileSync(join(ledger, `part-${write}.parquet`), encodeParquet(BASE_SOURCES, [row], { write_id: write }));
    }

    const result = await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
      sql.query(`SELECT song_id, rescued_data, title, year FROM base_songs ORDER BY song_id`),
    );
    expect(result.rows).toEqual([
      ['SONEW', '{"tempo":120.50}', 'Title SONEW', 2001],
      ['SOOLD', null, 'Title SOOLD', 2001],
    ]);
    // The analyst views over the base table still answer for both files.
    const songs = await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
      sql.query(`SELECT count(*) AS n FROM songs`),
    );
    expect(songs.rows).toEqual([[2]]);
  });
});
