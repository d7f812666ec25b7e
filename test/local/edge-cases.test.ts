/**
 * G2, G4 and G11 (docs/ARCHITECTURE.md), on the local run.
 * The contract's rules at the edges (shared/semantics.md, "Rules"), on small hand-made inputs, in
 * arrival orders that put the winning copy last, and before and after compaction: one song_id in
 * several files gives one consistent star schema; one event identity in several places gives one
 * play, and users and time follow the same de-duplicated rows; a removed file leaves everything.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFolder } from '../../src/local/ingest.js';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { queryLake } from '../support/cli.js';
import { tableContents } from '../support/lake-snapshot.js';
import { eventLine, songFile } from '../support/landing-records.js';
import { tempDir } from '../support/paths.js';

const dirs = tempDir('edges');
afterAll(() => dirs.cleanup());
let lakes = 0;

type Files = Record<string, string>;

function writeFiles(root: string, files: Files): void {
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), text);
  }
}

/** Ingests the groups of files one after another (one ingest per group), into a fresh lake. */
async function lakeFrom(...groups: Files[]): Promise<string> {
  const id = ++lakes;
  const lake = join(dirs.path, `lake-${id}`);
  for (const [i, files] of groups.entries()) {
    const input = join(dirs.path, `input-${id}-${i}`);
    writeFiles(input, files);
    const summary = await ingestFolder(input, lake);
    expect(summary.failures).toEqual([]);
  }
  return lake;
}

async function compacted(lake: string): Promise<string> {
  await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
  await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
  return lake;
}

const song = songFile;
const event = eventLine;

// One song_id in two files. The copy in the smaller key (…/A/…) wins; the other copy names another
// artist, title and duration.
const WINNER = {
  'song_data/A/A/A/TRWIN.json': song({
    song_id: 'SODUP',
    title: 'Winner',
    artist_id: 'ARWIN',
    artist_name: 'Win Band',
    duration: 200.5,
  }),
};
const LOSER = {
  'song_data/B/B/B/TRLOSE.json': song({
    song_id: 'SODUP',
    title: 'Loser',
    artist_id: 'ARLOSE',
    artist_name: 'Lose Band',
    duration: 100.25,
  }),
};
const PLAYS_OF_BOTH = {
  'log_data/2018/11/2018-11-01-events.json': [
    event({ song: 'Winner', artist: 'Win Band', length: 200.5, itemInSession: 1 }),
    event({ song: 'Loser', artist: 'Lose Band', length: 100.25, itemInSession: 2, ts: 1541106206796 }),
  ].join('\n'),
};

describe('one song_id in several song files: one consistent star schema', () => {
  async function expectConsistent(lake: string): Promise<void> {
    expect(await queryLake(lake, 'SELECT song_id, title, artist_id, duration FROM songs')).toEqual([
      { song_id: 'SODUP', title: 'Winner', artist_id: 'ARWIN', duration: 200.5 },
    ]);
    expect(await queryLake(lake, 'SELECT artist_id, name FROM artists')).toEqual([
      { artist_id: 'ARWIN', name: 'Win Band' },
    ]);
    expect(await queryLake(lake, 'SELECT song_id, artist_id FROM songplays ORDER BY start_time')).toEqual([
      { song_id: 'SODUP', artist_id: 'ARWIN' },
      // A play of the discarded copy's title and duration finds no song.
      { song_id: null, artist_id: null },
    ]);
  }

  it('all at once', async () => {
    await expectConsistent(await lakeFrom({ ...WINNER, ...LOSER, ...PLAYS_OF_BOTH }));
  });

  it('the winning copy last, after the plays and the losing copy, and again after compaction', async () => {
    const lake = await lakeFrom(PLAYS_OF_BOTH, LOSER, WINNER);
    await expectConsistent(lake);
    await expectConsistent(await compacted(lake));
  });

  it('an artist whose only song is a discarded copy is not an artist; one whose name differs across songs takes it from its smallest song_id', async () => {
    const lake = await lakeFrom({
      ...WINNER,
      ...LOSER,
      'song_data/C/C/C/TRA.json': song({
        song_id: 'SOA',
        title: 'a',
        artist_id: 'ARMULTI',
        artist_name: 'Name from SOA',
      }),
      'song_data/C/C/C/TRB.json': song({
        song_id: 'SOB',
        title: 'b',
        artist_id: 'ARMULTI',
        artist_name: 'Name from SOB',
      }),
    });
    expect(await queryLake(lake, 'SELECT artist_id, name FROM artists ORDER BY artist_id')).toEqual([
      { artist_id: 'ARMULTI', name: 'Name from SOA' },
      { artist_id: 'ARWIN', name: 'Win Band' },
    ]);
  });
});

