/**
 * G10 (docs/ARCHITECTURE.md), concurrency. 20 log files of the same month processed by 20 containers at once all
 * write the same partition (base_plays/year=2018/month=11), each as an object of its own, and
 * register it with Glue at the same moment: no row is lost (the answers equal a clean ingest), and
 * the catalog holds the partition once, every other registration answered AlreadyExists.
 *
 * Then two versions of one key processed at the same moment by two workers, finishing in either
 * order: the answers show the version with the greater sequencer. And a worker whose writes land
 * late (after the newer version committed, and after a compaction) cannot bring the old data back.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { listAllKeys, startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import { compactTwice } from '../support/faults/compaction.js';
import { container, eventRecord, redelivered } from '../support/worker-harness.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import {
  copySample,
  logEvents,
  playIds,
  sampleText,
  SAMPLE_LOGS,
  shiftedLog,
  writeInput,
} from '../support/faults/inputs.js';
import {
  buildReferenceLake,
  expectNoGarbage,
  expectSameAnswers,
  rowsOf,
  snapshotBucketLake,
  snapshotLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import {
  createWorld,
  expectNoFailures,
  landFolder,
  restoreObservability,
  worker,
  type World,
} from '../support/worker-harness.js';

const dirs = tempDir('faults-concurrency');
const LOGS = SAMPLE_LOGS.slice(0, 20);
const PARTITION = 'base_plays/2018/11';
const LEDGER_PARTITION = 'base_sources/log_data';
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

async function newWorld(): Promise<World> {
  const w = await createWorld(aws);
  worlds.push(w);
  return w;
}

describe('20 log files of one month at once, all writing base_plays/year=2018/month=11', () => {
  const input = join(dirs.path, 'input');
  const expectedPlays = LOGS.flatMap((key) => playIds(logEvents(sampleText(key))));
  let reference: LakeSnapshot;

  beforeAll(async () => {
    copySample(input, LOGS);
    expect(LOGS).toHaveLength(20);
    expect(new Set(expectedPlays).size).toBe(expectedPlays.length);
    ({ snapshot: reference } = await buildReferenceLake(input, join(dirs.path, 'reference')));
  });

  it('20 parallel invocations, one container each: no row lost, the answers equal a clean ingest, the catalog holds the partition once', async () => {
    const w = await newWorld();
    await landFolder(aws, w.landing, input);
    const responses = await Promise.all(LOGS.map((key) => worker(w, 'log').run([eventRecord(w.landing, key)])));
    for (const [i, response] of responses.entries()) expectNoFailures(response, LOGS[i]!);

    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'parallel-lake'));
    expect(rowsOf(lake, 'base_plays')).toHaveLength(expectedPlays.length);
    expect(
      rowsOf(lake, 'songplays')
        .map((row) => row.songplay_id)
        .sort(),
    ).toEqual([...expectedPlays].sort());
    // Twenty objects side by side in the one partition: nobody overwrote anybody.
    expect(lake.objects.filter((key) => key.startsWith('base_plays/year=2018/month=11/'))).toHaveLength(20);
    expectSameAnswers(lake, reference, '20 parallel invocations');
    expectNoGarbage(lake, '20 parallel invocations');

    // Each cold container asked Glue for its partitions; Glue created each once and answered the rest AlreadyExists.
    expect(w.catalog.callsNaming(PARTITION)).toBe(20);
    expect(w.catalog.callsNaming(LEDGER_PARTITION)).toBe(20);
    expect(w.catalog.partitions()).toEqual([PARTITION, LEDGER_PARTITION].sort());
    expect(w.catalog.created.get(PARTITION)).toBe(1);
    expect(w.catalog.alreadyExistsAnswers).toBe(2 * 19);
  });

  it('the same 20 messages on one warm container, in one batch, then 10 of them redelivered: one Glue call per table in all, no row lost or doubled', async () => {
    const w = await newWorld();
    await landFolder(aws, w.landing, input);
    const log = worker(w, 'log');
    const messages = LOGS.map((key) => eventRecord(w.landing, key));
    expectNoFailures(await log.run(messages), 'batch of 20');
    expectNoFailures(await log.run(messages.slice(0, 10).map((m) => redelivered(m, 2))), 'redelivery');
    expect(w.catalog.calls.map((call) => call.TableName).sort()).toEqual(['base_plays', 'base_sources']);
    expect(w.catalog.partitions()).toEqual([PARTITION, LEDGER_PARTITION].sort());
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'warm-lake'));
    expectSameAnswers(lake, reference, 'one batch, then a redelivery');
    expect(lake.staleRows.base_plays).toBe(
      LOGS.slice(0, 10).flatMap((key) => playIds(logEvents(sampleText(key)))).length,
    );
  });

  it('20 parallel song containers writing one year partition: every song row kept, the partition registered once', async () => {
    const w = await newWorld();
    const songInput = join(dirs.path, 'songs-input');
    // 20 copies of one song under 20 keys (the same song_id, the same year partition).
    const text = sampleText('song_data/A/A/C/TRAACCG128F92E8A55.json');
    const keys = Array.from({ length: 20 }, (_, i) => `song_data/Q/Q/Q/TRQQQ${String(i).padStart(13, '0')}.json`);
    for (const key of keys) writeInput(songInput, key, text);
    await landFolder(aws, w.landing, songInput);
    const responses = await Promise.all(keys.map((key) => worker(w, 'song').run([eventRecord(w.landing, key)])));
    for (const [i, response] of responses.entries()) expectNoFailures(response, keys[i]!);
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'songs-lake'));
    expect(
      rowsOf(lake, 'base_songs')
        .map((row) => row.source_key)
        .sort(),
    ).toEqual(keys);
    // One song_id in 20 files: the copy from the smallest key wins.
    expect(rowsOf(lake, 'songs')).toHaveLength(1);
    expectSameAnswers(
      lake,
      (await buildReferenceLake(songInput, join(dirs.path, 'songs-reference'))).snapshot,
      '20 parallel song containers',
    );
    expect(w.catalog.partitions()).toEqual(['base_songs/0', 'base_sources/song_data']);
    expect(w.catalog.created.get('base_songs/0')).toBe(1);
    // Per invocation one data object and one ledger object.
    expect(await listAllKeys(aws.s3Client, w.lake)).toHaveLength(40);
  });
});

describe('two versions of one key processed at the same moment by two workers', () => {
  const KEY = SAMPLE_LOGS[0]!;
  const v1 = sampleText(KEY);
  const v2 = shiftedLog(v1, { days: 30, keepEvery: 1 });
  let run = 0;

  /** Folders holding each version as the worker that processes it reads it: v1 read before the upload of v2, v2 after. */
  function inputs(): { v1Input: string; v2Input: string; lakeDir: string } {
    run += 1;
    const v1Input = copySample(join(dirs.path, `race-${run}-v1`), [KEY]);
    const v2Input = join(dirs.path, `race-${run}-v2`);
    writeInput(v2Input, KEY, v2);
    return { v1Input, v2Input, lakeDir: join(dirs.path, `race-${run}-lake`) };
  }

  function signal(): { promise: Promise<void>; fire: () => void } {
    let fire!: () => void;
    const promise = new Promise<void>((resolve) => (fire = resolve));
    return { promise, fire };
  }

  async function expectVersion2(lakeDir: string, v2Input: string, what: string): Promise<void> {
    const { snapshot: expected } = await buildReferenceLake(
      v2Input,
      join(dirs.path, `race-${run}-reference-${what.replace(/\W+/g, '-')}`),
    );
    const actual = await snapshotLake(lakeDir);
    expectSameAnswers(actual, expected, what);
    expect(new Set(rowsOf(actual, 'songplays').map((row) => row.month)), what).toEqual(new Set([12]));
  }

  // Worker A has v1's event (the smaller sequencer), worker B v2's. Both read their version before
  // either writes; then one finishes first, the other second.
  it.each([
    ['v1 finishes first, v2 second', 'A'],
    ['v2 finishes first, v1 second', 'B'],
  ] as const)(
    '%s: the answers show v2, the version with the greater sequencer; compaction keeps it',
    async (_name, first) => {
      const { v1Input, v2Input, lakeDir } = inputs();
      const lake = new FsObjectStore(lakeDir);
      const e1 = eventRecord('landing', KEY);
      const e2 = eventRecord('landing', KEY);
      const read = { A: signal(), B: signal() };
      const finished = { A: signal(), B: signal() };
      const second = first === 'A' ? 'B' : 'A';
      // The first to finish holds its writes until the other has read its version; the second holds its writes until the first has finished.
      const holds = { [first]: read[second].promise, [second]: finished[first].promise } as Record<
        'A' | 'B',
        Promise<void>
      >;
      const worker = (name: 'A' | 'B', inputDir: string) =>
        container(
          'log',
          new FaultyObjectStore(new FsObjectStore(inputDir), {
            gate: (op) => (op === 'read' ? read[name].fire() : undefined),
          }),
          new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? holds[name] : undefined) }),
        );
      const finishOrder: string[] = [];
      const done = (name: 'A' | 'B') => () => {
        finishOrder.push(name);
        finished[name].fire();
      };
      const [failedA, failedB] = await Promise.all([
        worker('A', v1Input).run([e1]).finally(done('A')),
        worker('B', v2Input).run([e2]).finally(done('B')),
      ]);
      expect([failedA, failedB]).toEqual([[], []]);
      expect(finishOrder).toEqual([first, second]);
      await expectVersion2(lakeDir, v2Input, `${first} first`);
      // Both committed: v1's rows are stored too, and no answer shows them.
      expect((await snapshotLake(lakeDir)).staleRows.base_plays).toBe(playIds(logEvents(v1)).length);

      // The next event for the key (v2 is the current content) changes nothing; compaction keeps v2 and drops v1.
      expect(await container('log', new FsObjectStore(v2Input), lake).run([eventRecord('landing', KEY)])).toEqual([]);
      await compactTwice(lake);
      await expectVersion2(lakeDir, v2Input, `${first} first, then compacted`);
      expectNoGarbage(await snapshotLake(lakeDir), 'compacted');
    },
  );

  it("a late PUT never resurrects old data: v1's writes and commit land after v2 committed and after a compaction", async () => {
    const { v1Input, v2Input, lakeDir } = inputs();
    const lake = new FsObjectStore(lakeDir);
    const e1 = eventRecord('landing', KEY);
    const e2 = eventRecord('landing', KEY);
    const release = signal();
    const late = new FaultyObjectStore(lake, { gate: async (op) => (op === 'put' ? release.promise : undefined) });
    const slow = container('log', new FsObjectStore(v1Input), late).run([e1]);

    expect(await container('log', new FsObjectStore(v2Input), lake).run([e2])).toEqual([]);
    await compactTwice(lake);
    await expectVersion2(lakeDir, v2Input, 'v2 committed and compacted, v1 still writing');

    release.fire();
    expect(await slow).toEqual([]);
    expect(late.keys('put').length).toBeGreaterThanOrEqual(2);
    await expectVersion2(lakeDir, v2Input, "after v1's late writes");
    await compactTwice(lake);
    await expectVersion2(lakeDir, v2Input, "after v1's late writes, compacted");
    expectNoGarbage(await snapshotLake(lakeDir), 'compacted after the late writes');
  });

  it('the same two versions one after the other (no overlap), in either order of their events: the lake answers v2', async () => {
    const { v1Input, v2Input, lakeDir } = inputs();
    const e1 = eventRecord('landing', KEY);
    const e2 = eventRecord('landing', KEY);
    expect(await container('log', new FsObjectStore(v1Input), new FsObjectStore(lakeDir)).run([e1])).toEqual([]);
    expect(await container('log', new FsObjectStore(v2Input), new FsObjectStore(lakeDir)).run([e2])).toEqual([]);
    await expectVersion2(lakeDir, v2Input, 'v1 then v2');
    // v1's event delivered again after v2's (it reads the object as it is now: v2; its sequencer is the smaller).
    expect(
      await container('log', new FsObjectStore(v2Input), new FsObjectStore(lakeDir)).run([redelivered(e1, 2)]),
    ).toEqual([]);
    await expectVersion2(lakeDir, v2Input, "v1, v2, then v1's event again");
  });
});
