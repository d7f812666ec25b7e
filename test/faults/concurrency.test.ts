/**
 * Guarantee 7, concurrency: 20 log files of the same month processed by 20 containers at once all
 * write the same partition (base_plays/year=2018/month=11) and register it with Glue at the same
 * moment. Nothing is lost (row count = the files' NextSong events, tables = a clean ingest), and the
 * catalog holds the partition exactly once, every other registration answered AlreadyExists.
 *
 * Also the design's open case (docs/ARCHITECTURE.md): two versions of one key processed at the same
 * moment by two workers.
 */

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../lambdas/worker-handler.js';
import { manifestKey, outputStem } from '../../src/domain/layout.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { lambdaContext, listAllKeys, s3EventBody, s3EventRecord, sqsEvent, sqsRecord, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { copySample, logEvents, playIds, sampleText, SAMPLE_LOGS, shiftedLog, writeInput } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameLake, rowsOf, snapshotBucketLake, snapshotLake } from '../support/faults/lake-compare.js';
import { createWorld, eventRecord, expectNoFailures, landFolder, restoreObservability, sharedObservability, worker, type World } from '../support/faults/worker-world.js';

const dirs = tempDir('faults-concurrency');
const LOGS = SAMPLE_LOGS.slice(0, 20);
const PARTITION = 'base_plays/2018/11';
let aws: LocalAws;
const worlds: World[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  for (const w of worlds) w.restore();
  restoreObservability();
  await aws?.stop();
  dirs.cleanup();
});

describe('20 log files of one month at once, all writing base_plays/year=2018/month=11', () => {
  const input = join(dirs.path, 'input');
  const expectedPlays = LOGS.flatMap((key) => playIds(logEvents(sampleText(key))));

  beforeAll(() => {
    copySample(input, LOGS);
    expect(LOGS).toHaveLength(20);
    expect(new Set(expectedPlays).size).toBe(expectedPlays.length);
  });

  it('20 parallel invocations, one container each: no row lost, tables equal a clean ingest, the catalog holds the partition once', async () => {
    const w = await createWorld(aws);
    worlds.push(w);
    await landFolder(aws, w.landing, input);
    const responses = await Promise.all(LOGS.map((key) => worker(w, 'log').run([eventRecord(w.landing, key)])));
    responses.forEach((response, i) => expectNoFailures(response, LOGS[i]!));

    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'parallel-lake'));
    expect(rowsOf(lake, 'base_plays')).toHaveLength(expectedPlays.length);
    expect(rowsOf(lake, 'songplays').map((row) => row.songplay_id).sort()).toEqual([...expectedPlays].sort());
    expect(Object.keys(lake.objects).filter((key) => key.startsWith('base_plays/year=2018/month=11/'))).toHaveLength(20);
    const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'reference'));
    expectSameLake(lake, expected, '20 parallel invocations');

    // Each cold container asked Glue for the partition; Glue created it once and answered the rest AlreadyExists.
    expect(w.catalog.calls).toHaveLength(20);
    expect(w.catalog.callsNaming(PARTITION)).toBe(20);
    expect(w.catalog.partitions()).toEqual([PARTITION]);
    expect(w.catalog.created.get(PARTITION)).toBe(1);
    expect(w.catalog.alreadyExistsAnswers).toBe(19);
  });

  it('the same 20 messages on one warm container, in one batch (logs one at a time) and then redelivered: one Glue call in all', async () => {
    const w = await createWorld(aws);
    worlds.push(w);
    await landFolder(aws, w.landing, input);
    const log = worker(w, 'log');
    expectNoFailures(await log.run(LOGS.map((key) => eventRecord(w.landing, key))), 'batch of 20');
    expectNoFailures(await log.run(LOGS.slice(0, 10).map((key) => eventRecord(w.landing, key, { receiveCount: 2 }))), 'redelivery');
    expect(w.catalog.calls).toHaveLength(1);
    expect(w.catalog.partitions()).toEqual([PARTITION]);
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'warm-lake'));
    expect(rowsOf(lake, 'base_plays')).toHaveLength(expectedPlays.length);
  });

  it('20 parallel song containers writing one year partition: every song row kept, the partition registered once', async () => {
    const w = await createWorld(aws);
    worlds.push(w);
    const songInput = join(dirs.path, 'songs-input');
    // 20 copies of one song under 20 keys (the same song_id, the same year partition).
    const text = sampleText('song_data/A/A/C/TRAACCG128F92E8A55.json');
    const keys = Array.from({ length: 20 }, (_, i) => `song_data/Q/Q/Q/TRQQQ${String(i).padStart(13, '0')}.json`);
    for (const key of keys) writeInput(songInput, key, text);
    await landFolder(aws, w.landing, songInput);
    const responses = await Promise.all(keys.map((key) => worker(w, 'song').run([eventRecord(w.landing, key)])));
    responses.forEach((response, i) => expectNoFailures(response, keys[i]!));
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'songs-lake'));
    expect(rowsOf(lake, 'base_songs').map((row) => row.source_key).sort()).toEqual(keys);
    expect(rowsOf(lake, 'songs')).toHaveLength(1);
    expect(w.catalog.partitions()).toEqual(['base_songs/0']);
    expect(w.catalog.created.get('base_songs/0')).toBe(1);
    expect(w.catalog.calls).toHaveLength(20);
    expect(await listAllKeys(aws.s3Client, w.lake)).toHaveLength(40);
  });
});

