/**
 * G3 and G4 (docs/ARCHITECTURE.md), replaced and removed objects, through the real handler. A replacement under the
 * same key (a later S3 event, a greater sequencer) replaces what the key contributed, even when
 * its rows move to another partition; a removal (ObjectRemoved) takes its rows out of every
 * answer. Both hold when the events arrive in the wrong order (the older event processed last: the
 * worker reads the object as it is now, and the ledger keeps the version of the greater
 * sequencer), and after compaction, which then drops the old rows for good. Last, every log file
 * of a compacted lake replaced at once, in one pass: the answers are those of a lake that never
 * had the removed lines.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKindOf } from '../../src/domain/layout.js';
import { parseS3EventMessage } from '../../src/pipeline/s3-event.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { deleteObject, putBytes, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { compactTwice } from '../support/faults/compaction.js';
import { container, redelivered } from '../support/worker-harness.js';
import {
  copySample,
  logEvents,
  playIds,
  SAMPLE_LOGS,
  SAMPLE_SONGS,
  sampleText,
  SETANTA_LOG,
  SETANTA_PLAY,
  SETANTA_SONG,
  shiftedLog,
  SMALL_SUBSET,
  writeInput,
} from '../support/faults/inputs.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  rowsOf,
  snapshotBucketLake,
  snapshotLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import {
  createWorld,
  eventRecord,
  expectNoFailures,
  landFolder,
  lakeStore,
  restoreObservability,
  worker,
  type World,
} from '../support/worker-harness.js';

const dirs = tempDir('faults-replace');
const SETANTA_SONG_ID = 'SOZCTXZ12AB0182364';
let aws: LocalAws;
const worlds: World[] = [];
let snapshots = 0;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  for (const w of worlds) w.restore();
  restoreObservability();
  await aws?.stop();
  dirs.cleanup();
});

/** A fresh world with these input files landed and each delivered once; the records, by key, to redeliver later. */
async function worldWith(input: string): Promise<{ w: World; records: Map<string, SQSRecord> }> {
  const w = await createWorld(aws);
  worlds.push(w);
  const records = new Map<string, SQSRecord>();
  for (const key of await landFolder(aws, w.landing, input)) {
    const record = eventRecord(w.landing, key);
    records.set(key, record);
    expectNoFailures(await worker(w, sourceKindOf(key)!).run([record]), key);
  }
  return { w, records };
}

/** Delivers these records in order, each to a fresh container of the worker of its key. */
async function deliver(w: World, records: readonly SQSRecord[]): Promise<void> {
  for (const record of records) {
    const message = parseS3EventMessage(record.body);
    const key = message.kind === 'objects' ? message.events[0]!.key : '';
    expectNoFailures(await worker(w, sourceKindOf(key)!).run([record]), key);
  }
}

async function lake(w: World): Promise<LakeSnapshot> {
  return snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, `lake-${++snapshots}`));
}

async function referenceOf(input: string): Promise<LakeSnapshot> {
  return (await buildReferenceLake(input, join(dirs.path, `reference-${++snapshots}`))).snapshot;
}

/** Compacts the world's lake away (no grace, twice): the answers stay the expected ones, and only current rows remain. */
async function expectCompactsTo(w: World, expected: LakeSnapshot, what: string): Promise<LakeSnapshot> {
  await compactTwice(lakeStore(w), {
    between: async () =>
      expectSameAnswers(await lake(w), expected, `${what}, while the replaced files are still there`, {
        baseRows: false,
      }),
  });
  const after = await lake(w);
  expectSameAnswers(after, expected, `${what}, after compaction`);
  expectNoGarbage(after, `${what}, after compaction`);
  return after;
}

const stale = (lake: LakeSnapshot): number => Object.values(lake.staleRows).reduce((a, b) => a + b, 0);

