/**
 * G2 (docs/ARCHITECTURE.md), order independence: whatever order the 101 sample files arrive in, and however the
 * queues batch them, every answer converges to that of one clean, ordered ingest. Runs the real
 * worker handler (song and log containers) over folder stores, so the 6 full runs stay fast; the S3
 * adapter is exercised by the other fault tests.
 */
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKindOf, type SourceKind } from '../../src/domain/layout.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { container, eventRecord } from '../support/worker-harness.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  lakeRows,
  snapshotLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import { randomBatches, seededRandom, shuffled, type Random } from '../support/faults/seeded-random.js';
import { SAMPLE_KEYS } from '../support/faults/inputs.js';

const SEEDS = [11, 2024, 90210] as const;
const LANDING = 'landing';
const dirs = tempDir('faults-order');
const keys = SAMPLE_KEYS;
let reference: LakeSnapshot;

beforeAll(async () => {
  expect(keys.filter((k) => sourceKindOf(k) === 'song')).toHaveLength(71);
  expect(keys.filter((k) => sourceKindOf(k) === 'log')).toHaveLength(30);
  ({ snapshot: reference } = await buildReferenceLake(SAMPLE_DIR, join(dirs.path, 'reference')));
  expect(reference.views.songplays).toHaveLength(6820);
});
afterAll(() => dirs.cleanup());

/** One container of a worker over folder stores (the landing folder is the sample itself), failing the test on a failed message. */
function worker(kind: SourceKind, lakeDir: string): (records: SQSRecord[]) => Promise<void> {
  const { run } = container(kind, new FsObjectStore(SAMPLE_DIR), new FsObjectStore(lakeDir), { quiet: true });
  return async (records) => expect(await run(records), `failed messages in a ${kind} batch`).toEqual([]);
}

const message = (key: string): SQSRecord => eventRecord(LANDING, key);

/** Every key, one message per invocation, in the given order, on one warm container per kind. */
async function oneAtATime(order: readonly string[], lakeDir: string): Promise<void> {
  const workers = { song: worker('song', lakeDir), log: worker('log', lakeDir) };
  for (const key of order) await workers[sourceKindOf(key)!]([message(key)]);
}

/**
 * The order cut into random batches (1-10 messages); up to 4 batches in flight at once, each on
 * its own container, split by kind (each kind has its own queue).
 */
async function concurrentBatches(order: readonly string[], lakeDir: string, random: Random): Promise<number> {
  const batches = randomBatches(order, random, 1, 10);
  let next = 0;
  const lanes = Array.from({ length: 4 }, async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      await Promise.all(
        (['song', 'log'] as const).map(async (kind) => {
          const records = batch.filter((key) => sourceKindOf(key) === kind).map(message);
          if (records.length > 0) await worker(kind, lakeDir)(records);
        }),
      );
    }
  });
  await Promise.all(lanes);
  return batches.length;
}

describe.each(SEEDS)('seed %i: a random permutation of all 101 sample files', (seed) => {
  it('processed one message at a time converges to the reference answers', async () => {
    const order = shuffled(keys, seededRandom(seed));
    const lake = join(dirs.path, `seed-${seed}-sequential`);
    await oneAtATime(order, lake);
    const actual = await snapshotLake(lake);
    expectSameAnswers(actual, reference, `seed ${seed}, one at a time, first keys ${order.slice(0, 3).join(', ')}`);
    expectNoGarbage(actual, 'every file once: nothing superseded');
  });

  it('processed in random concurrent batches converges to the reference answers', async () => {
    const random = seededRandom(seed);
    const order = shuffled(keys, random);
    const lake = join(dirs.path, `seed-${seed}-batches`);
    const batches = await concurrentBatches(order, lake, random);
    expect(batches).toBeGreaterThan(10);
    const actual = await snapshotLake(lake);
    expectSameAnswers(actual, reference, `seed ${seed}, ${batches} concurrent batches`);
    expectNoGarbage(actual, 'every file once: nothing superseded');
  });
});

describe('all logs first, songs later', () => {
  it('songplays.song_id is null while the song is missing and set once it lands; the answers end equal to the reference', async () => {
    const random = seededRandom(7);
    const lake = join(dirs.path, 'logs-first');
    const logs = shuffled(
      keys.filter((k) => sourceKindOf(k) === 'log'),
      random,
    );
    const songs = shuffled(
      keys.filter((k) => sourceKindOf(k) === 'song'),
      random,
    );
    const elena = `SELECT songplay_id, user_id, song_id, artist_id, start_time FROM songplays WHERE songplay_id = '15-818-5-1542837407796'`;

    await oneAtATime(logs, lake);
    expect(
      await lakeRows(
        lake,
        `SELECT count(*) AS plays, count(song_id) AS matched, count(artist_id) AS with_artist FROM songplays`,
      ),
    ).toEqual([{ plays: 6820, matched: 0, with_artist: 0 }]);
    expect(await lakeRows(lake, elena)).toEqual([
      {
        songplay_id: '15-818-5-1542837407796',
        user_id: 15,
        song_id: null,
        artist_id: null,
        start_time: '2018-11-21 21:56:47.796',
      },
    ]);

    await oneAtATime(songs, lake);
    expect(await lakeRows(lake, elena)).toEqual([
      {
        songplay_id: '15-818-5-1542837407796',
        user_id: 15,
        song_id: 'SOZCTXZ12AB0182364',
        artist_id: 'AR5KOSW1187FB35FF4',
        start_time: '2018-11-21 21:56:47.796',
      },
    ]);
    expectSameAnswers(await snapshotLake(lake), reference, 'logs first, then songs');
  });
});
