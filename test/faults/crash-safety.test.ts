/**
 * G5 and G6 (docs/ARCHITECTURE.md), crash safety. A worker writes a batch as new, immutable objects (one per table
 * partition) and commits it last, with its rows of the ledger (base_sources). A fault-injecting
 * lake store (test/support/faults/fault-store.ts) crashes the worker after its k-th write, for every
 * k over the writes of a batch that adds, replaces (into another partition) and removes files, of
 * songs and of logs. After each crash:
 * - every message of the batch fails (to be redelivered), and a reader sees only whole objects;
 * - nothing the crash left behind is visible: every answer is still the one before the batch;
 * - the retry (a redelivery of the same messages) gives the answers of a clean ingest;
 * - a compaction run once the crashed write counts as abandoned (its clock moved past 2 h) leaves
 *   no row and no file of it.
 * Then the crash points that matter when the object changes before the retry, and the stores'
 * own guarantee that no reader ever sees a partial object.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sourceKindOf, type SourceKind } from '../../src/domain/layout.js';
import { BASE_SOURCES } from '../../src/domain/tables.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { readText, type ObjectStore } from '../../src/storage/object-store.js';
import { createBucket, getObjectBytes, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { compactTwice, PAST_ABANDONED_AGE_MS } from '../support/faults/compaction.js';
import { container, eventRecord, redelivered } from '../support/worker-harness.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import {
  copySample,
  folderKeys,
  sampleText,
  SAMPLE_SONGS,
  SETANTA_SONG,
  shiftedLog,
  writeInput,
} from '../support/faults/inputs.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  snapshotLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import { lakeIntegrity } from '../support/faults/lake-integrity.js';
import { restoreObservability } from '../support/faults/observability.js';

// Folder-store faults below the adapter: a temporary file torn in the middle, a rename that never happens.
const fsFaults = vi.hoisted(() => ({ tearTempWrites: false, failRenames: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const injected = (what: string): Error => Object.assign(new Error(`${what} (injected)`), { code: 'EIO' });
  return {
    ...actual,
    writeFile: async (...args: Parameters<typeof actual.writeFile>) => {
      const [path, data] = args;
      // The folder store writes a temporary file in the lake's _tmp/, then renames it: tear the
      // write of any file whose name is not a lake object's (not *.parquet, not *.json).
      if (fsFaults.tearTempWrites && !/\.(parquet|json)$/.test(String(path))) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
        await actual.writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
        throw injected('EIO: i/o error, write');
      }
      return actual.writeFile(...args);
    },
    rename: async (...args: Parameters<typeof actual.rename>) => {
      if (fsFaults.failRenames) throw injected('EIO: i/o error, rename');
      return actual.rename(...args);
    },
  };
});

const dirs = tempDir('faults-crash');
const LANDING = 'landing';
const BAD_SONG = 'song_data/Z/Z/Z/TRZZZZZ00000000001.json';
const NEW_BAD_SONG = 'song_data/Z/Z/Z/TRZZZZZ00000000002.json';
const SONG_1969 = 'song_data/A/A/A/TRAAABD128F429CF47.json';
const L1 = 'log_data/2018/11/2018-11-01-events.json';
const L2 = 'log_data/2018/11/2018-11-25-events.json';
const L3 = 'log_data/2018/11/2018-11-03-events.json';
const BAD_LINE = '{"page":"NextSong","ts":15411';
const S1 = SAMPLE_SONGS[0]!;
const ABANDONED = { aheadMs: PAST_ABANDONED_AGE_MS };

/** The lake before each batch: 1 good song, 1 bad song file, 2 logs (one with a bad line). */
const beforeInput = join(dirs.path, 'before-input');
const beforeLake = join(dirs.path, 'before-lake');
let before: LakeSnapshot;

interface Batch {
  readonly name: string;
  readonly kind: SourceKind;
  readonly keys: readonly string[];
  /** Turns a copy of the before input into the input after the batch. */
  change(inputDir: string): void;
}

const BATCHES: readonly Batch[] = [
  {
    name: 'songs: a new song, a bad file replaced by a good song of another year, a song removed, a new bad file',
    kind: 'song',
    keys: [SETANTA_SONG, BAD_SONG, S1, NEW_BAD_SONG],
    change: (dir) => {
      copySample(dir, [SETANTA_SONG]);
      writeInput(dir, BAD_SONG, sampleText(SONG_1969));
      rmSync(join(dir, S1));
      writeInput(dir, NEW_BAD_SONG, '{"song_id": "SOX", "tit');
    },
  },
  {
    name: 'logs: a log replaced by a version a month later without its bad line, a log removed, a new log with a bad line',
    kind: 'log',
    keys: [L1, L2, L3],
    change: (dir) => {
      writeInput(dir, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 }));
      rmSync(join(dir, L2));
      writeInput(dir, L3, `${sampleText(L3)}\n${BAD_LINE}`);
    },
  },
];