describe('a log file replaced under the same key', () => {
  const input = join(dirs.path, 'input-replaced');
  const original = sampleText(SETANTA_LOG);
  // v2: every third event, 30 days later (December), plus a line that is not JSON (a reject).
  const v2Events = shiftedLog(original, { days: 30, keepEvery: 3 });
  const v2 = `${v2Events}\n{"ts": 1543`;
  let w: World;
  let firstEvent: SQSRecord;

  beforeAll(async () => {
    copySample(input, SMALL_SUBSET);
    let records: Map<string, SQSRecord>;
    ({ w, records } = await worldWith(input));
    firstEvent = records.get(SETANTA_LOG)!;
  });

  it('with fewer events, a month later: the answers hold only the new content, in its new partition; after compaction the old rows are gone', async () => {
    await putBytes(aws.s3Client, w.landing, SETANTA_LOG, v2);
    writeInput(input, SETANTA_LOG, v2);
    await deliver(w, [eventRecord(w.landing, SETANTA_LOG)]);

    const actual = await lake(w);
    const expected = await referenceOf(input);
    expectSameAnswers(actual, expected, 'after the replacement');
    expect(w.catalog.partitions()).toContain('base_plays/2018/12');
    // Concrete: December holds exactly the new version's plays, November none of the old file's.
    const newPlays = playIds(logEvents(v2Events));
    expect(newPlays.length).toBeLessThan(playIds(logEvents(original)).length / 2);
    expect(
      rowsOf(actual, 'songplays')
        .filter((row) => row.month === 12)
        .map((row) => row.songplay_id)
        .sort(),
    ).toEqual([...newPlays].sort());
    expect(rowsOf(actual, 'songplays').filter((row) => row.songplay_id === SETANTA_PLAY && row.month === 11)).toEqual(
      [],
    );
    expect(
      new Set(
        rowsOf(actual, 'base_plays')
          .filter((row) => row.source_key === SETANTA_LOG)
          .map((row) => row.month),
      ),
    ).toEqual(new Set([12]));
    const badLine = logEvents(v2Events).length + 1;
    expect(rowsOf(actual, 'rejects')).toEqual([
      {
        source: 'log_data',
        source_key: SETANTA_LOG,
        line: badLine,
        reason: expect.stringMatching(/JSON/),
        raw: '{"ts": 1543',
        field: null,
      },
    ]);
    // The old version's rows are still stored (a query that started before may read them), invisible.
    expect(actual.staleRows.base_plays).toBe(playIds(logEvents(original)).length);

    await expectCompactsTo(w, expected, 'after the replacement');
  });

  it('a stale, redelivered event of the old version changes nothing; replacing it back restores the original answers', async () => {
    const before = await lake(w);
    await deliver(w, [redelivered(firstEvent, 2)]);
    expectSameAnswers(await lake(w), before, 'after a stale redelivery');

    await putBytes(aws.s3Client, w.landing, SETANTA_LOG, original);
    writeInput(input, SETANTA_LOG, original);
    await deliver(w, [eventRecord(w.landing, SETANTA_LOG)]);
    const restored = await lake(w);
    const expected = await referenceOf(input);
    expectSameAnswers(restored, expected, 'after restoring the original');
    expect(rowsOf(restored, 'rejects')).toEqual([]);
    expect(rowsOf(restored, 'songplays').filter((row) => row.month === 12)).toEqual([]);
    await expectCompactsTo(w, expected, 'after restoring the original');
  });
});

