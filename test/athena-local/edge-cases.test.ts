/**
 * The contract's rules at the edges (shared/semantics.md, "Rules" and "Bad input"; issue 10) on
 * Athena's engine: a small hand-made lake, landed in an order that puts the winning copies last,
 * answers every analyst table the same on Trino as on DuckDB, before and after compaction, and
 * the figures the contract decides hold on Trino. test/local/edge-cases.test.ts proves the same
 * rules case by case on DuckDB; this proves the deployed view SQL gives them on Trino too.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder } from '../../src/local/ingest.js';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { runCli } from '../support/cli.js';
import { eventLine, songFile } from '../support/landing-records.js';
import { tempDir } from '../support/paths.js';
import { expectSameAnswer } from './parity.js';
import { localAthena, queryEngine } from './support.js';

const dirs = tempDir('athena-edges');
const input = join(dirs.path, 'input');
const lake = join(dirs.path, 'lake');
afterAll(() => dirs.cleanup());

const song = songFile;
/** Every play names the song of the winning copy unless it says otherwise. */
const event = (fields: Record<string, unknown>): string =>
  eventLine({ artist: 'Band', length: 200.5, song: 'Winner', ...fields });

function land(files: Record<string, string | Buffer>): void {
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(dirname(join(input, key)), { recursive: true });
    writeFileSync(join(input, key), body);
  }
}

/** One song_id in two files: TRB (the greater key, landed first) loses to TRA, landed last. */
const LOSING_COPY = {
  'song_data/B/B/B/TRB.json': song({
    song_id: 'S1',
    title: 'Loser',
    artist_id: 'AR2',
    artist_name: 'Other',
    duration: 99,
  }),
};
const WINNING_COPY = {
  'song_data/A/A/A/TRA.json': song({
    song_id: 'S1',
    title: 'Winner',
    artist_id: 'AR1',
    artist_name: 'Band',
    duration: 200.5,
  }),
};

const DAY_2 = 'log_data/2018/11/2018-11-02-events.json';
const DAY_1 = 'log_data/2018/11/2018-11-01-events.json';
const DAY_3 = 'log_data/2018/11/2018-11-03-events.json';

beforeAll(async () => {
  localAthena();
  // Day 2 lands first and holds the later copy of a duplicated event, with level paid.
  land({
    ...LOSING_COPY,
    [DAY_2]: [
      event({ itemInSession: 1, level: 'paid' }), // the same identity as day 1's first line
      event({ itemInSession: 1, ts: 1541106106797 }), // same first three, another ts: another event
      event({ itemInSession: 2, ts: 946684799999 }), // 1999-12-31: usable
      event({ itemInSession: 3, ts: 1541106106 }), // seconds by mistake: a bad record
      '{"page":"Home","page":"NextSong","userId":"7"}', // a duplicated key: a bad record
      // A JSON number beyond 2^53 in a text column keeps every digit (written as raw text: a JS number would not).
      event({ itemInSession: 4, ts: 1541106106800, song: 'BIG' }).replace('"BIG"', '12345678901234567890'),
      event({ itemInSession: 5, ts: 1541106106801, length: 'long' }), // a bad non-key field: NULL, kept
    ].join('\n'),
  });
  expect((await ingestFolder(input, lake)).failures).toEqual([]);
  land({
    ...WINNING_COPY,
    [DAY_1]: `${event({ itemInSession: 1 })}\n${event({ userId: '007', itemInSession: 9, ts: 1541106106900 })}`,
    [DAY_3]: Buffer.concat([
      Buffer.from(`${event({ itemInSession: 6, ts: 1541200000000 })}\n`),
      Buffer.from([0xff, 0x0a]),
    ]),
  });
  expect((await ingestFolder(input, lake)).failures).toEqual([]);
});

const TABLES = [
  'SELECT * FROM songplays',
  'SELECT * FROM users',
  'SELECT * FROM songs',
  'SELECT * FROM artists',
  'SELECT * FROM "time"',
  'SELECT source, source_key, line, field FROM rejects',
];

