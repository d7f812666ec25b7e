/**
 * A lake in which base_songs has a file written before a column was added (rescued_data, the last
 * column) and a file written after it, each made current by its ledger row: what issue 11's
 * schema-evolution procedure must read correctly, on DuckDB and on Trino.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SongRow } from '../../src/domain/rows.js';
import { BASE_SONGS, BASE_SOURCES, type BaseTable } from '../../src/domain/tables.js';
import { encodeParquet } from '../../src/parquet/writer.js';

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

/** What base_songs must read back: the old file's rescued_data NULL, the new file's kept. */
export const EVOLVED_SONGS = [
  { song_id: 'SONEW', rescued_data: '{"tempo":120.50}', title: 'Title SONEW', year: 2001 },
  { song_id: 'SOOLD', rescued_data: null, title: 'Title SOOLD', year: 2001 },
];

export function writeLakeWithAnAddedColumn(lake: string): void {
  const folder = join(lake, 'base_songs', 'year=2001');
  mkdirSync(folder, { recursive: true });
  // The table as released before rescued_data: the same columns without the last one.
  const before: BaseTable = {
    ...BASE_SONGS,
    columns: BASE_SONGS.columns.filter((column) => column.name !== 'rescued_data'),
  };
  if (BASE_SONGS.columns.at(-1)?.name !== 'rescued_data')
    throw new Error('rescued_data is no longer the last column of base_songs');
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
}
