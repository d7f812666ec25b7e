/**
 * Guarantee 3, replaced and removed objects, through the real handler on fauxqs: the worker reads
 * the object as it is now, so a replacement under the same key replaces what the key contributed
 * (even when its rows move to another partition), and a deleted object takes its rows out of every
 * table and its manifest out of the lake, whether the event that reports it is an ObjectRemoved
 * event or a redelivered ObjectCreated event of the old version.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestKey, outputStem, sourceKindOf } from '../../src/domain/layout.js';
import { deleteObject, listAllKeys, putBytes, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { copySample, logEvents, playIds, sampleText, SETANTA_LOG, SETANTA_PLAY, SETANTA_SONG, shiftedLog, SMALL_SUBSET, writeInput } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameLake, lakeRows, rowsOf, snapshotBucketLake, type LakeSnapshot } from '../support/faults/lake-compare.js';
import { createWorld, eventRecord, expectNoFailures, landFolder, restoreObservability, worker, type World } from '../support/faults/worker-world.js';

const dirs = tempDir('faults-replace');
let aws: LocalAws;
let w: World;
let snapshots = 0;
const stem = (key: string): string => outputStem(key);

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  w?.restore();
  restoreObservability();
  await aws?.stop();
  dirs.cleanup();
});

/** Delivers one event for each key to the worker of its kind (a fresh container each time). */
async function deliver(keys: readonly string[], eventName = 'ObjectCreated:Put'): Promise<void> {
  for (const key of keys) {
    expectNoFailures(await worker(w, sourceKindOf(key)!).run([eventRecord(w.landing, key, { eventName })]), `${eventName} ${key}`);
  }
}

async function lake(): Promise<LakeSnapshot> {
  return snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, `lake-${++snapshots}`));
}

async function referenceOf(input: string): Promise<LakeSnapshot> {
  return (await buildReferenceLake(input, join(dirs.path, `reference-${++snapshots}`))).snapshot;
}

describe('a log file replaced under the same key', () => {
  const input = join(dirs.path, 'input-replaced');
  const original = sampleText(SETANTA_LOG);
  // v2: every third event, 30 days later (December), plus a line that is not JSON (a reject).
  const v2 = `${shiftedLog(original, { days: 30, keepEvery: 3 })}\n{"ts": 1543`;
  const novemberKey = `base_plays/year=2018/month=11/${stem(SETANTA_LOG)}.parquet`;
  const decemberKey = `base_plays/year=2018/month=12/${stem(SETANTA_LOG)}.parquet`;
  const rejectsKey = `rejects/source=log_data/${stem(SETANTA_LOG)}.parquet`;

  beforeAll(async () => {
    w = await createWorld(aws);
    copySample(input, SMALL_SUBSET);
    await deliver(await landFolder(aws, w.landing, input));
  });

  it('with fewer events, a month later: the old partition\'s output is gone and the tables hold only the new content', async () => {
    expect(await listAllKeys(aws.s3Client, w.lake)).toContain(novemberKey);
    await putBytes(aws.s3Client, w.landing, SETANTA_LOG, v2);
    writeInput(input, SETANTA_LOG, v2);
    await deliver([SETANTA_LOG]);

    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys).not.toContain(novemberKey);
    expect(keys).toContain(decemberKey);
    expect(keys).toContain(rejectsKey);
    expect(w.catalog.partitions()).toContain('base_plays/2018/12');

    const actual = await lake();
    expectSameLake(actual, await referenceOf(input), 'after the replacement');
    // Concrete: December holds exactly the new version's plays, November none of the old file's.
    const newPlays = playIds(logEvents(shiftedLog(original, { days: 30, keepEvery: 3 })));
    expect(newPlays.length).toBeLessThan(playIds(logEvents(original)).length / 2);
    const december = rowsOf(actual, 'songplays').filter((row) => row.month === 12);
    expect(december.map((row) => row.songplay_id).sort()).toEqual([...newPlays].sort());
    expect(rowsOf(actual, 'songplays').filter((row) => row.songplay_id === SETANTA_PLAY && row.month === 11)).toEqual([]);
    expect(rowsOf(actual, 'base_plays').filter((row) => row.source_key === SETANTA_LOG && row.month !== 12)).toEqual([]);
    const badLine = logEvents(shiftedLog(original, { days: 30, keepEvery: 3 })).length + 1;
    expect(rowsOf(actual, 'rejects')).toEqual([{ source_key: SETANTA_LOG, line: badLine, reason: expect.stringMatching(/JSON/), raw: '{"ts": 1543', field: null, source: 'log_data' }]);
  });

  it('a stale, redelivered event of the old version changes nothing; replacing it back restores the original lake exactly', async () => {
    const before = await lake();
    await deliver([SETANTA_LOG]);
    expectSameLake(await lake(), before, 'after a stale redelivery');

    await putBytes(aws.s3Client, w.landing, SETANTA_LOG, original);
    writeInput(input, SETANTA_LOG, original);
    await deliver([SETANTA_LOG]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys).toContain(novemberKey);
    expect(keys).not.toContain(decemberKey);
    expect(keys).not.toContain(rejectsKey);
    const restored = await lake();
    expectSameLake(restored, await referenceOf(input), 'after restoring the original');
    expect(rowsOf(restored, 'rejects')).toEqual([]);
  });
});

