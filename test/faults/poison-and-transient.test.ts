/**
 * G8 (docs/ARCHITECTURE.md), poison and transient failures, with real queues on fauxqs: a main queue whose
 * redrive policy moves a message to a DLQ after 3 receives, and a tiny poller standing in for the
 * Lambda event source mapping (test/support/faults/sqs-poller.ts): batches of up to 10, the real
 * handler, delete what succeeded, let failures come back after a 1 s visibility timeout.
 *
 * - a poison file (its S3 GET always fails) ends in the DLQ after 3 receives, while the 9 other
 *   messages of its batch commit on the first pass (a failing file fails only its own message);
 * - a transient S3 failure (the first 2 GETs of a key fail) succeeds on the 3rd receive;
 * - a transient Glue error (ThrottlingException on the first BatchCreatePartition) fails the whole
 *   batch before its commit (the catalog must know a partition before its rows are visible), is
 *   retried by redelivery, and the partition ends in the catalog once.
 * Each ends with the answers of a clean ingest of the files that should be in the lake, and a
 * compaction (once the failed attempts count as abandoned) leaves no row of the failed attempts.
 * The three scenarios run concurrently (separate queues, buckets and catalogs) to share the waits.
 */
import { join } from 'node:path';
import { ThrottlingException } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllKeys, putLocalFile, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { copySample, SAMPLE_LOGS, SAMPLE_SONGS, SETANTA_SONG } from '../support/faults/inputs.js';
import { compactTwice, PAST_ABANDONED_AGE_MS } from '../support/faults/compaction.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  lakeRows,
  snapshotBucketLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import {
  createQueueWithDlq,
  drainBodies,
  pollUntilEmpty,
  queueDepth,
  sendBodies,
} from '../support/faults/sqs-poller.js';
import {
  createWorld,
  eventRecord,
  lakeStore,
  restoreObservability,
  sharedObservability,
  worker,
  type World,
} from '../support/worker-harness.js';

const dirs = tempDir('faults-queues');
const MAX_RECEIVES = 3;
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

async function setUp(keys: readonly string[]): Promise<{ w: World; bodies: string[] }> {
  const w = await createWorld(aws);
  worlds.push(w);
  for (const key of keys) await putLocalFile(aws.s3Client, w.landing, key, join(SAMPLE_DIR, key));
  return { w, bodies: keys.map((key) => eventRecord(w.landing, key).body) };
}

/** The lake answers as a clean ingest of `keys` does, and again after a compaction that treats the failed attempts as abandoned. */
async function expectLakeOf(
  w: World,
  keys: readonly string[],
  label: string,
): Promise<{ lakeDir: string; beforeCompaction: LakeSnapshot }> {
  const input = copySample(join(dirs.path, `${label}-input`), keys);
  const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, `${label}-reference`));
  expect(expected.objects.length).toBeGreaterThan(0);
  const lakeDir = join(dirs.path, `${label}-lake`);
  const beforeCompaction = await snapshotBucketLake(aws.s3Client, w.lake, lakeDir);
  expectSameAnswers(beforeCompaction, expected, label);
  await compactTwice(lakeStore(w), { aheadMs: PAST_ABANDONED_AGE_MS });
  const compacted = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, `${label}-compacted`));
  expectSameAnswers(compacted, expected, `${label}, compacted`);
  expectNoGarbage(compacted, `${label}, compacted`);
  return { lakeDir, beforeCompaction };
}

