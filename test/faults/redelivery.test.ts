/**
 * G1 (docs/ARCHITECTURE.md), redelivery: SQS delivers at least once, so the same S3 event message can reach the
 * workers several times, at the same moment (several containers) or later, or twice in one batch.
 * Through the real handler on fauxqs (13 sample files: 10 songs, 3 days of logs, one matched
 * play), every duplicate must leave every answer exactly as one clean ingest of the same files
 * does, with no duplicate row; and after a compaction the lake holds no row of the superseded
 * deliveries.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKindOf } from '../../src/domain/layout.js';
import { baseTable, type BaseTableName } from '../../src/domain/tables.js';
import { startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { compactTwice } from '../support/faults/compaction.js';
import { redelivered } from '../support/worker-harness.js';
import { copySample, logEvents, playIds, sampleText, SETANTA_PLAY, SMALL_SUBSET } from '../support/faults/inputs.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  forEachLimit,
  lakeRows,
  rowsOf,
  snapshotBucketLake,
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

const dirs = tempDir('faults-redelivery');
let aws: LocalAws;
let landing: string;
let keys: string[];
let reference: LakeSnapshot;
const worlds: World[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  const first = await createWorld(aws);
  worlds.push(first);
  landing = first.landing;
  const input = copySample(join(dirs.path, 'input'), SMALL_SUBSET);
  [keys, { snapshot: reference }] = await Promise.all([
    landFolder(aws, landing, input),
    buildReferenceLake(input, join(dirs.path, 'reference')),
  ]);
  expect(keys).toHaveLength(13);
  // The reference is not trivially empty (the comparisons below can fail): 10 songs, 3 days of
  // plays, one of them matched to its song.
  expect(reference.views.songs).toHaveLength(10);
  expect(reference.views.songplays).toHaveLength(
    SMALL_SUBSET.flatMap((key) => (key.startsWith('log_data/') ? playIds(logEvents(sampleText(key))) : [])).length,
  );
  expect(rowsOf(reference, 'songplays').filter((row) => row.song_id !== null)).toMatchObject([
    { songplay_id: SETANTA_PLAY, song_id: 'SOZCTXZ12AB0182364' },
  ]);
});
afterAll(async () => {
  for (const w of worlds) w.restore();
  restoreObservability();
  await aws?.stop();
  dirs.cleanup();
});

/** `table/v1/v2` of every partition a lake's objects lie in (what the catalog must know). */
function partitionsOf(lake: LakeSnapshot): string[] {
  const ids = lake.objects
    .filter((key) => key.endsWith('.parquet'))
    .map((key) => key.split('/').slice(0, -1))
    .filter(
      ([table, ...folders]) =>
        folders.length > 0 && baseTable(table as BaseTableName).partitionKeys.length === folders.length,
    )
    .map(([table, ...folders]) => [table, ...folders.map((folder) => folder.split('=')[1])].join('/'));
  return [...new Set(ids)].sort();
}

async function freshWorld(): Promise<World> {
  const w = await createWorld(aws, { landing });
  worlds.push(w);
  return w;
}

let snapshots = 0;
async function lakeOf(w: World): Promise<{ dir: string; snapshot: LakeSnapshot }> {
  const dir = join(dirs.path, `lake-${++snapshots}`);
  return { dir, snapshot: await snapshotBucketLake(aws.s3Client, w.lake, dir) };
}

/** Compacts the world's lake (no grace, twice): the answers stay, the superseded deliveries' rows go. */
async function expectCompactsClean(w: World, what: string): Promise<void> {
  await compactTwice(lakeStore(w), {
    between: async () => {
      const { snapshot } = await lakeOf(w);
      expect(snapshot.retiredJournals.length, 'the first run replaced files').toBeGreaterThan(0);
      expectSameAnswers(snapshot, reference, `${what}, while the replaced files are still there`, { baseRows: false });
    },
  });
  const { snapshot } = await lakeOf(w);
  expectSameAnswers(snapshot, reference, `${what}, after compaction`);
  expectNoGarbage(snapshot, `${what}, after compaction`);
}