describe('one event identity (userId, sessionId, itemInSession, ts) in several places: one play', () => {
  const key1 = 'log_data/2018/11/2018-11-01-events.json';
  const key2 = 'log_data/2018/11/2018-11-02-events.json';
  // The same latest event of user 7 twice: free in the first file (the smaller key), paid in the second.
  const first = {
    [key1]: [
      event({ itemInSession: 0, ts: 1541106106796 }),
      event({ itemInSession: 1, ts: 1541106206796, level: 'free' }),
    ].join('\n'),
  };
  const second = { [key2]: [event({ itemInSession: 1, ts: 1541106206796, level: 'paid' })].join('\n') };

  async function expectOnePlayPerIdentity(lake: string): Promise<void> {
    expect(
      await queryLake(lake, 'SELECT count(*) AS plays, count(DISTINCT songplay_id) AS ids FROM songplays'),
    ).toEqual([{ plays: 2, ids: 2 }]);
    // The copy from the smallest (source key, line) wins, in songplays and in users alike.
    expect(await queryLake(lake, 'SELECT level FROM songplays ORDER BY start_time')).toEqual([
      { level: 'free' },
      { level: 'free' },
    ]);
    expect(await queryLake(lake, 'SELECT user_id, level FROM users')).toEqual([{ user_id: 7, level: 'free' }]);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM "time"')).toEqual([{ n: 2 }]);
  }

  it('in two files, whichever lands first, and after compaction', async () => {
    await expectOnePlayPerIdentity(await lakeFrom({ ...first, ...second }));
    const late = await lakeFrom(second, first);
    await expectOnePlayPerIdentity(late);
    await expectOnePlayPerIdentity(await compacted(late));
  });

  it('twice in one file: the first line wins', async () => {
    const lake = await lakeFrom({
      [key1]: [event({ itemInSession: 3, level: 'paid' }), event({ itemInSession: 3, level: 'free' })].join('\n'),
    });
    expect(await queryLake(lake, 'SELECT level FROM songplays')).toEqual([{ level: 'paid' }]);
    expect(await queryLake(lake, 'SELECT level FROM users')).toEqual([{ level: 'paid' }]);
  });

  it('users takes the latest event of the de-duplicated plays, even when a later duplicate says otherwise', async () => {
    const lake = await lakeFrom({
      'log_data/2018/11/2018-11-03-events.json': [
        event({ itemInSession: 0, ts: 1541106106796, level: 'paid' }),
        event({ itemInSession: 1, ts: 1541206106796, level: 'free' }),
      ].join('\n'),
      'log_data/2018/11/2018-11-09-events.json': [event({ itemInSession: 1, ts: 1541206106796, level: 'paid' })].join(
        '\n',
      ),
    });
    expect(await queryLake(lake, 'SELECT level FROM users')).toEqual([{ level: 'free' }]);
  });
});

describe('a removed landing file (ingest --mirror)', () => {
  it('takes its plays, users, time rows, songs and rejects out of every table', async () => {
    const input = join(dirs.path, 'mirror-input');
    writeFiles(input, {
      ...WINNER,
      ...LOSER,
      ...PLAYS_OF_BOTH,
      'log_data/2018/11/2018-11-05-events.json': `not json\n${event({ userId: '8', itemInSession: 9 })}`,
    });
    const lake = join(dirs.path, 'mirror-lake');
    await ingestFolder(input, lake);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM rejects')).toEqual([{ n: 1 }]);
    rmSync(join(input, 'log_data/2018/11/2018-11-05-events.json'));
    rmSync(join(input, 'song_data/A/A/A/TRWIN.json'));
    const unmirrored = await ingestFolder(input, lake);
    expect(unmirrored.byStatus.removed).toBe(0);
    const mirrored = await ingestFolder(input, lake, { mirror: true });
    expect(mirrored.removed).toEqual(['log_data/2018/11/2018-11-05-events.json', 'song_data/A/A/A/TRWIN.json']);
    const fresh = await lakeFrom({ ...LOSER, ...PLAYS_OF_BOTH });
    expect(await tableContents(lake)).toEqual(await tableContents(fresh));
    // The losing copy is the only one left: it wins now.
    expect(await queryLake(lake, 'SELECT title FROM songs')).toEqual([{ title: 'Loser' }]);
    expect(await tableContents(await compacted(lake))).toEqual(await tableContents(fresh));
  });
});
