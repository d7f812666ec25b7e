/**
 * What the lake's Parquet files must be, checked on the files themselves: declared (not inferred)
 * physical and logical types, a real codec, one row group per file of this size, and min/max
 * statistics that are true bounds in Parquet's unsigned-byte order (Athena skips row groups by
 * them, so a wrong bound silently drops rows from a filtered query).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_PLAYS, BASE_SONGS, BASE_SOURCES, type ColumnType } from '../../src/domain/tables.js';
import type { PlayRow, SongRow, SourceRow } from '../../src/domain/rows.js';
import { decodeColumns } from '../../src/parquet/reader.js';
import { encodeColumns, encodeParquet } from '../../src/parquet/writer.js';
import { duckdbRows, type Row } from '../support/duckdb.js';
import { tempDir } from '../support/paths.js';

// Written out independently of src/parquet/writer.ts: what Athena needs for each Glue type.
const EXPECTED_PHYSICAL: Record<ColumnType, { type: string; converted_type: string | null; duckdb: string }> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', duckdb: 'VARCHAR' },
  int: { type: 'INT32', converted_type: null, duckdb: 'INTEGER' },
  bigint: { type: 'INT64', converted_type: null, duckdb: 'BIGINT' },
  double: { type: 'DOUBLE', converted_type: null, duckdb: 'DOUBLE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', duckdb: 'TIMESTAMP' },
};

// Titles whose UTF-16 order differs from their UTF-8 byte order: astral-plane characters (emoji,
// rare CJK) sort after U+FFFD in bytes but before it in UTF-16 code units.
const TRICKY_TITLES = [
  '😀 Emoji first',
  '𠜎 rare CJK',
  '\uFFFD replacement',
  'Ωmega',
  'Zürich',
  'ascii',
  '',
  '  spaced  ',
  '🎸🎸🎸 longer than sixteen bytes for truncation',
];

function songRows(count: number): SongRow[] {
  return Array.from({ length: count }, (_, i) => ({
    song_id: `SO${String(i).padStart(8, '0')}`,
    title: i % 97 === 0 ? null : (TRICKY_TITLES[i % TRICKY_TITLES.length] as string) + (i % 5 === 0 ? '' : ` ${i}`),
    artist_id: `AR${i % 13}`,
    artist_name: `Artist ${i % 13}`,
    artist_location: i % 3 === 0 ? null : 'Köln',
    artist_latitude: i % 4 === 0 ? null : -45 + (i % 90),
    artist_longitude: i % 4 === 0 ? null : -170.25 + i / 100,
    duration: 100 + i / 7,
    num_songs: 1,
    source_key: `song_data/A/B/C/TR${i}.json`,
    rescued_data: i % 11 === 0 ? `{"extra":${i}}` : null,
    year: 2000,
  }));
}

function playRows(count: number): PlayRow[] {
  const start = Date.UTC(2018, 10, 1, 0, 0, 0, 796);
  return Array.from({ length: count }, (_, i) => ({
    songplay_id: `${i % 100}-${i}-${i % 7}`,
    start_time: start + i * 61_001,
    user_id: i % 100,
    level: i % 3 ? 'paid' : 'free',
    session_id: 2_000_000_000 + i,
    item_in_session: i % 7,
    location: null,
    user_agent: 'Mozilla/5.0',
    first_name: 'Ann',
    last_name: 'Lee',
    gender: 'F',
    song: i % 2 ? null : `Song ${i}`,
    artist: null,
    length: i % 2 ? null : 200.5,
    hour: 1,
    day: 1,
    week: 44,
    weekday: 5,
    source_key: 'log_data/2018/11/x.json',
    source_line: i + 1,
    rescued_data: null,
    year: 2018,
    month: 11,
  }));
}

function ledgerRows(count: number): SourceRow[] {
  return Array.from({ length: count }, (_, i) => ({
    source_key: `song_data/A/B/C/TR${i}.json`,
    seq: `00000000000000${String(i).padStart(4, '0')}`.padEnd(32, '0'),
    write_id: 'constant',
    status: i % 10 === 0 ? 'removed' : 'present',
    content_sha256: i % 10 === 0 ? null : 'ab'.repeat(32),
    // Beyond 2^32: a file size needs INT64.
    bytes: i % 10 === 0 ? null : 5_000_000_000 + i,
    rows: 1,
    partitions: '["base_songs/2000"]',
    format_version: 2,
    source: 'song_data',
  }));
}

const dir = tempDir('parquet');
const songsFile = join(dir.path, 'songs.parquet');
const playsFile = join(dir.path, 'plays.parquet');
const sourcesFile = join(dir.path, 'sources.parquet');
const SONG_COUNT = 5_000;
const PLAY_COUNT = 20_000;
const SOURCE_COUNT = 1_000;
const WRITE_ID = '20181121T215647796Z-0123456789ab';
let songs: SongRow[];

beforeAll(() => {
  songs = songRows(SONG_COUNT);
  writeFileSync(songsFile, encodeParquet(BASE_SONGS, songs, { write_id: WRITE_ID }));
  writeFileSync(playsFile, encodeParquet(BASE_PLAYS, playRows(PLAY_COUNT), { write_id: WRITE_ID }));
  writeFileSync(sourcesFile, encodeParquet(BASE_SOURCES, ledgerRows(SOURCE_COUNT), { write_id: WRITE_ID }));
});
afterAll(() => dir.cleanup());

describe.each([
  ['base_songs', BASE_SONGS, () => songsFile, SONG_COUNT],
  ['base_plays', BASE_PLAYS, () => playsFile, PLAY_COUNT],
  ['base_sources', BASE_SOURCES, () => sourcesFile, SOURCE_COUNT],
] as const)('%s file', (_name, table, file, rowCount) => {
  it('declares every schema column, in order, with the physical and logical type Athena expects', async () => {
    const schema = await duckdbRows(
      `SELECT name, type, converted_type, logical_type, repetition_type FROM parquet_schema('${file()}') WHERE name <> 'root' AND num_children IS NULL`,
    );
    expect(schema.map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
    for (const column of table.columns) {
      const written = schema.find((c) => c.name === column.name) as Row;
      const expected = EXPECTED_PHYSICAL[column.type];
      expect({ column: column.name, type: written.type, converted_type: written.converted_type }).toEqual({
        column: column.name,
        type: expected.type,
        converted_type: expected.converted_type,
      });
      expect({ column: column.name, repetition: written.repetition_type }).toEqual({
        column: column.name,
        repetition: column.required ? 'REQUIRED' : 'OPTIONAL',
      });
      // UTC-adjusted timestamps read as "timestamp with time zone" in some engines: keep them naive.
      expect(String(written.logical_type ?? '')).not.toContain('isAdjustedToUTC=1');
    }
    const described = await duckdbRows(`DESCRIBE SELECT * FROM '${file()}'`);
    expect(described.map((c) => [c.column_name, c.column_type])).toEqual(
      table.columns.map((c) => [c.name, EXPECTED_PHYSICAL[c.type].duckdb]),
    );
  });

  it('compresses every column chunk with SNAPPY and keeps the whole file in one row group', async () => {
    const chunks = await duckdbRows(
      `SELECT DISTINCT row_group_id, compression, row_group_num_rows FROM parquet_metadata('${file()}')`,
    );
    expect(chunks).toEqual([{ row_group_id: '0', compression: 'SNAPPY', row_group_num_rows: String(rowCount) }]);
  });

  it('writes min/max statistics that bound every value in unsigned byte order, and none where the schema says so', async () => {
    const stats = await duckdbRows(
      `SELECT path_in_schema AS name, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${file()}')`,
    );
    const values = await duckdbRows(`SELECT * FROM '${file()}'`);
    const problems: string[] = [];
    for (const column of table.columns) {
      const stat = stats.find((s) => s.name === column.name) as Row;
      if (column.statistics === false) {
        expect([column.name, stat.stats_min_value, stat.stats_max_value]).toEqual([column.name, null, null]);
        continue;
      }
      const present = values.map((v) => v[column.name]).filter((v) => v !== null && v !== undefined);
      expect(Number(stat.stats_null_count)).toBe(values.length - present.length);
      if (present.length === 0 || stat.stats_min_value === null) continue;
      const compare = comparatorFor(column.type);
      for (const value of present) {
        if (compare(stat.stats_min_value, value) > 0)
          problems.push(`${column.name}: min ${String(stat.stats_min_value)} > ${String(value)}`);
        if (compare(stat.stats_max_value, value) < 0)
          problems.push(`${column.name}: max ${String(stat.stats_max_value)} < ${String(value)}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});

describe('constant and 64-bit columns', () => {
  it('writes the batch write id into every row, and 64-bit sizes exactly', async () => {
    const rows = await duckdbRows(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT write_id)::INTEGER AS ids, min(write_id) AS id, max(bytes)::VARCHAR AS biggest FROM '${sourcesFile}'`,
    );
    expect(rows).toEqual([
      { n: SOURCE_COUNT, ids: 1, id: WRITE_ID, biggest: String(5_000_000_000 + SOURCE_COUNT - 1) },
    ]);
  });
});

describe('columnar round trip (what compaction does)', () => {
  it('decodes a file into columns and encodes them back into a file with the same rows', async () => {
    const { columns, rowCount } = await decodeColumns(BASE_PLAYS, readFileSync(playsFile));
    expect(rowCount).toBe(PLAY_COUNT);
    expect(columns.start_time?.[0]).toBe(Date.UTC(2018, 10, 1, 0, 0, 0, 796));
    const again = join(dir.path, 'plays-again.parquet');
    writeFileSync(again, encodeColumns(BASE_PLAYS, columns, rowCount));
    const difference = await duckdbRows(
      `SELECT count(*)::INTEGER AS n FROM (SELECT * FROM '${playsFile}' EXCEPT ALL SELECT * FROM '${again}')`,
    );
    expect(difference).toEqual([{ n: 0 }]);
    expect(await duckdbRows(`SELECT count(*)::INTEGER AS n FROM '${again}'`)).toEqual([{ n: PLAY_COUNT }]);
  });

  it('reads a column an older file does not have as nulls', async () => {
    const older = { ...BASE_SOURCES, columns: BASE_SOURCES.columns.filter((column) => column.name !== 'partitions') };
    const file = join(dir.path, 'older-sources.parquet');
    writeFileSync(file, encodeParquet(older, ledgerRows(3), { write_id: WRITE_ID }));
    const { columns } = await decodeColumns(BASE_SOURCES, readFileSync(file));
    expect(columns.partitions).toEqual([null, null, null]);
    expect(columns.source_key).toEqual([
      'song_data/A/B/C/TR0.json',
      'song_data/A/B/C/TR1.json',
      'song_data/A/B/C/TR2.json',
    ]);
  });
});

describe('filtered reads that rely on statistics', () => {
  it.each(TRICKY_TITLES)('finds the rows titled %j', async (title) => {
    const expected = songs.filter((s) => s.title === title).length;
    expect(expected).toBeGreaterThan(0);
    const rows = await duckdbRows(
      `SELECT count(*)::INTEGER AS n FROM '${songsFile}' WHERE title = '${title.replaceAll("'", "''")}'`,
    );
    expect(rows[0]?.n).toBe(expected);
  });

  it('round-trips timestamps at millisecond precision and ints beyond 2^30', async () => {
    const rows = await duckdbRows(
      `SELECT epoch_ms(start_time)::DOUBLE AS ms, session_id FROM '${playsFile}' ORDER BY source_line LIMIT 2`,
    );
    expect(rows).toEqual([
      { ms: Date.UTC(2018, 10, 1, 0, 0, 0, 796), session_id: 2_000_000_000 },
      { ms: Date.UTC(2018, 10, 1, 0, 0, 0, 796) + 61_001, session_id: 2_000_000_001 },
    ]);
  });
});

function comparatorFor(type: ColumnType): (stat: unknown, value: unknown) => number {
  if (type === 'string')
    return (stat, value) => Buffer.compare(Buffer.from(String(stat), 'utf8'), Buffer.from(String(value), 'utf8'));
  const number = (text: unknown): number => {
    const parsed = type === 'timestamp' ? Date.parse(`${String(text).replace(' ', 'T')}Z`) : Number(text);
    if (Number.isNaN(parsed)) throw new Error(`cannot compare ${String(text)} as ${type}`);
    return parsed;
  };
  return (stat, value) => number(stat) - number(value);
}