describe('a redelivered S3 event message changes no answer', () => {
  it('every message delivered 3 times at once, to 3 containers: answers equal the reference, the catalog holds each partition once, compaction leaves only current rows', async () => {
    const w = await freshWorld();
    await forEachLimit(keys, 6, async (key) => {
      const kind = sourceKindOf(key)!;
      const record = eventRecord(landing, key);
      // The same message (same messageId and body) to three containers at the same moment.
      const responses = await Promise.all([1, 2, 3].map((n) => worker(w, kind).run([redelivered(record, n)])));
      for (const response of responses) expectNoFailures(response, key);
    });
    const { snapshot } = await lakeOf(w);
    expectSameAnswers(snapshot, reference, 'after 3 concurrent deliveries of every message');
    // Three committed versions of every key: two of them superseded, invisible, still stored.
    expect(Object.values(snapshot.staleRows).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The catalog knows each partition of the lake once (the other registrations answered AlreadyExists).
    expect(w.catalog.partitions()).toEqual(partitionsOf(reference));
    expect(w.catalog.alreadyExistsAnswers).toBeGreaterThan(0);
    await expectCompactsClean(w, '3 concurrent deliveries');
  });

  it('every message delivered once, then twice more one after the other (receive count 2 and 3): the answers never change after the first pass', async () => {
    const w = await freshWorld();
    const songs = worker(w, 'song');
    const logs = worker(w, 'log');
    const messages = new Map(keys.map((key) => [key, eventRecord(landing, key)]));
    const deliverAll = async (receiveCount: number): Promise<void> => {
      for (const [key, record] of messages) {
        // The very same message (id, receipt, body) again, as SQS redelivers it.
        expectNoFailures(
          await (sourceKindOf(key) === 'song' ? songs : logs).run([redelivered(record, receiveCount)]),
          key,
        );
      }
    };
    await deliverAll(1);
    expectSameAnswers((await lakeOf(w)).snapshot, reference, 'after the first delivery');
    await deliverAll(2);
    await deliverAll(3);
    const { dir, snapshot } = await lakeOf(w);
    expectSameAnswers(snapshot, reference, 'after the second and third deliveries');
    // Each delivery committed its own version of the key (same sequencer, later write id).
    expect(
      await lakeRows(
        dir,
        `SELECT count(*) AS versions, count(DISTINCT source_key) AS keys, count(DISTINCT seq) AS sequencers FROM base_sources`,
      ),
    ).toEqual([{ versions: 3 * keys.length, keys: keys.length, sequencers: keys.length }]);
    await expectCompactsClean(w, 'sequential redeliveries');
  });

  it('the same message twice in one batch: processed once, the answers equal the reference', async () => {
    const w = await freshWorld();
    const songKeys = keys.filter((k) => sourceKindOf(k) === 'song');
    const logKeys = keys.filter((k) => sourceKindOf(k) === 'log');
    const songs = worker(w, 'song');
    expect(songKeys).toHaveLength(10);
    for (let i = 0; i < songKeys.length; i += 5) {
      // 5 messages, each twice (the second with a higher receive count): a batch of 10.
      const batch = songKeys.slice(i, i + 5).flatMap((key) => {
        const record = eventRecord(landing, key);
        return [record, redelivered(record, 2)];
      });
      expectNoFailures(await songs.run(batch), `song batch ${i}`);
    }
    const logs = worker(w, 'log');
    for (const key of logKeys) {
      const record = eventRecord(landing, key);
      expectNoFailures(await logs.run([record, { ...record }]), key);
    }
    const { dir, snapshot } = await lakeOf(w);
    expectSameAnswers(snapshot, reference, 'after duplicates within batches');
    // One version per key, one write per batch: the duplicate in a batch was not processed twice.
    expect(
      await lakeRows(
        dir,
        `SELECT count(*) AS versions, count(DISTINCT source_key) AS keys, count(DISTINCT write_id) AS writes FROM base_sources`,
      ),
    ).toEqual([{ versions: keys.length, keys: keys.length, writes: 2 + logKeys.length }]);
    expectNoGarbage(snapshot, 'nothing superseded');
  });
});