describe('a source object deleted from the landing bucket', () => {
  const input = join(dirs.path, 'input-deleted');

  beforeAll(async () => {
    w.restore();
    w = await createWorld(aws);
    copySample(input, SMALL_SUBSET);
    await deliver(await landFolder(aws, w.landing, input));
  });

  it('a song, then its (redelivered) ObjectCreated event: its rows leave songs and artists, the matched play loses its song_id, its manifest is deleted', async () => {
    const manifest = manifestKey(SETANTA_SONG);
    expect(await listAllKeys(aws.s3Client, w.lake)).toContain(manifest);
    await deleteObject(aws.s3Client, w.landing, SETANTA_SONG);
    rmSync(join(input, SETANTA_SONG));
    await deliver([SETANTA_SONG], 'ObjectCreated:Put');

    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys.filter((key) => key.includes(stem(SETANTA_SONG)))).toEqual([]);
    const actual = await lake();
    expectSameLake(actual, await referenceOf(input), 'after deleting the song');
    expect(rowsOf(actual, 'songs').map((row) => row.song_id)).not.toContain('SOZCTXZ12AB0182364');
    expect(rowsOf(actual, 'songs')).toHaveLength(9);
    expect(rowsOf(actual, 'songplays').filter((row) => row.songplay_id === SETANTA_PLAY)).toMatchObject([{ song_id: null, artist_id: null }]);
  });

  it('a log, then an ObjectRemoved:Delete event: its plays leave songplays, users and time, its manifest is deleted', async () => {
    await deleteObject(aws.s3Client, w.landing, SETANTA_LOG);
    rmSync(join(input, SETANTA_LOG));
    await deliver([SETANTA_LOG], 'ObjectRemoved:Delete');

    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys.filter((key) => key.includes(stem(SETANTA_LOG)))).toEqual([]);
    expect(keys).not.toContain(manifestKey(SETANTA_LOG));
    const actual = await lake();
    expectSameLake(actual, await referenceOf(input), 'after deleting the log');
    const removed = new Set(playIds(logEvents(sampleText(SETANTA_LOG))));
    expect(rowsOf(actual, 'songplays').filter((row) => removed.has(String(row.songplay_id)))).toEqual([]);
    expect(rowsOf(actual, 'time').filter((row) => String(row.start_time).startsWith('2018-11-21'))).toEqual([]);
    expect(await lakeRows(join(dirs.path, `lake-${snapshots - 1}`), `SELECT count(*) AS n FROM base_plays WHERE source_key = '${SETANTA_LOG}'`)).toEqual([{ n: 0 }]);
  });
});
