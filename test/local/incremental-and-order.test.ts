/**
 * G2 (docs/ARCHITECTURE.md), on the local run.
 * The local run is incremental and order-independent: re-ingesting changes nothing, logs that
 * land before their songs pick the songs up once they land, and a file replaced under the same key
 * replaces what it contributed.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder } from '../../src/local/ingest.js';
import { queryLake } from '../support/cli.js';
import { lakeObjects, tableContents } from '../support/lake-snapshot.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('order');
const allAtOnce = join(dirs.path, 'all-at-once');
let reference: Record<string, unknown[]>;

beforeAll(async () => {
  await ingestFolder(SAMPLE_DIR, allAtOnce);
  reference = await tableContents(allAtOnce);
});
afterAll(() => dirs.cleanup());

describe('incremental local ingest', () => {
  it('ingesting the same files again changes no table and no byte of the lake', async () => {
    const before = await lakeObjects(allAtOnce);
    const again = await ingestFolder(SAMPLE_DIR, allAtOnce);
    expect(again.failures).toEqual([]);
    expect(again.byStatus).toEqual({ processed: 0, rejected: 0, unchanged: 101, removed: 0, ignored: 0 });
    expect(await lakeObjects(allAtOnce)).toEqual(before);
    expect(await tableContents(allAtOnce)).toEqual(reference);
    expect(reference.songplays).toHaveLength(6820);
  });

  it('logs first, songs in a second run: plays pick up their song when it lands, and the tables end the same', async () => {
    const lake = join(dirs.path, 'logs-first');
    await ingestFolder(SAMPLE_DIR, lake, { kinds: ['log'] });
    expect(await queryLake(lake, `SELECT count(*) AS plays, count(song_id) AS matched FROM songplays`)).toEqual([
      { plays: 6820, matched: 0 },
    ]);
    expect(await queryLake(lake, `SELECT count(*) AS n FROM songs`)).toEqual([{ n: 0 }]);
    await ingestFolder(SAMPLE_DIR, lake, { kinds: ['song'] });
    expect(await queryLake(lake, `SELECT count(song_id) AS matched FROM songplays`)).toEqual([{ matched: 1 }]);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('all logs before any song, one file at a time, ends in the same tables', async () => {
    const lake = join(dirs.path, 'one-at-a-time');
    await ingestFolder(SAMPLE_DIR, lake, { kinds: ['log', 'song'], concurrency: 1 });
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('a file replaced under the same key replaces what it contributed', async () => {
    const input = join(dirs.path, 'replaced-input');
    const lake = join(dirs.path, 'replaced-lake');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    await ingestFolder(input, lake);
    const key = join(input, 'log_data/2018/11/2018-11-21-events.json');
    const lines = readFileSync(key, 'utf8').split('\n');
    // The new version keeps only the play of "Setanta matins", now as a free user.
    const kept = lines
      .filter((line) => line.includes('Setanta matins'))
      .map((line) => line.replace('"level":"paid"', '"level":"free"'));
    expect(kept).toHaveLength(1);
    writeFileSync(key, kept.join('\n'));
    await ingestFolder(input, lake);
    const removedPlays = lines.filter((line) => JSON.parse(line).page === 'NextSong').length - 1;
    expect(await queryLake(lake, `SELECT count(*) AS n FROM songplays`)).toEqual([{ n: 6820 - removedPlays }]);
    expect(
      await queryLake(lake, `SELECT level, song_id FROM songplays WHERE songplay_id = '15-818-5-1542837407796'`),
    ).toEqual([{ level: 'free', song_id: 'SOZCTXZ12AB0182364' }]);
  });
});
