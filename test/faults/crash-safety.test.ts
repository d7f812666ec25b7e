/**
 * Guarantee 4, crash safety. A fault-injecting lake store (test/support/faults/fault-store.ts)
 * crashes the worker after its k-th write (put or delete), for every k over the run of one file,
 * including between the last output and the manifest and between deleting stale outputs and
 * writing the manifest. After each crash the lake a reader sees holds only whole objects, and a
 * retry without faults (a redelivery of the same message) leaves the lake byte-identical to, and
 * with the same tables as, a clean ordered ingest of the same files.
 *
 * Also: the folder store never shows a half-written or temporary file (torn temp file, crash
 * before the rename), and the S3 store writes every object with one whole-body PutObject.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerHandler } from '../../lambdas/worker-handler.js';
import { manifestKey, outputStem, sourceKindOf } from '../../src/domain/layout.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { readText, type ObjectStore } from '../../src/storage/object-store.js';
import { createBucket, getObjectBytes, lambdaContext, s3EventBody, s3EventRecord, sqsEvent, sqsRecord, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { FaultyObjectStore, type StoreCall } from '../support/faults/fault-store.js';
import { copySample, folderKeys, sampleText, SAMPLE_SONGS, SETANTA_SONG, shiftedLog, writeInput } from '../support/faults/inputs.js';
import { buildReferenceLake, expectSameLake, rowsOf, snapshotLake, type LakeSnapshot } from '../support/faults/lake-compare.js';
import { lakeIntegrity } from '../support/faults/lake-integrity.js';
import { restoreObservability, sharedObservability } from '../support/faults/observability.js';

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
const L1 = 'log_data/2018/11/2018-11-01-events.json';
const L2 = 'log_data/2018/11/2018-11-25-events.json';
const L3 = 'log_data/2018/11/2018-11-03-events.json';
const BAD_LINE = '{"page":"NextSong","ts":15411';
const S1 = SAMPLE_SONGS[0]!;

/** The lake before each scenario: 1 good song, 1 bad song file, 2 logs (one with a bad line). */
const beforeInput = join(dirs.path, 'before-input');
const beforeLake = join(dirs.path, 'before-lake');
let before: LakeSnapshot;

interface Scenario {
  readonly name: string;
  readonly key: string;
  /** Turns a copy of the before input into the input after the change. */
  change(inputDir: string): void;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a new song file', key: SETANTA_SONG, change: (dir) => copySample(dir, [SETANTA_SONG]) },
  { name: 'a bad song file replaced by a good one (rejects → base_songs)', key: BAD_SONG, change: (dir) => writeInput(dir, BAD_SONG, sampleText(SETANTA_SONG)) },
  { name: 'a new log file with a bad line (base_plays + rejects)', key: L3, change: (dir) => writeInput(dir, L3, `${sampleText(L3)}\n${BAD_LINE}`) },
  {
    name: 'a log replaced by a version a month later without its bad line (new output, 2 stale deletes)',
    key: L1,
    change: (dir) => writeInput(dir, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 })),
  },
  { name: 'a log deleted (every output and the manifest deleted)', key: L1, change: (dir) => rmSync(join(dir, L1)) },
];