describe('two versions of one key processed at the same moment by two workers', () => {
  const KEY = SAMPLE_LOGS[0]!;
  const v1 = sampleText(KEY);
  const v2 = shiftedLog(v1, { days: 30, keepEvery: 1 });

  /** One message for KEY through a fresh container over folder stores. */
  async function deliver(source: ObjectStore, lake: ObjectStore): Promise<void> {
    const obs = sharedObservability();
    const handler = createWorkerHandler({
      kind: 'log',
      sourceStore: () => source,
      lake,
      registerPartitions: async () => undefined,
      logger: obs.logger,
      metrics: obs.metrics,
      processInParallel: false,
    });
    const response = await handler(sqsEvent(sqsRecord(s3EventBody(s3EventRecord({ bucket: 'landing', key: KEY })))), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
  }

  // Worker A (version 1, November) and worker B (version 2, December) overlap: B reads the
  // manifest before A writes it, A finishes first. Manifests are written conditionally, so B's
  // first manifest write fails (A changed it since B read it) and B starts over from A's manifest,
  // which names A's November output: B removes it. Without conditional writes B's manifest named
  // only December and A's November output stayed in the lake for good.
  it('two versions processed at once converge on the current one: the worker that loses the manifest race starts over', async () => {
    const v1Input = copySample(join(dirs.path, 'race-v1'), [KEY]);
    const v2Input = join(dirs.path, 'race-v2');
    writeInput(v2Input, KEY, v2);
    const lakeDir = join(dirs.path, 'race-lake');
    const lake = new FsObjectStore(lakeDir);

    let bStarted!: () => void;
    const bHasStarted = new Promise<void>((resolve) => (bStarted = resolve));
    let aFinished!: () => void;
    const aHasFinished = new Promise<void>((resolve) => (aFinished = resolve));
    // A holds its first write until B has begun (B has read its source, so whatever B reads first is read).
    const aLake = new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? bHasStarted : undefined) });
    const bSource = new FaultyObjectStore(new FsObjectStore(v2Input), { gate: (op) => (op === 'read' ? bStarted() : undefined) });
    // B holds its first write until A has finished.
    const bLake = new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? aHasFinished : undefined) });

    await Promise.all([deliver(new FsObjectStore(v1Input), aLake).then(() => aFinished()), deliver(bSource, bLake)]);

    const { snapshot: expected } = await buildReferenceLake(v2Input, join(dirs.path, 'race-reference'));
    const afterRace = await snapshotLake(lakeDir);
    expect(Object.keys(afterRace.objects)).not.toContain(`base_plays/year=2018/month=11/${outputStem(KEY)}.parquet`);
    expect(Object.keys(afterRace.objects)).toContain(manifestKey(KEY));
    expectSameLake(afterRace, expected, 'right after the race');
    // B lost the first manifest write and started over: two reads of the manifest, not one.
    expect(bLake.keys('read').filter((key) => key === manifestKey(KEY))).toHaveLength(2);

    // The next event for the key (version 2 is the current content) changes nothing.
    await deliver(new FsObjectStore(v2Input), lake);
    expectSameLake(await snapshotLake(lakeDir), expected, 'after the next event');
  });

  it('the same two versions one after the other (no overlap): the lake holds version 2 only', async () => {
    const v1Input = copySample(join(dirs.path, 'seq-v1'), [KEY]);
    const v2Input = join(dirs.path, 'seq-v2');
    writeInput(v2Input, KEY, v2);
    const lakeDir = join(dirs.path, 'seq-lake');
    await deliver(new FsObjectStore(v1Input), new FsObjectStore(lakeDir));
    await deliver(new FsObjectStore(v2Input), new FsObjectStore(lakeDir));
    const { snapshot: expected } = await buildReferenceLake(v2Input, join(dirs.path, 'seq-reference'));
    const actual = await snapshotLake(lakeDir);
    expectSameLake(actual, expected, 'v1 then v2');
    expect(new Set(rowsOf(actual, 'songplays').map((row) => row.month))).toEqual(new Set([12]));
  });
});