beforeAll(async () => {
  copySample(beforeInput, [S1, L2]);
  writeInput(beforeInput, BAD_SONG, `[${sampleText(S1)}]`);
  writeInput(beforeInput, L1, `${sampleText(L1)}\n${BAD_LINE}`);
  ({ snapshot: before } = await buildReferenceLake(beforeInput, beforeLake));
  expect(before.views.rejects).toHaveLength(2);
  expect(before.views.songs).toHaveLength(1);
});
afterAll(() => {
  restoreObservability();
  dirs.cleanup();
});

let runs = 0;
function freshLake(): string {
  const lake = join(dirs.path, `lake-${++runs}`);
  cpSync(beforeLake, lake, { recursive: true });
  return lake;
}

/** One invocation of the real handler (a fresh container) with these records; the failed message ids. */
async function deliver(
  kind: SourceKind,
  records: readonly SQSRecord[],
  source: ObjectStore,
  lake: ObjectStore,
): Promise<string[]> {
  return container(kind, source, lake).run(records);
}

/** The batch's messages; made after the before lake, so each is a later version of its key. */
function messagesOf(keys: readonly string[]): SQSRecord[] {
  return keys.map((key) => eventRecord(LANDING, key));
}

const isCommit = (key: string): boolean => key.startsWith(`${BASE_SOURCES.name}/`);

describe.each(BATCHES)('a crash after the k-th write of a batch, then a retry: $name', (batch) => {
  const index = BATCHES.indexOf(batch);
  const input = join(dirs.path, `input-${index}`);
  let expected: LakeSnapshot;
  let writes: string[];

  beforeAll(async () => {
    cpSync(beforeInput, input, { recursive: true });
    batch.change(input);
    ({ snapshot: expected } = await buildReferenceLake(input, join(dirs.path, `reference-${index}`)));
    // A clean run of the batch, recording its writes.
    const counting = new FaultyObjectStore(new FsObjectStore(freshLake()));
    expect(await deliver(batch.kind, messagesOf(batch.keys), new FsObjectStore(input), counting)).toEqual([]);
    writes = counting.timeline.filter((event) => event.phase === 'start').map((event) => `${event.op} ${event.key}`);
    // The commit is the last write and starts only once every data file is complete.
    const commitStart = counting.timeline.findIndex((event) => event.phase === 'start' && isCommit(event.key));
    const dataDone = counting.timeline.filter((event) => event.phase === 'done' && !isCommit(event.key));
    expect(commitStart).toBe(counting.timeline.length - 2);
    expect(dataDone.every((event) => counting.timeline.indexOf(event) < commitStart)).toBe(true);
  });

  it('writes several partitions, never deletes, and commits with one ledger object, last', () => {
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.every((write) => write.startsWith('put '))).toBe(true);
    expect(writes.filter((write) => isCommit(write.slice(4)))).toEqual([writes.at(-1)]);
    expect(new Set(writes).size).toBe(writes.length);
  });

  it('for every k: a reader sees only whole objects and the old answers; the retry gives the new ones; compaction leaves nothing of the crash', async () => {
    const source = new FsObjectStore(input);
    const messages = messagesOf(batch.keys);
    for (let k = 0; k < writes.length; k++) {
      const where = `k=${k} (the crash before ${writes[k]})`;
      const lakeDir = freshLake();
      const faulty = new FaultyObjectStore(new FsObjectStore(lakeDir), { crashAfterWrites: k });
      const failed = await deliver(batch.kind, messages, source, faulty);
      expect(failed.sort(), `${where}: every message of the batch fails, to be redelivered`).toEqual(
        messages.map((m) => m.messageId).sort(),
      );
      expect(faulty.crashed).toBe(true);
      expect(faulty.writes).toBe(k);
      await faulty.settled();
      expect((await lakeIntegrity(lakeDir)).problems, `${where}: what a reader sees after the crash`).toEqual([]);
      expectSameAnswers(await snapshotLake(lakeDir), before, `${where}: nothing of the crashed batch is visible`);

      expect(
        await deliver(
          batch.kind,
          messages.map((m) => redelivered(m, 2)),
          source,
          new FsObjectStore(lakeDir),
        ),
        `${where}: retry`,
      ).toEqual([]);
      expectSameAnswers(await snapshotLake(lakeDir), expected, `${where}, then a retry`);

      await compactTwice(new FsObjectStore(lakeDir), ABANDONED);
      const compacted = await snapshotLake(lakeDir);
      expectSameAnswers(compacted, expected, `${where}, a retry, then compaction`);
      expectNoGarbage(compacted, `${where}, a retry, then compaction`);
    }
  });
});

