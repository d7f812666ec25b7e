/**
 * The bundled sample, ingested end to end through the worker code, must give every figure of the
 * table contract (shared/semantics.md, copied into docs/TABLES.md) — read back through the
 * `sparkify-lake query` command and, independently, straight from the Parquet files with DuckDB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder, type IngestSummary } from '../../src/local/ingest.js';
import { queryLake } from '../support/cli.js';
import { duckdbRows } from '../support/duckdb.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const lake = tempDir('figures');
let summary: IngestSummary;

beforeAll(async () => {
  summary = await ingestFolder(SAMPLE_DIR, lake.path);
});
afterAll(() => lake.cleanup());

async function one(sql: string): Promise<Record<string, unknown>> {
  const rows = await queryLake(lake.path, sql);
  expect(rows).toHaveLength(1);
  return rows[0] as Record<string, unknown>;
}

describe('ingest of the sample', () => {
  it('processes all 101 files, reads 8,056 events of which 6,820 NextSong, and sets nothing aside', () => {
    expect(summary.files).toBe(101);
    expect(summary.byStatus).toEqual({ processed: 101, rejected: 0, unchanged: 0, removed: 0, ignored: 0 });
    expect(summary.logEvents).toEqual({ all: 8056, nextSong: 6820 });
    expect(summary.rowsWritten).toEqual({ base_songs: 71, base_plays: 6820, base_user_latest: userFilePairs() });
    expect(summary.rejects).toEqual([]);
    expect(summary.failures).toEqual([]);
  });
});

/** base_user_latest holds one row per user and log file: counted here from the raw files. */
function userFilePairs(): number {
  const folder = join(SAMPLE_DIR, 'log_data/2018/11');
  let pairs = 0;
  for (const name of readdirSync(folder)) {
    const users = new Set<unknown>();
    for (const line of readFileSync(join(folder, name), 'utf8').split('\n')) {
      const event = JSON.parse(line) as { page?: string; userId?: unknown };
      if (event.page === 'NextSong') users.add(event.userId);
    }
    pairs += users.size;
  }
  return pairs;
}

describe('contract figures through `sparkify-lake query`', () => {
  it('songs: 71 rows, 43 with year 0', async () => {
    expect(
      await one(
        `SELECT count(*) AS n, count(*) FILTER (WHERE year = 0) AS unknown_year, count(DISTINCT song_id) AS ids FROM songs`,
      ),
    ).toEqual({ n: 71, unknown_year: 43, ids: 71 });
  });

  it('artists: 69 rows, 31 with latitude', async () => {
    expect(
      await one(
        `SELECT count(*) AS n, count(latitude) AS with_latitude, count(DISTINCT artist_id) AS ids FROM artists`,
      ),
    ).toEqual({ n: 69, with_latitude: 31, ids: 69 });
  });

  it('users: 96 rows, 22 paid, 74 free (latest level wins)', async () => {
    expect(
      await one(
        `SELECT count(*) AS n, count(*) FILTER (WHERE level = 'paid') AS paid, count(*) FILTER (WHERE level = 'free') AS free, count(DISTINCT user_id) AS ids FROM users`,
      ),
    ).toEqual({ n: 96, paid: 22, free: 74, ids: 96 });
  });

  it('time: 6,813 rows with the contract sums of hour, day, week and weekday', async () => {
    expect(
      await one(
        `SELECT count(*) AS n, count(DISTINCT start_time) AS distinct_times, sum(hour) AS hours, sum(day) AS days, sum(week) AS weeks, sum(weekday) AS weekdays FROM "time"`,
      ),
    ).toEqual({ n: 6813, distinct_times: 6813, hours: 91815, days: 117546, weeks: 315992, weekdays: 28486 });
  });

  it('songplays: 6,820 rows, sums of session_id and user_id, 5,591 paid, 6,813 distinct start times', async () => {
    expect(
      await one(`SELECT count(*) AS n, count(DISTINCT songplay_id) AS ids, sum(session_id) AS sessions, sum(user_id) AS users,
                        count(*) FILTER (WHERE level = 'paid') AS paid, count(DISTINCT start_time) AS distinct_times FROM songplays`),
    ).toEqual({ n: 6820, ids: 6820, sessions: 4086420, users: 372926, paid: 5591, distinct_times: 6813 });
  });

  it('songplays: exactly one play found its song — Elena, "Setanta matins", 2018-11-21 21:56:47.796 UTC', async () => {
    const rows = await queryLake(
      lake.path,
      `SELECT sp.start_time, s.title, a.name, sp.song_id, sp.artist_id FROM songplays sp
       JOIN songs s ON s.song_id = sp.song_id JOIN artists a ON a.artist_id = sp.artist_id`,
    );
    expect(rows).toEqual([
      {
        start_time: '2018-11-21 21:56:47.796',
        title: 'Setanta matins',
        name: 'Elena',
        song_id: 'SOZCTXZ12AB0182364',
        artist_id: 'AR5KOSW1187FB35FF4',
      },
    ]);
    expect(await one(`SELECT count(song_id) AS matched, count(artist_id) AS with_artist FROM songplays`)).toEqual({
      matched: 1,
      with_artist: 1,
    });
  });

  it('songplays and time: one partition, year=2018 month=11, spanning the NextSong time range', async () => {
    expect(await queryLake(lake.path, `SELECT DISTINCT year, month FROM songplays`)).toEqual([
      { year: 2018, month: 11 },
    ]);
    expect(await queryLake(lake.path, `SELECT DISTINCT year, month FROM "time"`)).toEqual([{ year: 2018, month: 11 }]);
    // The contract's range starts at 20:57:10.796, the first event of any page (a Home page view);
    // the first NextSong event, and so the first songplay, is at 21:01:46.796 (docs/TABLES.md).
    expect(await one(`SELECT min(start_time) AS first, max(start_time) AS last FROM songplays`)).toEqual({
      first: '2018-11-01 21:01:46.796',
      last: '2018-11-30 19:54:24.796',
    });
  });

  it('the first event of any page is at 2018-11-01 20:57:10.796 (the contract range start)', async () => {
    const [first] = await duckdbRows(
      `SELECT min(make_timestamp(ts * 1000))::VARCHAR AS first, max(make_timestamp(ts * 1000))::VARCHAR AS last
       FROM read_json('${join(SAMPLE_DIR, 'log_data')}/**/*.json', format = 'newline_delimited', columns = {ts: 'BIGINT'})`,
    );
    expect(first).toEqual({ first: '2018-11-01 20:57:10.796', last: '2018-11-30 19:54:24.796' });
  });
});

