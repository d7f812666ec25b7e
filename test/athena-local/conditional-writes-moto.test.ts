/**
 * moto enforces S3 conditional writes (If-None-Match: * and If-Match on PutObject, If-Match on
 * DeleteObject), and answers If-Match on a missing key with 404 NoSuchKey as S3 does (fauxqs and
 * s3rver accept the headers and ignore them). So the protocol the folder store is tested with
 * (test/storage/conditional-writes.test.ts) and the two-writers race of
 * test/faults/concurrency.test.ts run here against the real S3 adapter.
 */
import { CreateBucketCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../lambdas/worker-handler.js';
import { localAwsClients, type LocalAwsClients } from '../../src/athena-local/aws-clients.js';
import { manifestKey, outputStem } from '../../src/domain/layout.js';
import { ConditionFailedError, type ObjectStore } from '../../src/storage/object-store.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { copySample, SAMPLE_LOGS, sampleText, shiftedLog, writeInput } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameLake, snapshotBucketLake } from '../support/faults/lake-compare.js';
import { restoreObservability, sharedObservability } from '../support/faults/observability.js';
import { lambdaContext, s3EventBody, s3EventRecord, sqsEvent, sqsRecord } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { localAthena } from './support.js';

const dirs = tempDir('moto-conditional');
let clients: LocalAwsClients;
let counter = 0;

async function freshBucket(): Promise<string> {
  const bucket = `conditional-${process.pid}-${++counter}-${Date.now().toString(36)}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

beforeAll(() => {
  clients = localAwsClients(localAthena().awsEndpoint);
});
afterAll(() => {
  restoreObservability();
  clients?.destroy();
  dirs.cleanup();
});

describe('moto answers conditional requests as S3 does', () => {
  it('412 for If-None-Match on an existing key and for a stale If-Match; 404 NoSuchKey for If-Match on a missing key', async () => {
    const bucket = await freshBucket();
    const put = (input: { IfNoneMatch?: string; IfMatch?: string }, key = 'k') =>
      clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x', ...input })).then(
        (r) => `ok ${r.ETag}`,
        (e: S3ServiceException) => `${e.$metadata.httpStatusCode} ${e.name}`,
      );
    const created = await put({ IfNoneMatch: '*' });
    expect(created).toMatch(/^ok "/);
    expect(await put({ IfNoneMatch: '*' })).toBe('412 PreconditionFailed');
    expect(await put({ IfMatch: '"00000000000000000000000000000000"' })).toBe('412 PreconditionFailed');
    expect(await put({ IfMatch: created.slice(3) })).toMatch(/^ok "/);
    expect(await put({ IfMatch: created.slice(3) }, 'missing')).toBe('404 NoSuchKey');
  });
});

describe('S3ObjectStore conditional writes against moto', () => {
  let store: S3ObjectStore;
  beforeAll(async () => {
    store = new S3ObjectStore(clients.s3, await freshBucket());
  });

  it('creates only when absent, replaces only the version read, deletes only the version read', async () => {
    const v1 = await store.putIfVersion('_manifests/a.json', 'one', undefined);
    await expect(store.putIfVersion('_manifests/a.json', 'again', undefined)).rejects.toBeInstanceOf(ConditionFailedError);
    const read = await store.readVersioned('_manifests/a.json');
    expect(read && Buffer.from(read.body).toString()).toBe('one');
    expect(read?.version).toBe(v1);
    const v2 = await store.putIfVersion('_manifests/a.json', 'two', v1);
    expect(v2).not.toBe(v1);
    await expect(store.putIfVersion('_manifests/a.json', 'stale', v1)).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(store.deleteIfVersion('_manifests/a.json', v1)).rejects.toBeInstanceOf(ConditionFailedError);
    await store.deleteIfVersion('_manifests/a.json', v2);
    expect(await store.readVersioned('_manifests/a.json')).toBeUndefined();
    await expect(store.deleteIfVersion('_manifests/a.json', v2)).rejects.toBeInstanceOf(ConditionFailedError);
  });

  it('a replace of a version someone deleted meanwhile is a lost race (S3 answers 404 NoSuchKey, not 412)', async () => {
    const v1 = await store.putIfVersion('_manifests/gone.json', 'one', undefined);
    await store.deleteIfVersion('_manifests/gone.json', v1);
    await expect(store.putIfVersion('_manifests/gone.json', 'two', v1)).rejects.toBeInstanceOf(ConditionFailedError);
  });

  it('lets exactly one of many racing writers win', async () => {
    const base = await store.putIfVersion('_manifests/race.json', 'base', undefined);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.putIfVersion('_manifests/race.json', `writer ${i}`, base)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConditionFailedError)).toHaveLength(9);
  });
});

describe('two versions of one key processed at the same moment, lake in moto S3', () => {
  const KEY = SAMPLE_LOGS[0] as string;

  async function deliver(source: ObjectStore, lake: ObjectStore): Promise<void> {
    const obs = sharedObservability();
    const handler = createWorkerHandler({ kind: 'log', sourceStore: () => source, lake, registerPartitions: async () => undefined, logger: obs.logger, metrics: obs.metrics, processInParallel: false });
    const response = await handler(sqsEvent(sqsRecord(s3EventBody(s3EventRecord({ bucket: 'landing', key: KEY })))), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
  }

  it('converge on the current version: the worker that loses the manifest race starts over', async () => {
    const v1Input = copySample(join(dirs.path, 'v1'), [KEY]);
    const v2Input = join(dirs.path, 'v2');
    writeInput(v2Input, KEY, shiftedLog(sampleText(KEY), { days: 30, keepEvery: 1 }));
    const bucket = await freshBucket();
    const lake = new S3ObjectStore(clients.s3, bucket);

    let bStarted!: () => void;
    const bHasStarted = new Promise<void>((resolve) => (bStarted = resolve));
    let aFinished!: () => void;
    const aHasFinished = new Promise<void>((resolve) => (aFinished = resolve));
    const aLake = new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? bHasStarted : undefined) });
    const bSource = new FaultyObjectStore(new FsObjectStore(v2Input), { gate: (op) => (op === 'read' ? bStarted() : undefined) });
    const bLake = new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? aHasFinished : undefined) });
    await Promise.all([deliver(new FsObjectStore(v1Input), aLake).then(() => aFinished()), deliver(bSource, bLake)]);

    const { snapshot: reference } = await buildReferenceLake(v2Input, join(dirs.path, 'reference'));
    // The reference lake is a folder made by `ingest`, with its marker file; the bucket has none.
    const expected = { ...reference, objects: Object.fromEntries(Object.entries(reference.objects).filter(([key]) => key !== '.sparkify-lake')) };
    const afterRace = await snapshotBucketLake(clients.s3, bucket, join(dirs.path, 'after-race'));
    expect(Object.keys(afterRace.objects)).not.toContain(`base_plays/year=2018/month=11/${outputStem(KEY)}.parquet`);
    expect(Object.keys(afterRace.objects)).toContain(manifestKey(KEY));
    expectSameLake(afterRace, expected, 'right after the race');
    expect(bLake.keys('read').filter((key) => key === manifestKey(KEY))).toHaveLength(2);
  });
});