describe('a crash just before the commit, then the object changes again before the retry', () => {
  const v2 = (dir: string): void => writeInput(dir, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 }));
  const removed = (dir: string): void => rmSync(join(dir, L1));
  const v3 = (dir: string): void => writeInput(dir, L1, sampleText(L1));
  const v1Again = (dir: string): void => cpSync(join(beforeInput, L1), join(dir, L1));

  it.each([
    ['v2 (a month later) crashes, then v3 (the original content without the bad line) lands', v2, v3],
    ['v2 crashes, then the object is deleted', v2, removed],
    ["v2 crashes, then v1's exact bytes come back", v2, v1Again],
    ['its removal crashes, then the same bytes are uploaded again', removed, v1Again],
  ] as const)(
    '%s: nothing of the crashed version is ever visible, the retry reads the object as it is now',
    async (_name, crashedVersion, change) => {
      const input = join(dirs.path, `changed-input-${++runs}`);
      cpSync(beforeInput, input, { recursive: true });
      crashedVersion(input);
      const lakeDir = freshLake();
      // Every write of the batch reaches the lake but its commit, which fails as if the process died there.
      const crashed = new FaultyObjectStore(new FsObjectStore(lakeDir), { failWrite: (_op, key) => isCommit(key) });
      const [message] = messagesOf([L1]);
      expect(await deliver('log', [message!], new FsObjectStore(input), crashed)).toHaveLength(1);
      expect(crashed.calls.filter((call) => call.outcome === 'fault').map((call) => isCommit(call.key))).toEqual([
        true,
      ]);
      expectSameAnswers(await snapshotLake(lakeDir), before, 'after the crash');

      change(input);
      const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, `changed-reference-${runs}`));
      // The retry is the same message again: the same sequencer as the crashed attempt.
      expect(
        await deliver('log', [redelivered(message!, 2)], new FsObjectStore(input), new FsObjectStore(lakeDir)),
      ).toEqual([]);
      expectSameAnswers(await snapshotLake(lakeDir), expected, 'after the retry');
      await compactTwice(new FsObjectStore(lakeDir), ABANDONED);
      const compacted = await snapshotLake(lakeDir);
      expectSameAnswers(compacted, expected, 'after compaction');
      expectNoGarbage(compacted, 'after compaction');
    },
  );
});

