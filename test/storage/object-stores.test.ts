/**
 * One contract for the storage port, run against both adapters: the local-folder store on a temp
 * dir and the S3 store on an in-process fauxqs server. Then utf8Lines/readText, which every
 * adapter's streams go through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readText, streamText, utf8Lines, type ObjectStore } from '../../src/storage/object-store.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { createBucket, getObjectBytes, startLocalAws, type LocalAws } from '../support/local-s3.js';

let aws: LocalAws;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Adapter {
  readonly name: string;
  /** A fresh, empty store. */
  create(): Promise<ObjectStore>;
}

const ADAPTERS: readonly Adapter[] = [
  {
    name: 'FsObjectStore (temp dir)',
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'object-store-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return new FsObjectStore(dir);
    },
    // fs-store.ts collect(): readdir on a file throws ENOTDIR, which only ENOENT is caught for;
    // and every dot-file is skipped by list() (meant for its own .tmp files).
  },
  {
    name: 'S3ObjectStore (fauxqs)',
    async create() {
      return new S3ObjectStore(aws.s3Client, await createBucket(aws.s3Client, 'store'));
    },
  },
];

async function bytesOf(store: ObjectStore, key: string): Promise<Uint8Array | undefined> {
  const stream = await store.openRead(key);
  if (!stream) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

async function listed(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys;
}

async function* chunksOf(...chunks: (Uint8Array | string)[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

async function lines(stream: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of utf8Lines(stream)) out.push(line);
  return out;
}

describe.each(ADAPTERS)('ObjectStore contract: $name', (adapter) => {
  let store: ObjectStore;

  it('round-trips bytes exactly, every byte value included', async () => {
    store = await adapter.create();
    const bytes = new Uint8Array(1024).map((_, i) => (i * 7) % 256);
    await store.put('bin/all-bytes.bin', bytes, 'application/octet-stream');
    expect(await bytesOf(store, 'bin/all-bytes.bin')).toEqual(bytes);
  });

  it('round-trips a string as UTF-8, multi-byte characters included', async () => {
    store = await adapter.create();
    const text = 'Beyoncé – 東京 😀\nline two\r\n';
    await store.put('text/unicode.txt', text, 'text/plain');
    expect(await readText(store, 'text/unicode.txt')).toBe(text);
    expect(Buffer.from((await bytesOf(store, 'text/unicode.txt')) ?? [])).toEqual(Buffer.from(text, 'utf8'));
  });

  it('replaces the whole object on a second put (a shorter body leaves no tail)', async () => {
    store = await adapter.create();
    await store.put('k.txt', 'a long first version');
    await store.put('k.txt', 'v2');
    expect(await readText(store, 'k.txt')).toBe('v2');
    expect(await listed(store, '')).toEqual(['k.txt']);
  });

  it('round-trips an empty object', async () => {
    store = await adapter.create();
    await store.put('empty.json', '');
    const stream = await store.openRead('empty.json');
    expect(stream).toBeDefined();
    expect(await streamText(stream!)).toBe('');
  });

  it('returns undefined for a missing key, also beside and under existing keys', async () => {
    store = await adapter.create();
    await store.put('dir/present.json', '{}');
    expect(await store.openRead('dir/absent.json')).toBeUndefined();
    expect(await store.openRead('nowhere/at/all.json')).toBeUndefined();
    expect(await readText(store, 'dir/absent.json')).toBeUndefined();
    // A "folder" is not an object.
    expect(await store.openRead('dir')).toBeUndefined();
  });

  it('delete removes the object and is idempotent (missing key, twice)', async () => {
    store = await adapter.create();
    await store.put('a/b.json', '1');
    await store.put('a/c.json', '2');
    await store.delete('a/b.json');
    expect(await store.openRead('a/b.json')).toBeUndefined();
    await expect(store.delete('a/b.json')).resolves.toBeUndefined();
    await expect(store.delete('never/existed.json')).resolves.toBeUndefined();
    expect(await listed(store, 'a/')).toEqual(['a/c.json']);
  });

  it('lists every key under the prefix, in lexicographic order, and nothing outside it', async () => {
    store = await adapter.create();
    // Put out of order. Keys are lower-case ASCII: fauxqs sorts with localeCompare, S3 by bytes,
    // and the two agree on these.
    const keys = [
      'logs/2018/11/b.json',
      'logs/2018/11/a.json',
      'logs/2018/10/z.json',
      'logs/2018/1/x.json',
      'logs/2018-old/a.json',
      'logs/20180/a.json',
      'logs/2018.json',
      'logs/2019/a.json',
      'songs/2018/a.json',
      'logs2018/a.json',
    ];
    for (const key of keys) await store.put(key, key);

    expect(await listed(store, 'logs/2018/')).toEqual([
      'logs/2018/1/x.json',
      'logs/2018/10/z.json',
      'logs/2018/11/a.json',
      'logs/2018/11/b.json',
    ]);
    // A prefix is a string prefix, not a folder: siblings that start the same way are included.
    expect(await listed(store, 'logs/2018')).toEqual([
      'logs/2018-old/a.json',
      'logs/2018.json',
      'logs/2018/1/x.json',
      'logs/2018/10/z.json',
      'logs/2018/11/a.json',
      'logs/2018/11/b.json',
      'logs/20180/a.json',
    ]);
    expect(await listed(store, 'logs/2018/11/a')).toEqual(['logs/2018/11/a.json']);
    expect(await listed(store, '')).toEqual([...keys].sort());
    expect(await listed(store, 'nothing/')).toEqual([]);
    expect(await listed(store, 'logs/2017/')).toEqual([]);
  });

  it('lists nothing under a prefix that names an object as if it were a folder', async () => {
    store = await adapter.create();
    await store.put('solo.json', '{}');
    expect(await listed(store, 'solo.json')).toEqual(['solo.json']);
    expect(await listed(store, 'solo.json/')).toEqual([]);
  });

  it('lists keys whose last segment starts with a dot', async () => {
    store = await adapter.create();
    await store.put('song_data/.early.json', '{}');
    await store.put('song_data/late.json', '{}');
    expect(await readText(store, 'song_data/.early.json')).toBe('{}');
    expect(await listed(store, 'song_data/')).toEqual(['song_data/.early.json', 'song_data/late.json']);
  });

  it('keeps keys with spaces, plus signs, percent signs and unicode intact', async () => {
    store = await adapter.create();
    const keys = [
      'song_data/A/B/C/TR my song é.json',
      'song_data/A/B/C/a+b=c.json',
      'song_data/A/B/C/100% sure.json',
      'song_data/A/B/C/東京 😀.json',
      'song_data/A/B/C/q?x#y&z.json',
    ];
    for (const key of keys) await store.put(key, `content of ${key}`);
    for (const key of keys) expect(await readText(store, key)).toBe(`content of ${key}`);
    // Order among non-ASCII keys differs between fauxqs (localeCompare) and S3 (bytes): compare sets.
    expect(new Set(await listed(store, 'song_data/A/B/C/'))).toEqual(new Set(keys));
    await store.delete('song_data/A/B/C/TR my song é.json');
    expect(await store.openRead('song_data/A/B/C/TR my song é.json')).toBeUndefined();
    expect(await listed(store, 'song_data/A/B/C/TR')).toEqual([]);
  });

  it('lists past one page of results (more than 1,000 keys)', async () => {
    store = await adapter.create();
    const keys = Array.from({ length: 1_005 }, (_, i) => `many/${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, key)));
    await store.put('other/0000.json', 'x');
    const got = await listed(store, 'many/');
    expect(got).toHaveLength(1_005);
    expect(got).toEqual(keys);
  });

  it('streams a multi-chunk object whose lines and multi-byte characters straddle chunk boundaries', async () => {
    store = await adapter.create();
    // ~200 KB: several chunks for both adapters (fs reads 64 KiB at a time).
    const expected = Array.from({ length: 4_000 }, (_, i) => `{"n":${i},"s":"é東😀${'x'.repeat(i % 37)}"}`);
    await store.put('log_data/big.json', `${expected.join('\n')}\n`);
    const stream = await store.openRead('log_data/big.json');
    expect(stream).toBeDefined();
    let chunks = 0;
    async function* counted(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        chunks += 1;
        yield chunk;
      }
    }
    expect(await lines(counted(stream!))).toEqual(expected);
    expect(chunks).toBeGreaterThan(1);
  });
});

describe('S3ObjectStore specifics (fauxqs)', () => {
  it('describes itself as s3://bucket and sets the content type it is given', async () => {
    const bucket = await createBucket(aws.s3Client, 'ct');
    const store = new S3ObjectStore(aws.s3Client, bucket);
    expect(store.description).toBe(`s3://${bucket}`);
    await store.put('x.parquet', new Uint8Array([80, 65, 82, 49]), 'application/vnd.apache.parquet');
    expect(await getObjectBytes(aws.s3Client, bucket, 'x.parquet')).toEqual(new Uint8Array([80, 65, 82, 49]));
  });

  it('wraps a write error with the bucket and key', async () => {
    const store = new S3ObjectStore(aws.s3Client, 'no-such-bucket-for-put');
    await expect(store.put('a/b.json', '{}')).rejects.toThrow('cannot write s3://no-such-bucket-for-put/a/b.json');
  });

  // A missing bucket is a 404 too; taken for a missing object, the worker would remove that key's rows.
  it('rejects openRead on a bucket that does not exist instead of reporting a missing object', async () => {
    const store = new S3ObjectStore(aws.s3Client, 'no-such-bucket-for-read');
    await expect(store.openRead('song_data/A/B/C/x.json')).rejects.toThrow(/no-such-bucket-for-read/);
  });
});

describe('FsObjectStore specifics', () => {
  it('refuses keys that escape the root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'object-store-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = new FsObjectStore(dir);
    await expect(store.put('../outside.json', '{}')).rejects.toThrow('object key escapes the store: ../outside.json');
    await expect(store.openRead('a/../../outside.json')).rejects.toThrow('escapes the store');
  });
});

describe('utf8Lines', () => {
  it('splits lines whose newline falls at, before and after chunk boundaries', async () => {
    expect(await lines(chunksOf('a', '\nb', 'c\n', 'd\ne\nf', '\n', 'g'))).toEqual(['a', 'bc', 'd', 'e', 'f', 'g']);
  });

  it('decodes a 2-byte character split between two chunks', async () => {
    const bytes = Buffer.from('café\nnext', 'utf8'); // é = C3 A9
    const split = bytes.indexOf(0xa9);
    expect(await lines(chunksOf(bytes.subarray(0, split), bytes.subarray(split)))).toEqual(['café', 'next']);
  });

  it('decodes a 4-byte character split over three chunks, one byte at a time at the end', async () => {
    const bytes = Buffer.from('x😀y\n😀', 'utf8'); // 😀 = F0 9F 98 80
    const chunks = [
      bytes.subarray(0, 2),
      bytes.subarray(2, 4),
      bytes.subarray(4, 8),
      ...[...bytes.subarray(8)].map((b) => Uint8Array.of(b)),
    ];
    expect(await lines(chunksOf(...chunks))).toEqual(['x😀y', '😀']);
  });

  it('keeps the \\r of CRLF line ends for the caller, even when \\r and \\n are in different chunks', async () => {
    expect(await lines(chunksOf('a\r\nb\r', '\nc\r\n'))).toEqual(['a\r', 'b\r', 'c\r']);
  });

  it('yields the last line when there is no trailing newline, and no extra empty line when there is', async () => {
    expect(await lines(chunksOf('one\ntwo'))).toEqual(['one', 'two']);
    expect(await lines(chunksOf('one\ntwo\n'))).toEqual(['one', 'two']);
  });

  it('keeps blank lines in the middle', async () => {
    expect(await lines(chunksOf('\n\na\n\n'))).toEqual(['', '', 'a', '']);
  });

  it('yields nothing for an empty stream or one of empty chunks', async () => {
    expect(await lines(chunksOf())).toEqual([]);
    expect(await lines(chunksOf('', new Uint8Array(0)))).toEqual([]);
  });

  it('replaces an invalid UTF-8 sequence instead of throwing', async () => {
    expect(await lines(chunksOf(Uint8Array.of(0x61, 0xff, 0x62)))).toEqual(['a\uFFFDb']);
  });

  it('flushes a character left incomplete at the end of the stream as U+FFFD', async () => {
    expect(await lines(chunksOf(Uint8Array.of(0x61, 0xc3)))).toEqual(['a\uFFFD']);
  });
});

describe('streamText', () => {
  it('joins chunks before decoding, so a split multi-byte character survives', async () => {
    const bytes = Buffer.from('é', 'utf8');
    expect(await streamText(chunksOf(bytes.subarray(0, 1), bytes.subarray(1)))).toBe('é');
  });
});