describe('the edge cases give the same tables on Trino and DuckDB', () => {
  it.each(TABLES)('%s', async (sql) => {
    expect((await expectSameAnswer(lake, sql)).length).toBeGreaterThan(0);
  });
});

describe('query --engine trino prints what --engine duckdb prints', () => {
  it.each(['table', 'csv', 'json'])('--format %s', async (format) => {
    const sql = 'SELECT songplay_id, user_id, level, start_time, song_id FROM songplays ORDER BY songplay_id';
    const trino = await runCli('query', '--engine', 'trino', '--lake', lake, '--format', format, sql);
    const duckdb = await runCli('query', '--engine', 'duckdb', '--lake', lake, '--format', format, sql);
    expect([trino.code, trino.err]).toEqual([0, '']);
    expect(trino.out.split('\n').length).toBeGreaterThan(5);
    expect(trino.out).toBe(duckdb.out);
  });
});

describe('the contract decides them, on Trino', () => {
  const trino = (sql: string) => queryEngine('trino', lake, sql);

  it('one song_id in two files: the smallest source key wins, for songs, artists and the matching alike', async () => {
    expect(await trino('SELECT song_id, title, artist_id FROM songs')).toEqual([
      { song_id: 'S1', title: 'Winner', artist_id: 'AR1' },
    ]);
    expect(await trino('SELECT artist_id, name FROM artists')).toEqual([{ artist_id: 'AR1', name: 'Band' }]);
    expect(await trino("SELECT count(*) AS n FROM songplays WHERE song_id = 'S1'")).toEqual([{ n: 5 }]);
  });

  it('one event identity twice is one play, from the smallest (source key, line); another ts is another play', async () => {
    expect(
      await trino("SELECT songplay_id, level FROM songplays WHERE songplay_id LIKE '7-100-1-%' ORDER BY songplay_id"),
    ).toEqual([
      { songplay_id: '7-100-1-1541106106796', level: 'free' },
      { songplay_id: '7-100-1-1541106106797', level: 'free' },
    ]);
  });

  it('"007" is user 7; users and time follow the de-duplicated plays', async () => {
    expect(await trino('SELECT user_id, level FROM users')).toEqual([{ user_id: 7, level: 'free' }]);
    expect(await trino('SELECT count(*) AS n FROM "time"')).toEqual(
      await trino('SELECT count(DISTINCT start_time) AS n FROM songplays'),
    );
  });

  it('text keeps the exact token; a ts outside 1990-2100, a duplicated key and invalid UTF-8 are set aside', async () => {
    expect(await trino("SELECT count(*) AS n FROM songplays WHERE songplay_id LIKE '7-100-4-%'")).toEqual([{ n: 1 }]);
    expect(await trino("SELECT song FROM base_plays WHERE songplay_id LIKE '7-100-4-%'")).toEqual([
      { song: '12345678901234567890' },
    ]);
    expect(await trino('SELECT source_key, line, field FROM rejects ORDER BY source_key, line, field')).toEqual([
      { source_key: DAY_2, line: 4, field: null },
      { source_key: DAY_2, line: 5, field: null },
      { source_key: DAY_2, line: 7, field: 'length' },
      { source_key: DAY_3, line: 2, field: null },
    ]);
  });

  it('after compaction, and after a file is removed (ingest --mirror), Trino and DuckDB still agree', async () => {
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    for (const sql of TABLES) await expectSameAnswer(lake, sql);
    rmSync(join(input, DAY_1));
    rmSync(join(input, 'song_data/A/A/A/TRA.json'));
    expect((await ingestFolder(input, lake, { mirror: true })).removed).toEqual([DAY_1, 'song_data/A/A/A/TRA.json']);
    for (const sql of TABLES) await expectSameAnswer(lake, sql);
    // The losing copy is the only one left: it wins now, and day 1's plays are gone.
    expect(await trino('SELECT title FROM songs')).toEqual([{ title: 'Loser' }]);
    expect(await trino("SELECT level FROM songplays WHERE songplay_id = '7-100-1-1541106106796'")).toEqual([
      { level: 'paid' },
    ]);
  });
});