describe('two versions of one key whose events arrive in the wrong order (the older event last)', () => {
  it("a log: v2's event, then v1's: the answers show v2, also after compaction", async () => {
    const input = join(dirs.path, 'input-wrong-order-log');
    copySample(input, [SETANTA_SONG, SETANTA_LOG]);
    const { w, records } = await worldWith(input);
    const v1Event = redelivered(records.get(SETANTA_LOG)!, 2);
    const v2 = shiftedLog(sampleText(SETANTA_LOG), { days: 30, keepEvery: 2 });
    await putBytes(aws.s3Client, w.landing, SETANTA_LOG, v2);
    writeInput(input, SETANTA_LOG, v2);
    await deliver(w, [eventRecord(w.landing, SETANTA_LOG), v1Event]);

    const expected = await referenceOf(input);
    const actual = await lake(w);
    expectSameAnswers(actual, expected, 'v2 then the late v1 event');
    expect(new Set(rowsOf(actual, 'songplays').map((row) => row.month))).toEqual(new Set([12]));
    await expectCompactsTo(w, expected, 'v2 then the late v1 event');
  });

  it("a song: the new title's event, then the old one's (read after the change, so also the new title): songs and the matched play show the new version", async () => {
    const input = join(dirs.path, 'input-wrong-order-song');
    copySample(input, [SETANTA_SONG, SETANTA_LOG]);
    // Put v1 and keep its event; put v2 (a new title: the play no longer matches) before any delivery.
    const w = await createWorld(aws);
    worlds.push(w);
    await landFolder(aws, w.landing, input);
    const v1Event = eventRecord(w.landing, SETANTA_SONG);
    const v2 = sampleText(SETANTA_SONG).replace('Setanta matins', 'Setanta vespers');
    expect(v2).not.toBe(sampleText(SETANTA_SONG));
    await putBytes(aws.s3Client, w.landing, SETANTA_SONG, v2);
    writeInput(input, SETANTA_SONG, v2);
    await deliver(w, [eventRecord(w.landing, SETANTA_LOG), eventRecord(w.landing, SETANTA_SONG), v1Event]);

    const actual = await lake(w);
    expectSameAnswers(actual, await referenceOf(input), 'v2 then the late v1 event');
    expect(rowsOf(actual, 'songs')).toMatchObject([{ song_id: SETANTA_SONG_ID, title: 'Setanta vespers' }]);
    expect(rowsOf(actual, 'songplays').filter((row) => row.songplay_id === SETANTA_PLAY)).toMatchObject([
      { song_id: null },
    ]);
  });
});

describe('a source object removed from the landing bucket', () => {
  const input = join(dirs.path, 'input-removed');
  let w: World;
  let records: Map<string, SQSRecord>;

  beforeAll(async () => {
    copySample(input, SMALL_SUBSET);
    ({ w, records } = await worldWith(input));
  });

  it('a song, then its old ObjectCreated event redelivered (the ObjectRemoved event not yet there): the worker finds it gone; it leaves songs and artists, the matched play loses its song_id', async () => {
    await deleteObject(aws.s3Client, w.landing, SETANTA_SONG);
    rmSync(join(input, SETANTA_SONG));
    await deliver(w, [redelivered(records.get(SETANTA_SONG)!, 2)]);

    const actual = await lake(w);
    expectSameAnswers(actual, await referenceOf(input), 'after removing the song');
    expect(rowsOf(actual, 'songs').map((row) => row.song_id)).not.toContain(SETANTA_SONG_ID);
    expect(rowsOf(actual, 'songs')).toHaveLength(9);
    expect(rowsOf(actual, 'songplays').filter((row) => row.songplay_id === SETANTA_PLAY)).toMatchObject([
      { song_id: null, artist_id: null },
    ]);
  });

  it('a log, its ObjectRemoved event first, then its old ObjectCreated event redelivered late: its plays leave songplays, users and time for good', async () => {
    await deleteObject(aws.s3Client, w.landing, SETANTA_LOG);
    rmSync(join(input, SETANTA_LOG));
    await deliver(w, [
      eventRecord(w.landing, SETANTA_LOG, { eventName: 'ObjectRemoved:Delete' }),
      redelivered(records.get(SETANTA_LOG)!, 2),
    ]);

    const actual = await lake(w);
    const expected = await referenceOf(input);
    expectSameAnswers(actual, expected, 'after removing the log');
    const removed = new Set(playIds(logEvents(sampleText(SETANTA_LOG))));
    expect(rowsOf(actual, 'songplays').filter((row) => removed.has(String(row.songplay_id)))).toEqual([]);
    expect(rowsOf(actual, 'time').filter((row) => String(row.start_time).startsWith('2018-11-21'))).toEqual([]);
    expect(rowsOf(actual, 'base_plays').filter((row) => row.source_key === SETANTA_LOG)).toEqual([]);
    expect(stale(actual)).toBeGreaterThan(0);

    const compacted = await expectCompactsTo(w, expected, 'after removing the song and the log');
    expect(compacted.objects.filter((key) => key.startsWith('base_plays/')).length).toBeGreaterThan(0);
  });

  it('removed, then uploaded again, the removal event delivered last: a late delete never removes the newer upload', async () => {
    const key = SAMPLE_SONGS.find((k) => SMALL_SUBSET.includes(k) && k !== SETANTA_SONG)!;
    await deleteObject(aws.s3Client, w.landing, key);
    const removal = eventRecord(w.landing, key, { eventName: 'ObjectRemoved:Delete' });
    await putBytes(aws.s3Client, w.landing, key, sampleText(key));
    await deliver(w, [eventRecord(w.landing, key), removal]);
    const actual = await lake(w);
    expectSameAnswers(actual, await referenceOf(input), 'upload again, late removal event');
    expect(rowsOf(actual, 'base_songs').filter((row) => row.source_key === key)).toHaveLength(1);
  });
});