beforeAll(async () => {
  copySample(beforeInput, [S1, L2]);
  writeInput(beforeInput, BAD_SONG, `[${sampleText(S1)}]`);
  writeInput(beforeInput, L1, `${sampleText(L1)}\n${BAD_LINE}`);
  ({ snapshot: before } = await buildReferenceLake(beforeInput, beforeLake));
  expect(Object.keys(before.objects).filter((key) => key.startsWith('rejects/'))).toHaveLength(2);
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

/** One message for `key`, through the real handler (its container), with this lake store. */
async function deliver(kind: 'song' | 'log', key: string, source: ObjectStore, lake: ObjectStore): Promise<string[]> {
  const obs = sharedObservability();
  const handler = createWorkerHandler({
    kind,
    sourceStore: () => source,
    lake,
    registerPartitions: async () => undefined,
    logger: obs.logger,
    metrics: obs.metrics,
    processInParallel: kind === 'song',
  });
  const response = await handler(sqsEvent(sqsRecord(s3EventBody(s3EventRecord({ bucket: LANDING, key })))), lambdaContext());
  return response.batchItemFailures.map((f) => f.itemIdentifier);
}

function describeCalls(calls: readonly StoreCall[]): string[] {
  return calls.filter((c) => c.op === 'put' || c.op === 'delete').map((c) => `${c.op} ${c.key.replace(/-[0-9a-f]{16}/, '')}${c.outcome === 'fault' ? ' (crash)' : ''}`);
}

describe.each(SCENARIOS)('crash after the k-th write, then a retry: $name', (scenario) => {
  const input = join(dirs.path, `input-${SCENARIOS.indexOf(scenario)}`);
  let expected: LakeSnapshot;
  let writes: string[];

  beforeAll(async () => {
    cpSync(beforeInput, input, { recursive: true });
    scenario.change(input);
    ({ snapshot: expected } = await buildReferenceLake(input, join(dirs.path, `reference-${SCENARIOS.indexOf(scenario)}`)));
    // A clean run of this one file, counting its writes.
    const counting = new FaultyObjectStore(new FsObjectStore(freshLake()));
    expect(await deliver(sourceKindOf(scenario.key)!, scenario.key, new FsObjectStore(input), counting)).toEqual([]);
    writes = describeCalls(counting.calls);
  });

  it('commits with the manifest: its write (or delete) is the last write, after every output and stale delete', () => {
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(`${writes.at(-1)}`).toMatch(/^(put|delete) _manifests\//);
    expect(writes.filter((w) => !w.includes('_manifests/')).length).toBeGreaterThanOrEqual(1);
  });

  it('for every k: a reader sees only whole objects after the crash, and the retry leaves the reference lake', async () => {
    const source = new FsObjectStore(input);
    const kind = sourceKindOf(scenario.key)!;
    const seen: string[][] = [];
    for (let k = 0; k < writes.length; k++) {
      const lake = freshLake();
      const faulty = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrites: k });
      const failed = await deliver(kind, scenario.key, source, faulty);
      expect(failed, `k=${k}: the crashed message must fail (to be redelivered)`).toHaveLength(1);
      expect(faulty.crashed).toBe(true);
      seen.push(describeCalls(faulty.calls));
      expect((await lakeIntegrity(lake)).problems, `k=${k}: what a reader sees after the crash`).toEqual([]);

      expect(await deliver(kind, scenario.key, source, new FsObjectStore(lake)), `k=${k}: retry`).toEqual([]);
      expectSameLake(await snapshotLake(lake), expected, `k=${k} (${writes[k]}), then a retry`);
    }
    // Every crash point was exercised: before each write of the clean run in turn.
    expect(seen.map((calls) => calls.at(-1))).toEqual(writes.map((w) => `${w} (crash)`));
  });
});

describe('crash points named by the design', () => {
  it('the replaced log: the crash between writing the new output and deleting stale ones, and between the stale deletes and the manifest, are both repaired', async () => {
    const scenario = SCENARIOS[3]!;
    const input = join(dirs.path, 'named-input');
    cpSync(beforeInput, input, { recursive: true });
    scenario.change(input);
    const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'named-reference'));
    const stem = outputStem(L1);
    const december = `base_plays/year=2018/month=12/${stem}.parquet`;
    const november = `base_plays/year=2018/month=11/${stem}.parquet`;
    const rejects = `rejects/source=log_data/${stem}.parquet`;
    // Crash right after the December output, and right after the last stale delete (the rejects):
    // both before the manifest commits.
    for (const [k, crashAfter] of [
      [1, (op: string, key: string) => op === 'put' && key === december],
      [3, (op: string, key: string) => op === 'delete' && key === rejects],
    ] as const) {
      const lake = freshLake();
      const faulty = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrite: crashAfter });
      expect(await deliver('log', L1, new FsObjectStore(input), faulty)).toHaveLength(1);
      const manifest = JSON.parse((await readText(new FsObjectStore(lake), manifestKey(L1)))!) as { outputs: string[] };
      // The manifest in place still names the November output and the rejects (not yet committed).
      expect(faulty.crashed).toBe(true);
      expect(manifest.outputs).toEqual(expect.arrayContaining([november, rejects]));
      const visible = await snapshotLake(lake);
      expect(Object.keys(visible.objects)).toContain(december);
      expect(Object.keys(visible.objects).includes(november)).toBe(k === 1);
      expect(Object.keys(visible.objects).includes(rejects)).toBe(k === 1);
      expect(await deliver('log', L1, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
      const after = await snapshotLake(lake);
      expectSameLake(after, expected, `k=${k}, then a retry`);
      expect(rowsOf(after, 'base_plays').filter((row) => row.source_key === L1).map((row) => row.month)).toEqual(Array(11).fill(12));
      expect(rowsOf(after, 'rejects').filter((row) => row.source_key === L1)).toEqual([]);
    }
  });

  // Regression for the write-ahead manifest: before it, the manifest was written only last, so the
  // outputs of a crashed attempt were named by nothing; when the object changed before the retry,
  // they stayed in the lake for good, their rows in every table.
  it('a crash after writing a new partition, then the object changes again before the retry: no orphaned output of the crashed version stays', async () => {
    const input = join(dirs.path, 'orphan-input');
    cpSync(beforeInput, input, { recursive: true });
    const lake = freshLake();
    // v2 (December) crashes after writing its output, before the manifest.
    writeInput(input, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 }));
    const december = `base_plays/year=2018/month=12/${outputStem(L1)}.parquet`;
    const crashed = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrite: (op, key) => op === 'put' && key === december });
    expect(await deliver('log', L1, new FsObjectStore(input), crashed)).toHaveLength(1);
    // v3 lands (the original November content, without the bad line) before the retry.
    writeInput(input, L1, sampleText(L1));
    const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'orphan-reference'));
    expect(await deliver('log', L1, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
    const after = await snapshotLake(lake);
    expect(Object.keys(after.objects)).not.toContain(`base_plays/year=2018/month=12/${outputStem(L1)}.parquet`);
    expectSameLake(after, expected, 'crash of v2, then v3 processed');
  });

  // Regression for the write-ahead manifest: the same crash, then the object is deleted before the
  // retry; the crashed version's December output must go with it.
  it('a crash after writing a new partition, then the object is deleted before the retry: none of its rows stay', async () => {
    const input = join(dirs.path, 'orphan-deleted-input');
    cpSync(beforeInput, input, { recursive: true });
    const lake = freshLake();
    writeInput(input, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 }));
    const december = `base_plays/year=2018/month=12/${outputStem(L1)}.parquet`;
    const crashed = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrite: (op, key) => op === 'put' && key === december });
    expect(await deliver('log', L1, new FsObjectStore(input), crashed)).toHaveLength(1);
    rmSync(join(input, L1));
    const { snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'orphan-deleted-reference'));
    expect(await deliver('log', L1, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
    const after = await snapshotLake(lake);
    expect(rowsOf(after, 'base_plays').filter((row) => row.source_key === L1)).toEqual([]);
    expectSameLake(after, expected, 'crash of v2, then the object deleted');
  });
  // Regression for the write-ahead manifest: a crash while replacing v1 by v2 must not leave v1's
  // content hash in place, or v1's exact bytes coming back would be skipped as "unchanged".
  it('a crash while replacing v1 by v2, then v1\'s exact bytes come back before the retry: the lake holds v1 again', async () => {
    const input = join(dirs.path, 'revert-input');
    cpSync(beforeInput, input, { recursive: true });
    const lake = freshLake();
    writeInput(input, L1, shiftedLog(sampleText(L1), { days: 30, keepEvery: 1 }));
    // Crash right after v1's November output is deleted: before the rejects delete and the manifest.
    const november = `base_plays/year=2018/month=11/${outputStem(L1)}.parquet`;
    const crashed = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrite: (op, key) => op === 'delete' && key === november });
    expect(await deliver('log', L1, new FsObjectStore(input), crashed)).toHaveLength(1);
    expect(crashed.keys('delete')).toEqual([november]);
    expect(crashed.keys('put')).toContain(`base_plays/year=2018/month=12/${outputStem(L1)}.parquet`);
    cpSync(join(beforeInput, L1), join(input, L1));
    expect(await deliver('log', L1, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
    const after = await snapshotLake(lake);
    expect(rowsOf(after, 'base_plays').filter((row) => row.source_key === L1 && row.month === 11)).toHaveLength(11);
    expectSameLake(after, before, 'crash of v2, then v1 restored');
  });
  // Regression for the write-ahead manifest: an accidental delete undone by re-uploading the same
  // bytes, after a removal that crashed halfway, must bring every output back.
  it('a crash while removing a deleted object, then the same bytes re-uploaded before the retry: the lake holds them again', async () => {
    const input = join(dirs.path, 'undelete-input');
    cpSync(beforeInput, input, { recursive: true });
    const lake = freshLake();
    rmSync(join(input, L1));
    // Crash right after the first output is deleted, before the rest and the manifest.
    const crashed = new FaultyObjectStore(new FsObjectStore(lake), { crashAfterWrite: (op, key) => op === 'delete' && !key.startsWith('_manifests/') });
    expect(await deliver('log', L1, new FsObjectStore(input), crashed)).toHaveLength(1);
    cpSync(join(beforeInput, L1), join(input, L1));
    expect(await deliver('log', L1, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
    expectSameLake(await snapshotLake(lake), before, 'removal crashed, object restored');
  });
});

