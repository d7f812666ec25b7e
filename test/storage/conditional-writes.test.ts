/**
 * Manifests and shared compacted files are replaced only if unchanged since read. The folder store
 * enforces it itself; for S3 the local stand-ins do not enforce conditional writes (shared notes),
 * so the S3 adapter's requests and its reading of S3's answers are checked against the SDK types.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../src/storage/object-store.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { tempDir } from '../support/paths.js';

const dir = tempDir('conditional');
afterAll(() => dir.cleanup());

describe('FsObjectStore conditional writes', () => {
  const store = new FsObjectStore(dir.path);

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

  it('lets exactly one of many racing writers win', async () => {
    const base = await store.putIfVersion('_manifests/race.json', 'base', undefined);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.putIfVersion('_manifests/race.json', `writer ${i}`, base)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConditionFailedError)).toHaveLength(9);
  });
});

describe('S3ObjectStore conditional writes (request shapes)', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());
  const store = new S3ObjectStore(new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }), 'lake');
  const failure = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

  it('sends If-None-Match: * to create and If-Match: <ETag> to replace, and returns the new ETag', async () => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    expect(await store.putIfVersion('_manifests/a.json', '{}', undefined)).toBe('"v2"');
    expect(await store.putIfVersion('_manifests/a.json', '{}', '"v1"')).toBe('"v2"');
    const inputs: PutObjectCommandInput[] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.Key, input.IfNoneMatch, input.IfMatch])).toEqual([
      ['_manifests/a.json', '*', undefined],
      ['_manifests/a.json', undefined, '"v1"'],
    ]);
  });

  it.each([
    ['PreconditionFailed', 412],
    ['ConditionalRequestConflict', 409],
  ])('reads %s (%i) as a lost race', async (name, status) => {
    s3.reset();
    s3.on(PutObjectCommand).rejects(failure(name, status));
    s3.on(DeleteObjectCommand).rejects(failure(name, status));
    await expect(store.putIfVersion('_manifests/a.json', '{}', '"v1"')).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(store.deleteIfVersion('_manifests/a.json', '"v1"')).rejects.toBeInstanceOf(ConditionFailedError);
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'lake', Key: '_manifests/a.json', IfMatch: '"v1"' });
  });

  it('does not take other errors for a lost race', async () => {
    s3.reset();
    s3.on(PutObjectCommand).rejects(failure('AccessDenied', 403));
    const error = await store.putIfVersion('_manifests/a.json', '{}', '"v1"').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ConditionFailedError);
    expect(String(error)).toContain('cannot write s3://lake/_manifests/a.json');
  });

  it('reads the body and the ETag together', async () => {
    s3.reset();
    // Only the method the adapter calls; the SDK's stream type is a union of runtime-specific mixins.
    const body = { transformToByteArray: async () => new Uint8Array(Buffer.from('hello')) } as unknown as GetObjectCommandOutput['Body'];
    s3.on(GetObjectCommand).resolves({ ETag: '"e1"', Body: body });
    const read = await store.readVersioned('_manifests/a.json');
    expect(read && { text: Buffer.from(read.body).toString(), version: read.version }).toEqual({ text: 'hello', version: '"e1"' });
  });
});
