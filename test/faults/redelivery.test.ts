/**
 * Guarantee 1, redelivery: SQS delivers at least once, so the same S3 event message can reach the
 * workers several times, at the same moment (several containers) or later. Through the real
 * handler on fauxqs (13 sample files: 10 songs, 3 days of logs, one matched play), every duplicate
 * must leave the analyst tables and the lake's objects exactly as one clean, ordered ingest of the
 * same files does.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKindOf } from '../../src/domain/layout.js';
import { startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { copySample, logEvents, playIds, sampleText, SETANTA_PLAY, SMALL_SUBSET } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameLake, forEachLimit, rowsOf, snapshotBucketLake, type LakeSnapshot } from '../support/faults/lake-compare.js';
import { createWorld, eventRecord, expectNoFailures, landFolder, restoreObservability, worker, type World } from '../support/faults/worker-world.js';

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
  [keys, { snapshot: reference }] = await Promise.all([landFolder(aws, landing, input), buildReferenceLake(input, join(dirs.path, 'reference'))]);
  expect(keys).toHaveLength(13);
  // The reference is not trivially empty (the comparisons below can fail): 10 songs, 3 days of
  // plays, one of them matched to its song.
  expect(reference.tables.songs).toHaveLength(10);
  expect(reference.tables.songplays).toHaveLength(SMALL_SUBSET.flatMap((key) => (key.startsWith('log_data/') ? playIds(logEvents(sampleText(key))) : [])).length);
  expect(rowsOf(reference, 'songplays').filter((row) => row.song_id !== null)).toMatchObject([{ songplay_id: SETANTA_PLAY, song_id: 'SOZCTXZ12AB0182364' }]);
});
afterAll(async () => {
  for (const w of worlds) w.restore();
  restoreObservability();
  await aws?.stop();
  dirs.cleanup();
});

/** `table/v1/v2` of every partition folder holding an output in a lake. */
function partitionsOf(lake: LakeSnapshot): string[] {
  const ids = Object.keys(lake.objects)
    .filter((key) => key.endsWith('.parquet'))
    .map((key) => key.split('/').slice(0, -1).map((part, i) => (i === 0 ? part : part.split('=')[1])).join('/'));
  return [...new Set(ids)].sort();
}

async function freshWorld(): Promise<World> {
  const w = await createWorld(aws, { landing });
  worlds.push(w);
  return w;
}

async function lakeOf(w: World, label: string): Promise<LakeSnapshot> {
  return snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, label));
}

describe('a redelivered S3 event message changes nothing', () => {
  it('every message delivered 3 times at once, to 3 containers (Promise.all of handler invocations): tables and objects equal the reference', async () => {
    const w = await freshWorld();
    await forEachLimit(keys, 6, async (key) => {
      const kind = sourceKindOf(key)!;
      const record = eventRecord(landing, key);
      // The same message (same messageId and body) to three containers at the same moment.
      const responses = await Promise.all([1, 2, 3].map((n) => worker(w, kind).run([{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(n) } }])));
      for (const response of responses) expectNoFailures(response, key);
    });
    expectSameLake(await lakeOf(w, 'concurrent'), reference, 'after 3 concurrent deliveries of every message');
    // The catalog knows each partition of the lake once (the other registrations answered AlreadyExists).
    expect(w.catalog.partitions()).toEqual(partitionsOf(reference));
    expect(w.catalog.alreadyExistsAnswers).toBeGreaterThan(0);
  });

  it('every message delivered once, then twice more one after the other (receive count 2 and 3): the lake never changes after the first pass', async () => {
    const w = await freshWorld();
    const songs = worker(w, 'song');
    const logs = worker(w, 'log');
    const messages = new Map(keys.map((key) => [key, eventRecord(landing, key)]));
    const deliverAll = async (receiveCount: number): Promise<void> => {
      for (const [key, record] of messages) {
        // The very same message (id, receipt, body) again, as SQS redelivers it.
        const again = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) } };
        expectNoFailures(await (sourceKindOf(key) === 'song' ? songs : logs).run([again]), key);
      }
    };
    await deliverAll(1);
    const afterFirst = await lakeOf(w, 'sequential-1');
    expectSameLake(afterFirst, reference, 'after the first delivery');
    await deliverAll(2);
    await deliverAll(3);
    expectSameLake(await lakeOf(w, 'sequential-3'), reference, 'after the second and third deliveries');
  });

  it('the same message twice in one batch (song worker processes its batch in parallel): same tables and objects', async () => {
    const w = await freshWorld();
    const songKeys = keys.filter((k) => sourceKindOf(k) === 'song');
    const logKeys = keys.filter((k) => sourceKindOf(k) === 'log');
    const songs = worker(w, 'song');
    expect(songKeys).toHaveLength(10);
    for (let i = 0; i < songKeys.length; i += 5) {
      // 5 messages, each twice: a batch of 10 with every record duplicated.
      const batch = songKeys.slice(i, i + 5).flatMap((key) => {
        const record = eventRecord(landing, key);
        return [record, { ...record }];
      });
      expectNoFailures(await songs.run(batch), `song batch ${i}`);
    }
    const logs = worker(w, 'log');
    for (const key of logKeys) {
      const record = eventRecord(landing, key);
      expectNoFailures(await logs.run([record, { ...record }]), key);
    }
    expectSameLake(await lakeOf(w, 'same-batch'), reference, 'after duplicates within batches');
  });
});