describe('no reader ever sees a partial object', () => {
  const input = join(dirs.path, 'partial-input');
  let expected: LakeSnapshot;

  beforeAll(async () => {
    cpSync(beforeInput, input, { recursive: true });
    // Same key, same partition, fewer plays: the new object replaces the old one in place.
    writeInput(input, L2, shiftedLog(sampleText(L2), { days: 0, keepEvery: 2 }));
    ({ snapshot: expected } = await buildReferenceLake(input, join(dirs.path, 'partial-reference')));
  });

  it.each([
    ['a temporary file torn halfway (write error)', 'tearTempWrites'],
    ['a crash after the temporary file, before the rename', 'failRenames'],
  ] as const)('folder store, %s: list() and DuckDB see the old lake, whole; the retry repairs it', async (_name, fault) => {
    const lake = freshLake();
    fsFaults[fault] = true;
    try {
      expect(await deliver('log', L2, new FsObjectStore(input), new FsObjectStore(lake))).toHaveLength(1);
    } finally {
      fsFaults[fault] = false;
    }
    const integrity = await lakeIntegrity(lake);
    expect(integrity.problems).toEqual([]);
    expect(integrity.hiddenFiles.length, 'the crash left its temporary file on disk, hidden').toBeGreaterThan(0);
    // ...in _tmp/, not in a partition folder, where readers that take every file would read it.
    expect(integrity.hiddenFiles.filter((key) => !key.startsWith('_tmp/'))).toEqual([]);
    // The reader's lake is exactly the lake before the failed write.
    expectSameLake(await snapshotLake(lake), before, 'after the failed write');

    expect(await deliver('log', L2, new FsObjectStore(input), new FsObjectStore(lake))).toEqual([]);
    expectSameLake(await snapshotLake(lake), expected, 'after the retry');
  });

  it('folder store: a reader polling while the same key is rewritten sees only whole versions', async () => {
    await expectOnlyWholeVersions(new FsObjectStore(freshLake()), 'base_plays/x.parquet', [Buffer.alloc(3 << 20, 'a'), Buffer.alloc(1 << 20, 'b')], 30);
  });

  describe('S3 store (fauxqs)', () => {
    let aws: LocalAws;
    beforeAll(async () => {
      aws = await startLocalAws();
    });
    afterAll(async () => {
      await aws?.stop();
    });

    it('every lake object is written by one PutObject holding the whole body (no multipart, no stream), and reads back byte-identical', async () => {
      const [landing, lakeBucket] = [await createBucket(aws.s3Client, 'landing'), await createBucket(aws.s3Client, 'lake')];
      const sent: { name: string; input: unknown }[] = [];
      const original = aws.s3Client.send.bind(aws.s3Client);
      const spy = vi.spyOn(aws.s3Client, 'send').mockImplementation(((command: { constructor: { name: string }; input: unknown }, ...rest: unknown[]) => {
        sent.push({ name: command.constructor.name, input: command.input });
        return (original as (...args: unknown[]) => unknown)(command, ...rest);
      }) as typeof aws.s3Client.send);
      try {
        const landingStore = new S3ObjectStore(aws.s3Client, landing);
        for (const key of folderKeys(input)) await landingStore.put(key, readFileSync(join(input, key)));
        sent.length = 0;
        const lake = new S3ObjectStore(aws.s3Client, lakeBucket);
        for (const key of folderKeys(input)) expect(await deliver(sourceKindOf(key)!, key, landingStore, lake)).toEqual([]);
      } finally {
        spy.mockRestore();
      }
      const names = new Set(sent.map((c) => c.name));
      expect(names.has('PutObjectCommand')).toBe(true);
      expect([...names].filter((name) => /Multipart|UploadPart|CopyObject/.test(name))).toEqual([]);
      const puts = sent.filter((c) => c.name === 'PutObjectCommand').map((c) => c.input as PutObjectCommandInput);
      // Every object of the lake came from a PutObject; the last one for its key holds its bytes.
      const lastPut = new Map(puts.map((put) => [put.Key!, put]));
      expect([...lastPut.keys()].sort()).toEqual(Object.keys(expected.objects).sort());
      for (const put of lastPut.values()) {
        expect(put.Body instanceof Uint8Array || typeof put.Body === 'string', `${put.Key}: body in memory`).toBe(true);
        const body = typeof put.Body === 'string' ? Buffer.from(put.Body) : Buffer.from(put.Body as Uint8Array);
        const stored = await getObjectBytes(aws.s3Client, lakeBucket, put.Key!);
        expect(Buffer.from(stored!).equals(body), `${put.Key}: stored bytes equal the one PutObject's body`).toBe(true);
        if (put.Key!.endsWith('.parquet')) expect([body.subarray(0, 4).toString(), body.subarray(-4).toString()]).toEqual(['PAR1', 'PAR1']);
      }
    });

    it('a reader polling while the same key is rewritten sees only whole versions', async () => {
      const store = new S3ObjectStore(aws.s3Client, await createBucket(aws.s3Client, 'atomic'));
      await expectOnlyWholeVersions(store, 'k.parquet', [Buffer.alloc(1 << 20, 'a'), Buffer.alloc(1 << 19, 'b')], 20);
    });
  });
});

/** Rewrites `key` alternately with two versions while polling it: every read must be one whole version. */
async function expectOnlyWholeVersions(store: ObjectStore, key: string, versions: readonly [Buffer, Buffer], rewrites: number): Promise<void> {
  await store.put(key, versions[0]);
  let writing = true;
  const writer = (async () => {
    for (let i = 1; i <= rewrites; i++) await store.put(key, versions[i % 2] as Buffer);
    writing = false;
  })();
  let reads = 0;
  while (writing) {
    const text = await readText(store, key);
    expect(text === versions[0].toString() || text === versions[1].toString(), `read ${reads}: ${text?.length} chars`).toBe(true);
    reads++;
  }
  await writer;
  expect(reads).toBeGreaterThan(0);
}
