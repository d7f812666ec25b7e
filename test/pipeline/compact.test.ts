/**
 * Compaction merges small files without changing any answer, and later deliveries keep working:
 * a redelivery after compaction writes nothing, a replaced or deleted source is cut out of the
 * compacted file, and an interrupted compaction is invisible in the analyst tables and repaired
 * by the next run.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { processSourceObject } from '../../src/pipeline/process-source-object.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { queryLake } from '../support/cli.js';
import { lakeObjects, tableContents } from '../support/lake-snapshot.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('compact');
const LOG_KEY = 'log_data/2018/11/2018-11-21-events.json';
let reference: Record<string, unknown[]>;

async function freshLake(name: string, input = SAMPLE_DIR): Promise<string> {
  const lake = join(dirs.path, name);
  const summary = await ingestFolder(input, lake);
  expect(summary.failures).toEqual([]);
  return lake;
}

function parquetFiles(objects: Record<string, string>, prefix: string): string[] {
  return Object.keys(objects).filter((key) => key.startsWith(prefix) && key.endsWith('.parquet'));
}

beforeAll(async () => {
  reference = await tableContents(await freshLake('reference'));
});
afterAll(() => dirs.cleanup());

describe('compaction', () => {
  it('merges each partition into one sorted file and changes no table', async () => {
    const lake = await freshLake('merged');
    expect(parquetFiles(await lakeObjects(lake), 'base_plays/year=2018/month=11/')).toHaveLength(30);
    const results = await compactLake(new FsObjectStore(lake));
    const plays = results.find((r) => r.partition === 'base_plays/year=2018/month=11/');
    expect(plays).toMatchObject({ filesBefore: 30, filesAfter: 1, rows: 6820, droppedRows: 0 });
    expect(results.find((r) => r.partition === 'base_songs/year=0/')).toMatchObject({ filesBefore: 43, filesAfter: 1, rows: 43 });
    expect(parquetFiles(await lakeObjects(lake), 'base_plays/')).toEqual([expect.stringMatching(/^base_plays\/year=2018\/month=11\/compacted-[0-9a-f]{12}\.parquet$/)]);
    expect(await tableContents(lake)).toEqual(reference);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM base_plays')).toEqual([{ n: 6820 }]);
    const sorted = await queryLake(lake, `SELECT count(*) AS n FROM (SELECT start_time, lag(start_time) OVER () AS previous FROM base_plays) WHERE previous > start_time`);
    expect(sorted).toEqual([{ n: 0 }]);
  });

  it('is idempotent: a second run finds nothing to do', async () => {
    const lake = await freshLake('twice');
    await compactLake(new FsObjectStore(lake));
    const before = await lakeObjects(lake);
    expect(await compactLake(new FsObjectStore(lake))).toEqual([]);
    expect(await lakeObjects(lake)).toEqual(before);
  });

  it('a redelivery after compaction writes nothing and changes no table', async () => {
    const lake = await freshLake('redelivered');
    await compactLake(new FsObjectStore(lake));
    const before = await lakeObjects(lake);
    const again = await ingestFolder(SAMPLE_DIR, lake);
    expect(again.byStatus.unchanged).toBe(101);
    expect(await lakeObjects(lake)).toEqual(before);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('a source replaced after compaction is cut out of the compacted file: the tables equal a fresh run on the new content', async () => {
    const input = join(dirs.path, 'replaced-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const lake = await freshLake('replaced', input);
    await compactLake(new FsObjectStore(lake));
    const path = join(input, LOG_KEY);
    const firstHalf = readFileSync(path, 'utf8').split('\n').slice(0, 200).join('\n');
    writeFileSync(path, firstHalf.replaceAll('"level":"free"', '"level":"paid"'));
    await ingestFolder(input, lake);
    const expected = await tableContents(await freshLake('replaced-fresh', input));
    expect(await tableContents(lake)).toEqual(expected);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM base_plays')).toEqual([{ n: (expected.songplays as unknown[]).length }]);
  });

  it('a source deleted after compaction loses its rows from the compacted file', async () => {
    const input = join(dirs.path, 'deleted-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const lake = await freshLake('deleted', input);
    await compactLake(new FsObjectStore(lake));
    rmSync(join(input, LOG_KEY));
    const outcome = await processSourceObject(LOG_KEY, { source: new FsObjectStore(input), lake: new FsObjectStore(lake) });
    expect(outcome.status).toBe('removed');
    expect(await tableContents(lake)).toEqual(await tableContents(await freshLake('deleted-fresh', input)));
  });

  it('an interrupted compaction shows no duplicate in the analyst tables, and the next run repairs the lake', async () => {
    const lake = await freshLake('interrupted');
    const store = new FsObjectStore(lake);
    await expect(compactLake(crashingOnFirstLogManifestWrite(store))).rejects.toThrow('injected crash');
    // The plays partition's compacted file exists beside the small ones: each play is there twice...
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM base_plays')).toEqual([{ n: 2 * 6820 }]);
    // ...but every analyst table is exactly as before.
    const { rejects: _rejects, ...analyst } = await tableContents(lake);
    const { rejects: _expectedRejects, ...expected } = reference;
    expect(analyst).toEqual(expected);
    const repaired = await compactLake(store);
    expect(repaired.find((r) => r.partition === 'base_plays/year=2018/month=11/')).toMatchObject({ filesAfter: 1, rows: 6820, droppedRows: 6820 });
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM base_plays')).toEqual([{ n: 6820 }]);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('starts no partition after its deadline (a Lambda run leaves the rest to the next)', async () => {
    const lake = await freshLake('deadline');
    const before = await lakeObjects(lake);
    expect(await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, deadline: Date.now() - 1 })).toEqual([]);
    expect(await lakeObjects(lake)).toEqual(before);
  });

  it('merges in groups of at most the target size, leaving larger files alone', async () => {
    const lake = await freshLake('groups');
    const results = await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, targetFileBytes: 64 * 1024 });
    const plays = results.filter((r) => r.partition === 'base_plays/year=2018/month=11/');
    expect(plays.length).toBeGreaterThan(1);
    expect(plays.reduce((sum, r) => sum + r.filesMerged, 0)).toBeLessThanOrEqual(30);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('leaves partitions with large files alone', async () => {
    const lake = await freshLake('large-files');
    const results = await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, targetFileBytes: 1024 });
    expect(results.map((r) => r.partition)).not.toContain('base_plays/year=2018/month=11/');
  });
});

/** Dies when compaction of the plays partition starts updating manifests (log manifests are named after `…-events`). */
function crashingOnFirstLogManifestWrite(store: ObjectStore): ObjectStore {
  return {
    description: store.description,
    openRead: (key) => store.openRead(key),
    delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix),
    listObjects: (prefix) => store.listObjects(prefix),
    readVersioned: (key) => store.readVersioned(key),
    deleteIfVersion: (key, expected) => store.deleteIfVersion(key, expected),
    put: (key, body, contentType) => store.put(key, body, contentType),
    async putIfVersion(key, body, expected, contentType) {
      if (key.startsWith('_manifests/') && key.includes('-events-')) throw new Error('injected crash');
      return store.putIfVersion(key, body, expected, contentType);
    },
  };
}