describe('contract figures straight from the Parquet files', () => {
  const plays = () => `read_parquet('${lake.path}/base_plays/**/*.parquet', hive_partitioning = true)`;
  const songs = () => `read_parquet('${lake.path}/base_songs/**/*.parquet', hive_partitioning = true)`;

  it('base_plays holds the 6,820 plays with the contract sums, in one partition', async () => {
    expect(
      await duckdbRows(`SELECT count(*)::INTEGER AS n, sum(session_id)::INTEGER AS sessions, sum(user_id)::INTEGER AS users,
                               (count(*) FILTER (WHERE level = 'paid'))::INTEGER AS paid, count(DISTINCT start_time)::INTEGER AS times,
                               min(year)::INTEGER AS year, min(month)::INTEGER AS month, count(DISTINCT (year, month))::INTEGER AS partitions
                        FROM ${plays()}`),
    ).toEqual([
      { n: 6820, sessions: 4086420, users: 372926, paid: 5591, times: 6813, year: 2018, month: 11, partitions: 1 },
    ]);
  });

  it('base_plays time parts give the contract sums over distinct start times', async () => {
    expect(
      await duckdbRows(`SELECT sum(hour)::INTEGER AS h, sum(day)::INTEGER AS d, sum(week)::INTEGER AS w, sum(weekday)::INTEGER AS wd
                        FROM (SELECT DISTINCT start_time, hour, day, week, weekday FROM ${plays()})`),
    ).toEqual([{ h: 91815, d: 117546, w: 315992, wd: 28486 }]);
  });

  it('base_songs holds 71 songs, 43 of them in partition year=0, by 69 artists of which 31 have a latitude', async () => {
    expect(
      await duckdbRows(`SELECT count(*)::INTEGER AS n, (count(*) FILTER (WHERE year = 0))::INTEGER AS unknown_year,
                               count(DISTINCT artist_id)::INTEGER AS artists,
                               count(DISTINCT artist_id) FILTER (WHERE artist_latitude IS NOT NULL)::INTEGER AS with_latitude
                        FROM ${songs()}`),
    ).toEqual([{ n: 71, unknown_year: 43, artists: 69, with_latitude: 31 }]);
  });
});
