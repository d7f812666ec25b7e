/**
 * A generated dataset, landed the hard way, gives the same answers on Trino and DuckDB at every
 * step: plays before their songs ("late songs"), then the songs, then compaction, then more files
 * into the compacted partition. On top of the generator's realistic text (emoji, CJK, text columns
 * sent as JSON numbers, mojibake, year 0, null coordinates), a hand-written day adds rare CJK
 * (supplementary-plane) text, numbers sent as JSON strings, columns null in every row of a file,
 * and a new month.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackTemplate, synthesizeTemplate } from '../../src/athena-local/stack-template.js';
import { templateNamedQueries, type NamedQuery } from '../../src/athena-local/template-catalog.js';
import { generateDataset } from '../../src/generate/index.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { tempDir } from '../support/paths.js';
import { CONTRACT_FIGURES } from './contract-figures.js';
import { expectPredicatesKeepRows, expectSameAnswer, predicatesFor } from './parity.js';
import { localAthena, queryEngine } from './support.js';

const dirs = tempDir('athena-generated');
const input = join(dirs.path, 'input');
const extra = join(dirs.path, 'extra');
const lake = join(dirs.path, 'lake');
let namedQueries: NamedQuery[] = [];

const RARE = '𠜎𠜱𠝹 𪚥'; // CJK Extension B/C: four UTF-8 bytes each, like emoji
const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    artist: null,
    auth: 'Logged In',
    firstName: 'Ada',
    gender: null,
    itemInSession: 0,
    lastName: null,
    length: null,
    level: 'paid',
    location: null,
    method: 'PUT',
    page: 'NextSong',
    registration: 1540919166796.0,
    sessionId: 9001,
    song: null,
    status: 200,
    ts: 1542672000123,
    userAgent: null,
    userId: '4242',
    ...fields,
  });

/** One more day of logs and two more songs, with the cases the generator does not write. */
function writeExtraInput(): void {
  const files: Record<string, string> = {
    'log_data/2018/11/2018-11-20-events.json': [
      line({ itemInSession: 1, song: `${RARE} 😀`, artist: `Ārtist ${RARE}`, length: 201.5, firstName: `名 ${RARE}` }),
      line({ itemInSession: 2, ts: 1542672000456, song: 4.6, artist: 112, length: 100 }), // text sent as numbers
      line({ itemInSession: 3, ts: 1542672000789, length: '215.5', level: 'free' }), // a number sent as text
      line({ itemInSession: 4, ts: 1542672001000, sessionId: '9002', userId: '0042' }), // ids sent as text
      line({ itemInSession: 5, ts: 1543622400000, level: 'free' }), // 2018-12-01: a new partition
    ].join('\n'),
    'song_data/Z/Z/Z/TRZZZRARE000001.json': JSON.stringify({
      num_songs: 1,
      artist_id: 'ARZZRARE00001',
      artist_latitude: null,
      artist_longitude: null,
      artist_location: null,
      artist_name: `Ārtist ${RARE}`,
      song_id: 'SOZZRARE000001',
      title: `${RARE} 😀`,
      duration: 201.5,
      year: 1901,
    }),
    'song_data/Z/Z/Y/TRZZYNUMS00001.json': JSON.stringify({
      num_songs: '1',
      artist_id: 'ARZZNUMS00001',
      artist_latitude: '51.5',
      artist_longitude: null,
      artist_location: 27,
      artist_name: 112,
      song_id: 'SOZZNUMS000001',
      title: 4.6,
      duration: 100,
      year: 1901,
    }),
  };
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(dirname(join(extra, key)), { recursive: true });
    writeFileSync(join(extra, key), text);
  }
}

const FIGURE = (name: string) => {
  const figure = CONTRACT_FIGURES.find((f) => f.name.startsWith(name));
  if (!figure) throw new Error(`no figure ${name}`);
  return figure.sql;
};

beforeAll(async () => {
  localAthena();
  await generateDataset(input, {
    seed: 8,
    songs: 40,
    days: 4,
    totalEvents: 2500,
    users: 30,
    matchShare: 0.6,
    faultRate: 0.02,
  });
  writeExtraInput();
  namedQueries = templateNamedQueries(new StackTemplate(synthesizeTemplate()));
  // Late songs: every play lands before any song. One batch per file, as a trickle of events gives
  // in AWS: several small files per partition for the compaction below.
  await ingestFolder(input, lake, { kinds: ['log'], batchFiles: 1 });
});
afterAll(() => dirs.cleanup());

describe('plays before their songs', () => {
  it.each(['songplays', 'users', 'time'])('%s figures agree', async (name) => {
    await expectSameAnswer(lake, FIGURE(name));
  });

  it('no play has found a song yet, on either engine', async () => {
    const rows = await expectSameAnswer(lake, FIGURE('songplays: with song_id'));
    expect(rows).toEqual([{ matched: 0, with_artist: 0 }]);
  });
});

describe('then the songs, a compaction, and a day with rare text into the compacted partition', () => {
  beforeAll(async () => {
    await ingestFolder(input, lake, { kinds: ['song'], batchFiles: 1 });
    const compacted = await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, minFiles: 2 });
    expect(compacted.groups.length).toBeGreaterThan(0);
    await ingestFolder(extra, lake);
  });

  it('the lake holds compacted and small files in one partition', async () => {
    const files = await queryEngine(
      'trino',
      lake,
      `SELECT "$path" AS path FROM base_plays WHERE year = 2018 AND month = 11 GROUP BY "$path"`,
    );
    const names = files.map((f) => String(f.path).split('/').pop() ?? '');
    expect(names.some((n) => n.startsWith('compacted-'))).toBe(true);
    expect(names.some((n) => !n.startsWith('compacted-'))).toBe(true);
  });

  it.each(CONTRACT_FIGURES.map((f) => [f.name, f.sql] as const))('%s', async (_name, sql) => {
    await expectSameAnswer(lake, sql);
  });

  it('every named query of the synthesized stack', async () => {
    for (const query of namedQueries) await expectSameAnswer(lake, query.sql);
  });

  it('the rare text reads back byte for byte, and matches its song', async () => {
    const rows = await expectSameAnswer(
      lake,
      `SELECT s.title, a.name, sp.year, sp.month FROM songplays sp JOIN songs s ON s.song_id = sp.song_id JOIN artists a ON a.artist_id = sp.artist_id WHERE s.song_id = 'SOZZRARE000001' ORDER BY sp.year`,
    );
    expect(rows).toEqual([{ title: `${RARE} 😀`, name: `Ārtist ${RARE}`, year: 2018, month: 11 }]);
  });

  it('rows of the all-null columns, the new month and what was set aside agree', async () => {
    await expectSameAnswer(
      lake,
      `SELECT songplay_id, location, user_agent, level, year, month FROM songplays WHERE user_id IN (4242, 42) ORDER BY songplay_id`,
    );
    await expectSameAnswer(
      lake,
      `SELECT source, source_key, line, reason FROM rejects ORDER BY source, source_key, line, reason`,
    );
    await expectSameAnswer(
      lake,
      `SELECT year, count(*) AS n, count(artist_latitude) AS lat, count(artist_location) AS loc FROM base_songs GROUP BY year ORDER BY year`,
    );
  });

  it('filters answered from statistics and dictionaries keep the right rows', async () => {
    const [first] = await queryEngine('trino', lake, `SELECT max(songplay_id) AS id FROM songplays`);
    await expectPredicatesKeepRows(
      lake,
      'songplays',
      predicatesFor({ songplayId: String(first?.id), from: '2018-11-02 00:00:00.000', to: '2018-11-03 12:00:00.000' }),
    );
  });
});