describe('no reader ever sees a partial object', () => {
  const input = join(dirs.path, 'partial-input');
  let expected: LakeSnapshot;

  beforeAll(async () => {
    cpSync(beforeInput, input, { recursive: true });
    writeInput(input, L2, shiftedLog(sampleText(L2), { days: 0, keepEvery: 2 }));
    ({ snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'partial-reference')));
  });

  it.each([
    ['a temporary file torn halfway (write error)', 'tearTempWrites'],
    ['a crash after the temporary file, before the rename', 'failRenames'],
  ] as const)(
    'folder store, %s: list() and DuckDB see the old answers, every object whole; the retry repairs it',
    async (_name, fault) => {
      const lakeDir = freshLake();
      const [message] = messagesOf([L2]);
      fsFaults[fault] = true;
      try {
        expect(await deliver('log', [message!], new FsObjectStore(input), new FsObjectStore(lakeDir))).toHaveLength(1);
      } finally {
        fsFaults[fault] = false;
      }
      const integrity = await lakeIntegrity(lakeDir);
      expect(integrity.problems).toEqual([]);
      expect(integrity.hiddenFiles.length, 'the crash left its temporary file on disk, hidden').toBeGreaterThan(0);
      // ...in _tmp/, not in a partition folder, where readers that take every file would read it.
      expect(integrity.hiddenFiles.filter((key) => !key.startsWith('_tmp/'))).toEqual([]);
      expectSameAnswers(await snapshotLake(lakeDir), before, 'after the failed write');

      expect(
        await deliver('log', [redelivered(message!, 2)], new FsObjectStore(input), new FsObjectStore(lakeDir)),
      ).toEqual([]);
      expectSameAnswers(await snapshotLake(lakeDir), expected, 'after the retry');
    },
  );

  it('folder store: a reader polling an object while it is written sees nothing or the whole object', async () => {
    await expectNothingPartial(
      new FsObjectStore(freshLake()),
      'base_plays/year=2018/month=11',
      [Buffer.alloc(3 << 20, 'a'), Buffer.alloc(1 << 20, 'b')],
      30,
    );
  });

  describe('S3 store (fauxqs)', () => {
    let aws: LocalAws;
    beforeAll(async () => {
      aws = await startLocalAws();
    });
    afterAll(async () => {
      await aws?.stop();
    });

    it('every lake object is written once, by one PutObject holding the whole body (no multipart, no copy, no delete), and reads back byte-identical', async () => {
      const [landing, lakeBucket] = [
        await createBucket(aws.s3Client, 'landing'),
        await createBucket(aws.s3Client, 'lake'),
      ];
      const sent: { name: string; input: unknown }[] = [];
      const original = aws.s3Client.send.bind(aws.s3Client);
      const spy = vi.spyOn(aws.s3Client, 'send').mockImplementation(((
        command: { constructor: { name: string }; input: unknown },
        ...rest: unknown[]
      ) => {
        sent.push({ name: command.constructor.name, input: command.input });
        return (original as (...args: unknown[]) => unknown)(command, ...rest);
      }) as typeof aws.s3Client.send);
      const landingStore = new S3ObjectStore(aws.s3Client, landing);
      const lake = new S3ObjectStore(aws.s3Client, lakeBucket);
      try {
        for (const key of folderKeys(input)) await landingStore.put(key, readFileSync(join(input, key)));
        sent.length = 0;
        for (const kind of ['song', 'log'] as const) {
          const keys = folderKeys(input).filter((key) => sourceKindOf(key) === kind);
          expect(await deliver(kind, messagesOf(keys), landingStore, lake)).toEqual([]);
        }
      } finally {
        spy.mockRestore();
      }
      const names = new Set(sent.map((c) => c.name));
      expect([...names].sort()).toEqual(['GetObjectCommand', 'PutObjectCommand']);
      const puts = sent.filter((c) => c.name === 'PutObjectCommand').map((c) => c.input as PutObjectCommandInput);
      const lakeKeys: string[] = [];
      for await (const key of lake.list('')) lakeKeys.push(key);
      expect(puts.map((put) => put.Key!).sort()).toEqual(lakeKeys.sort());
      expect(new Set(puts.map((put) => put.Key)).size, 'no key is written twice').toBe(puts.length);
      for (const put of puts) {
        expect(put.Body instanceof Uint8Array || typeof put.Body === 'string', `${put.Key}: body in memory`).toBe(true);
        const body = typeof put.Body === 'string' ? Buffer.from(put.Body) : Buffer.from(put.Body as Uint8Array);
        const stored = await getObjectBytes(aws.s3Client, lakeBucket, put.Key!);
        expect(Buffer.from(stored!).equals(body), `${put.Key}: stored bytes equal the one PutObject's body`).toBe(true);
        expect([body.subarray(0, 4).toString(), body.subarray(-4).toString()]).toEqual(['PAR1', 'PAR1']);
      }
    });

    it('a reader polling an object while it is written sees nothing or the whole object', async () => {
      const store = new S3ObjectStore(aws.s3Client, await createBucket(aws.s3Client, 'atomic'));
      await expectNothingPartial(
        store,
        'base_plays/year=2018/month=11',
        [Buffer.alloc(1 << 20, 'a'), Buffer.alloc(1 << 19, 'b')],
        20,
      );
    });
  });
});

/** Writes `count` fresh objects one after the other while polling the one being written: every read is nothing or the whole body. */
async function expectNothingPartial(
  store: ObjectStore,
  folder: string,
  bodies: readonly [Buffer, Buffer],
  count: number,
): Promise<void> {
  let writing: { key: string; body: Buffer } | undefined;
  let done = false;
  const writer = (async () => {
    for (let i = 0; i < count; i++) {
      writing = { key: `${folder}/part-${String(i).padStart(4, '0')}.parquet`, body: bodies[i % 2] as Buffer };
      await store.put(writing.key, writing.body);
    }
    done = true;
  })();
  let reads = 0;
  while (!done) {
    const target = writing;
    if (!target) {
      await Promise.resolve();
      continue;
    }
    const text = await readText(store, target.key);
    expect(
      text === undefined || text === target.body.toString(),
      `read ${reads} of ${target.key}: ${text?.length} chars`,
    ).toBe(true);
    reads++;
  }
  await writer;
  expect(reads).toBeGreaterThan(0);
}
