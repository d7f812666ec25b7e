/**
 * moto enforces S3 conditional writes (If-None-Match: * and If-Match on PutObject) and answers
 * If-Match on a missing key with 404 NoSuchKey, as S3 does; fauxqs and s3rver accept the headers
 * and ignore them. That is recorded here, because it decides which emulator can test code that
 * relies on them. The lake does not (docs/ARCHITECTURE.md: every object has a new name, and the
 * ledger orders versions), and the race that conditional writes used to settle is run here against
 * the real S3 adapter on moto: two versions of one key processed at the same moment converge on
 * the one with the greater sequencer, whichever finishes last.
 */
import { CreateBucketCommand, PutObjectCommand, type S3ServiceException } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAwsClients, type LocalAwsClients } from '../../src/athena-local/aws-clients.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { container, eventRecord } from '../support/worker-harness.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { copySample, SAMPLE_LOGS, sampleText, shiftedLog, writeInput } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameAnswers, rowsOf, snapshotBucketLake } from '../support/faults/lake-compare.js';
import { restoreObservability } from '../support/faults/observability.js';
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

describe('two versions of one key processed at the same moment, lake in moto S3', () => {
  const KEY = SAMPLE_LOGS[0] as string;

  it.each(['v1', 'v2'] as const)(
    'the %s worker finishing last: the answers show v2, the version with the greater sequencer',
    async (last) => {
      const v1Input = copySample(join(dirs.path, `${last}-v1`), [KEY]);
      const v2Input = join(dirs.path, `${last}-v2`);
      writeInput(v2Input, KEY, shiftedLog(sampleText(KEY), { days: 30, keepEvery: 1 }));
      const bucket = await freshBucket();
      const lake = new S3ObjectStore(clients.s3, bucket);
      const e1 = eventRecord('landing', KEY);
      const e2 = eventRecord('landing', KEY);

      // Both read their version before either writes; the one named `last` writes after the other finished.
      let firstDone!: () => void;
      const firstFinished = new Promise<void>((resolve) => (firstDone = resolve));
      const held = (name: 'v1' | 'v2') =>
        new FaultyObjectStore(lake, {
          gate: async (op) => (op === 'put' && name === last ? firstFinished : undefined),
        });
      const first = last === 'v1' ? 'v2' : 'v1';
      const runs = {
        v1: () => container('log', new FsObjectStore(v1Input), held('v1')).run([e1]),
        v2: () => container('log', new FsObjectStore(v2Input), held('v2')).run([e2]),
      };
      const [lastFailed, firstFailed] = await Promise.all([runs[last](), runs[first]().finally(firstDone)]);
      expect([lastFailed, firstFailed]).toEqual([[], []]);

      const { snapshot: expected } = await buildReferenceLake(v2Input, join(dirs.path, `${last}-reference`));
      const actual = await snapshotBucketLake(clients.s3, bucket, join(dirs.path, `${last}-after-race`));
      expectSameAnswers(actual, expected, `${last} finished last`);
      expect(new Set(rowsOf(actual, 'songplays').map((row) => row.month))).toEqual(new Set([12]));
    },
  );
});