describe('every log file of a compacted lake replaced at once, in one pass', () => {
  /** A new version of a log file without every 4th line (plays, users' latest events and times change). */
  const withoutEveryFourthLine = (text: string): string =>
    text
      .split('\n')
      .filter((_, i) => i % 4 !== 3)
      .join('\n');

  it('the answers equal those of a lake that never had the removed lines, before and after compacting again', async () => {
    const input = copySample(join(dirs.path, 'input-all-logs'), [
      ...SAMPLE_LOGS,
      ...SAMPLE_SONGS.slice(0, 10),
      SETANTA_SONG,
    ]);
    const lakeDir = join(dirs.path, 'all-logs-lake');
    const source = new FsObjectStore(input);
    const lakeStoreOf = new FsObjectStore(lakeDir);
    const log = container('log', source, lakeStoreOf, { quiet: true });
    const song = container('song', source, lakeStoreOf, { quiet: true });
    const songs = [...new Set([...SAMPLE_SONGS.slice(0, 10), SETANTA_SONG])];
    expect(await song.run(songs.map((key) => eventRecord('landing', key)))).toEqual([]);
    // Batches of 2, as the log queue delivers them.
    const inPairs = async (keys: readonly string[]): Promise<void> => {
      for (let i = 0; i < keys.length; i += 2)
        expect(await log.run(keys.slice(i, i + 2).map((key) => eventRecord('landing', key)))).toEqual([]);
    };
    await inPairs(SAMPLE_LOGS);
    await compactTwice(lakeStoreOf);
    const compacted = await snapshotLake(lakeDir);
    expect(compacted.objects.filter((key) => key.startsWith('base_plays/') && key.includes('/part-'))).toEqual([]);

    for (const key of SAMPLE_LOGS) writeInput(input, key, withoutEveryFourthLine(sampleText(key)));
    await inPairs(SAMPLE_LOGS);
    const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'all-logs-reference'));
    expect(rowsOf(expected, 'songplays').length).toBeLessThan(6820 * 0.8);
    const replaced = await snapshotLake(lakeDir);
    expectSameAnswers(replaced, expected, 'every log replaced in one pass');
    expect(replaced.staleRows.base_plays).toBe(6820);

    await compactTwice(lakeStoreOf, {
      between: async () =>
        expectSameAnswers(await snapshotLake(lakeDir), expected, 'while the replaced files are still there', {
          baseRows: false,
        }),
    });
    const after = await snapshotLake(lakeDir);
    expectSameAnswers(after, expected, 'every log replaced, compacted again');
    expectNoGarbage(after, 'every log replaced, compacted again');
  });
});