describe.concurrent('real queues with a redrive policy (maxReceiveCount 3, visibility 1 s)', () => {
  it('a poison file whose GET always fails ends in the DLQ after 3 receives; the other 9 of its batch commit on the first pass', async () => {
    const songs = [...new Set([...SAMPLE_SONGS.slice(0, 9), SETANTA_SONG])];
    const poison = songs[4]!;
    const { w, bodies } = await setUp(songs);
    const queues = await createQueueWithDlq(aws.sqsClient, { maxReceiveCount: MAX_RECEIVES, visibilityTimeout: 1 });
    const ids = await sendBodies(aws.sqsClient, queues.main, bodies);
    const poisonId = ids[4]!;
    const song = worker(w, 'song', {
      source: (store) => new FaultyObjectStore(store, { failRead: (key) => key === poison }),
    });

    const result = await pollUntilEmpty(aws.sqsClient, queues.main, (event) => song.run(event.Records));

    const [first, ...rest] = result.invocations;
    expect(first!.event.Records.map((r) => r.messageId)).toEqual(ids);
    expect(first!.response.batchItemFailures).toEqual([{ itemIdentifier: poisonId }]);
    // The 9 good messages were deleted after the first invocation and never came back.
    expect(
      ids.filter((id) => id !== poisonId).every((id) => result.deliveries.get(id) === 1 && result.deleted.has(id)),
    ).toBe(true);
    expect(rest.map((inv) => inv.receiveCounts)).toEqual([{ [poisonId]: 2 }, { [poisonId]: 3 }]);
    expect(result.deliveries.get(poisonId)).toBe(MAX_RECEIVES);
    expect(result.deleted.has(poisonId)).toBe(false);
    const dead = await drainBodies(aws.sqsClient, queues.dlq);
    expect(dead.map((m) => [m.messageId, m.body])).toEqual([[poisonId, bodies[4]]]);
    expect(await queueDepth(aws.sqsClient, queues.main)).toEqual({ visible: 0, inFlight: 0 });
    const { lakeDir } = await expectLakeOf(
      w,
      songs.filter((key) => key !== poison),
      'poison',
    );
    // The 9 committed together, in the first invocation's one batch; the poison file never did.
    expect(
      await lakeRows(
        lakeDir,
        `SELECT count(*) AS versions, count(DISTINCT write_id) AS writes, count(*) FILTER (WHERE source_key = '${poison}') AS poison FROM base_sources`,
      ),
    ).toEqual([{ versions: 9, writes: 1, poison: 0 }]);
  });

  it('a transient S3 failure (the first 2 GETs of a key fail) succeeds on the 3rd receive and the lake is correct', async () => {
    const logs = SAMPLE_LOGS.slice(0, 3);
    const flaky = logs[1]!;
    const { w, bodies } = await setUp(logs);
    const queues = await createQueueWithDlq(aws.sqsClient, { maxReceiveCount: MAX_RECEIVES, visibilityTimeout: 1 });
    const ids = await sendBodies(aws.sqsClient, queues.main, bodies);
    // Counted across containers and store instances: S3 itself fails the first 2 GETs of the key.
    let gets = 0;
    const log = worker(w, 'log', {
      source: (store) => new FaultyObjectStore(store, { failRead: (key) => key === flaky && ++gets <= 2 }),
    });

    const result = await pollUntilEmpty(aws.sqsClient, queues.main, (event) => log.run(event.Records));

    expect(result.deliveries.get(ids[1]!)).toBe(3);
    expect([result.deliveries.get(ids[0]!), result.deliveries.get(ids[2]!)]).toEqual([1, 1]);
    expect(result.invocations.map((inv) => inv.response.batchItemFailures.map((f) => f.itemIdentifier))).toEqual([
      [ids[1]],
      [ids[1]],
      [],
    ]);
    expect(result.deleted).toEqual(new Set(ids));
    expect(gets).toBe(3);
    expect(await drainBodies(aws.sqsClient, queues.dlq)).toEqual([]);
    await expectLakeOf(w, logs, 'transient-s3');
  });

  it('a transient Glue error (ThrottlingException on the first BatchCreatePartition) fails the batch before its commit, is retried by redelivery; the partition is registered once', async () => {
    const logs = SAMPLE_LOGS.slice(3, 5);
    const { w, bodies } = await setUp(logs);
    w.catalog.failNext.push(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const queues = await createQueueWithDlq(aws.sqsClient, { maxReceiveCount: MAX_RECEIVES, visibilityTimeout: 1 });
    const ids = await sendBodies(aws.sqsClient, queues.main, bodies);
    const log = worker(w, 'log');

    const result = await pollUntilEmpty(aws.sqsClient, queues.main, (event) => log.run(event.Records));

    // Both files were in the batch whose registration failed: both come back, then both commit.
    expect(result.invocations.map((inv) => inv.event.Records.length)).toEqual([2, 2]);
    expect(result.invocations[0]!.response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [...ids].sort(),
    );
    expect(result.invocations[1]!.response.batchItemFailures).toEqual([]);
    expect(ids.map((id) => result.deliveries.get(id))).toEqual([2, 2]);
    expect(result.deleted).toEqual(new Set(ids));
    expect(await drainBodies(aws.sqsClient, queues.dlq)).toEqual([]);
    // First call throttled (the plays partition); the retry registered it and the ledger's partition.
    expect(w.catalog.calls.map((call) => call.TableName)).toEqual(['base_plays', 'base_plays', 'base_sources']);
    expect(w.catalog.partitions()).toEqual(['base_plays/2018/11', 'base_sources/log_data']);
    expect(sharedObservability().metricTotal('BatchesFailed')).toBeGreaterThanOrEqual(1);
    const { beforeCompaction } = await expectLakeOf(w, logs, 'transient-glue');
    // The failed attempt had written its data files; never committed, no answer shows them, compaction removed them.
    expect(beforeCompaction.uncommittedFiles.length).toBeGreaterThan(0);
    const errors = sharedObservability()
      .logs()
      .filter((entry) => entry.level === 'ERROR' && JSON.stringify(entry).includes('Rate exceeded'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });

  it('a transient Glue error on a cold container: the retry (a new container, content unchanged) still registers the partition', async () => {
    const logs = SAMPLE_LOGS.slice(5, 6);
    const { w, bodies } = await setUp(logs);
    w.catalog.failNext.push(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const queues = await createQueueWithDlq(aws.sqsClient, { maxReceiveCount: MAX_RECEIVES, visibilityTimeout: 1 });
    const [id] = await sendBodies(aws.sqsClient, queues.main, bodies);

    // Every invocation on a fresh container: the retry cannot lean on a warm partition cache.
    const result = await pollUntilEmpty(aws.sqsClient, queues.main, (event) => worker(w, 'log').run(event.Records));

    expect(result.deliveries.get(id!)).toBe(2);
    expect(await drainBodies(aws.sqsClient, queues.dlq)).toEqual([]);
    expect(w.catalog.calls).toHaveLength(3);
    expect(w.catalog.partitions()).toEqual(['base_plays/2018/11', 'base_sources/log_data']);
    await expectLakeOf(w, logs, 'transient-glue-cold');
  });

  // Guards a fixed bug (S3ObjectStore.openRead used to map NoSuchBucket, a 404 too, to "no such
  // object": the worker then removed the key's rows and the message succeeded instead of failing).
  it('a message naming a landing bucket that does not exist ends in the DLQ and the lake keeps its rows', async () => {
    const key = SAMPLE_LOGS[6]!;
    const { w, bodies } = await setUp([key]);
    const queues = await createQueueWithDlq(aws.sqsClient, { maxReceiveCount: MAX_RECEIVES, visibilityTimeout: 1 });
    await sendBodies(aws.sqsClient, queues.main, bodies);
    await pollUntilEmpty(aws.sqsClient, queues.main, (event) => worker(w, 'log').run(event.Records));
    const before = await listAllKeys(aws.s3Client, w.lake);
    expect(before.length).toBeGreaterThan(0);

    const [id] = await sendBodies(aws.sqsClient, queues.main, [eventRecord(`${w.landing}-gone`, key).body]);
    await pollUntilEmpty(aws.sqsClient, queues.main, (event) => worker(w, 'log').run(event.Records));

    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual(before);
    expect((await drainBodies(aws.sqsClient, queues.dlq)).map((m) => m.messageId)).toEqual([id]);
  });
});
