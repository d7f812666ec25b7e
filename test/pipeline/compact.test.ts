/**
 * G9, and G3 and G6 for what compaction drops (docs/ARCHITECTURE.md).
 * Compaction merges small files without changing any answer, drops exactly the rows no view reads
 * any more, never deletes a file a query may still be reading (a grace period), and finishes at
 * any size: bounded groups, a deadline honoured inside a group, size classes, and durable progress.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactLake, DEFAULT_COMPACTION, type CompactionOptions } from '../../src/pipeline/compact.js';
import { Ledger } from '../../src/pipeline/ledger.js';
import { ingestFolder, type IngestOptions } from '../../src/local/ingest.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import type { ObjectInfo, ObjectStore } from '../../src/storage/object-store.js';
import { queryLake } from '../support/cli.js';
import { lakeObjects, tableContents } from '../support/lake-snapshot.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('compact');
const LOG_KEY = 'log_data/2018/11/2018-11-21-events.json';
const PLAYS = 'base_plays/year=2018/month=11/';
const HOUR = 60 * 60 * 1000;
/** Deletes replaced files at once: what a run after the grace period does. */
const NO_GRACE: CompactionOptions = { ...DEFAULT_COMPACTION, retiredGraceMs: 0 };
let reference: Record<string, unknown[]>;

/** One batch per landing file: the many small files a trickle of events leaves in AWS. */
async function smallFileLake(name: string, input = SAMPLE_DIR, options: IngestOptions = {}): Promise<string> {
  const lake = join(dirs.path, name);
  const summary = await ingestFolder(input, lake, { batchFiles: 1, ...options });
  expect(summary.failures).toEqual([]);
  return lake;
}

/** Counts the reads and listings a store serves, and the most reads ever in flight at once. */
class RequestTracker implements ObjectStore {
  reads = 0;
  listings = 0;
  mostInFlight = 0;
  private inFlight = 0;
  readonly description: string;

  constructor(private readonly inner: ObjectStore) {
    this.description = inner.description;
  }

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.reads += 1;
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    try {
      // A round trip's worth of waiting, so that concurrent callers really overlap.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const stream = await this.inner.openRead(key);
      return stream && (await collected(stream));
    } finally {
      this.inFlight -= 1;
    }
  }

  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    return this.inner.put(key, body, contentType);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  deleteMany(keys: readonly string[]): Promise<void> {
    return this.inner.deleteMany(keys);
  }

  list(prefix: string): AsyncIterable<string> {
    this.listings += 1;
    return this.inner.list(prefix);
  }

  listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    this.listings += 1;
    return this.inner.listObjects(prefix);
  }
}

/** The whole body read while the request counts as in flight, handed back as one chunk. */
async function collected(stream: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  return (async function* () {
    yield body;
  })();
}

function parquetFiles(objects: Record<string, string>, prefix: string): string[] {
  return Object.keys(objects).filter((key) => key.startsWith(prefix) && key.endsWith('.parquet'));
}

async function count(lake: string, sql: string): Promise<number> {
  const [row] = await queryLake(lake, sql);
  return Number(Object.values(row ?? {})[0]);
}

/** Rows of a base table that no view reads: (source_key, write_id) not current in the ledger. */
async function notCurrentRows(lake: string, table: string): Promise<number> {
  const ledger = await Ledger.read(new FsObjectStore(lake));
  const rows = await queryLake(lake, `SELECT source_key, write_id FROM ${table}`);
  return rows.filter((row) => !ledger.isCurrent(String(row.source_key), String(row.write_id))).length;
}

beforeAll(async () => {
  reference = await tableContents(await smallFileLake('reference'));
});
afterAll(() => dirs.cleanup());

describe('merging', () => {
  it('merges each partition into one sorted file, changes no table, and deletes the small files only after the grace period', async () => {
    const lake = await smallFileLake('merged');
    expect(parquetFiles(await lakeObjects(lake), PLAYS)).toHaveLength(30);
    const first = await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: HOUR });
    expect(first.groups.find((g) => g.partition === PLAYS)).toMatchObject({
      filesMerged: 30,
      rows: 6820,
      droppedRows: 0,
    });
    expect(first.groups.find((g) => g.partition === 'base_songs/year=0/')).toMatchObject({ filesMerged: 43, rows: 43 });
    // The small files are still there for queries that listed them: each play exists twice...
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(2 * 6820);
    // ...and every answer is exactly as before.
    expect(await tableContents(lake)).toEqual(reference);

    // A run before the grace period is over deletes nothing; one after it deletes the small files.
    expect(
      (await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: HOUR })).filesDeleted,
    ).toBe(0);
    const later = await compactLake(new FsObjectStore(lake), {
      ...DEFAULT_COMPACTION,
      now: () => Date.now() + 2 * HOUR,
    });
    expect(later.filesDeleted).toBeGreaterThanOrEqual(30 + 71);
    expect(parquetFiles(await lakeObjects(lake), PLAYS)).toEqual([
      expect.stringMatching(/^base_plays\/year=2018\/month=11\/compacted-\d{8}T\d{9}Z-[0-9a-f]{12}-\d+\.parquet$/),
    ]);
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(6820);
    expect(await tableContents(lake)).toEqual(reference);
    expect(
      await count(
        lake,
        `SELECT count(*) FROM (SELECT start_time, lag(start_time) OVER () AS previous FROM base_plays) WHERE previous > start_time`,
      ),
    ).toBe(0);
  });

  it('merges the ledger too, and the ledger reads the same afterwards', async () => {
    const lake = await smallFileLake('ledger');
    const before = await Ledger.read(new FsObjectStore(lake));
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    expect(parquetFiles(await lakeObjects(lake), 'base_sources/')).toHaveLength(2);
    const after = await Ledger.read(new FsObjectStore(lake));
    expect(after.size).toBe(101);
    for (const key of before.presentKeys()) expect(after.current(key)).toEqual(before.current(key));
  });

  it('is idempotent: once merged and cleaned up, a run changes no object', async () => {
    const lake = await smallFileLake('twice');
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    const before = await lakeObjects(lake);
    const run = await compactLake(new FsObjectStore(lake), NO_GRACE);
    expect(run.groups).toEqual([]);
    expect(await lakeObjects(lake)).toEqual(before);
  });

  it('a re-ingest of the same files after compaction writes nothing and changes no table', async () => {
    const lake = await smallFileLake('redelivered');
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    const before = await lakeObjects(lake);
    const again = await ingestFolder(SAMPLE_DIR, lake);
    expect(again.byStatus.unchanged).toBe(101);
    expect(await lakeObjects(lake)).toEqual(before);
    expect(await tableContents(lake)).toEqual(reference);
  });
});

describe('rows no view reads any more', () => {
  it('a log file replaced after compaction: answers equal a fresh lake of the new content, and compaction drops the old rows from the merged file', async () => {
    const input = join(dirs.path, 'replaced-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const lake = await smallFileLake('replaced', input);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    const path = join(input, LOG_KEY);
    const firstHalf = readFileSync(path, 'utf8').split('\n').slice(0, 200).join('\n');
    writeFileSync(path, firstHalf.replaceAll('"level":"free"', '"level":"paid"'));
    await ingestFolder(input, lake);
    const expected = await tableContents(await smallFileLake('replaced-fresh', input));
    expect(await tableContents(lake)).toEqual(expected);
    expect(await notCurrentRows(lake, 'base_plays')).toBeGreaterThan(0);

    // The merged file is large and alone in its size class, yet holds superseded rows: rewritten.
    const run = await compactLake(new FsObjectStore(lake), NO_GRACE);
    expect(run.groups.find((g) => g.partition === PLAYS)?.droppedRows).toBeGreaterThan(0);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    for (const table of ['base_plays', 'base_user_latest']) expect(await notCurrentRows(lake, table)).toBe(0);
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe((expected.songplays as unknown[]).length);
    expect(await tableContents(lake)).toEqual(expected);
  });

  it('every log file of a compacted lake replaced at once: one ingest, answers equal a lake that never had the removed lines', async () => {
    const input = join(dirs.path, 'all-replaced-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const lake = await smallFileLake('all-replaced', input);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    const logs = join(input, 'log_data/2018/11');
    // A user's lines removed from every day they played (what an erasure does to the landing files).
    let changed = 0;
    for (const name of readdirSync(logs)) {
      const path = join(logs, name);
      const lines = readFileSync(path, 'utf8').split('\n');
      const kept = lines.filter((line) => !line.includes('"userId":"49"'));
      if (kept.length < lines.length) changed += 1;
      writeFileSync(path, kept.join('\n'));
    }
    expect(changed).toBeGreaterThan(20);
    const replaced = await ingestFolder(input, lake);
    expect(replaced.failures).toEqual([]);
    expect(replaced.byStatus.processed).toBe(changed);
    expect(await tableContents(lake)).toEqual(await tableContents(await smallFileLake('all-replaced-fresh', input)));
    expect(await count(lake, 'SELECT count(*) FROM songplays WHERE user_id = 49')).toBe(0);
  });

  it('a log file deleted after compaction (ingest --mirror) leaves every answer, and compaction drops its rows', async () => {
    const input = join(dirs.path, 'deleted-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const lake = await smallFileLake('deleted', input);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    rmSync(join(input, LOG_KEY));
    const summary = await ingestFolder(input, lake, { mirror: true });
    expect(summary.byStatus.removed).toBe(1);
    expect(await tableContents(lake)).toEqual(await tableContents(await smallFileLake('deleted-fresh', input)));
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    await compactLake(new FsObjectStore(lake), NO_GRACE);
    expect(await count(lake, `SELECT count(*) FROM base_plays WHERE source_key = '${LOG_KEY}'`)).toBe(0);
    expect(await count(lake, `SELECT count(*) FROM base_user_latest WHERE source_key = '${LOG_KEY}'`)).toBe(0);
  });

  it('a batch that died before its commit is invisible, kept while it could still commit, and deleted once it is abandoned', async () => {
    const lake = await smallFileLake('abandoned', SAMPLE_DIR, { kinds: ['song'] });
    const input = join(dirs.path, 'abandoned-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    await expect(ingestLogsDyingAtCommit(input, lake)).resolves.toBeGreaterThan(0);
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(6820);
    expect(await count(lake, 'SELECT count(*) FROM songplays')).toBe(0);
    // An hour later the batch might still commit (a slow worker): its rows stay.
    await compactLake(new FsObjectStore(lake), { ...NO_GRACE, now: () => Date.now() + HOUR });
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(6820);
    // Three hours later it cannot: its rows go.
    await compactLake(new FsObjectStore(lake), { ...NO_GRACE, now: () => Date.now() + 3 * HOUR });
    await compactLake(new FsObjectStore(lake), { ...NO_GRACE, now: () => Date.now() + 3 * HOUR });
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(0);
    expect(parquetFiles(await lakeObjects(lake), 'base_plays/')).toEqual([]);
  });
});

describe('interruption, deadline and bounded work', () => {
  it('a run that dies after writing a merged file shows no duplicate in any answer, and the next run repairs the lake', async () => {
    const lake = await smallFileLake('interrupted');
    const store = new FsObjectStore(lake);
    await expect(compactLake(dyingAtFirstJournalWrite(store), NO_GRACE)).rejects.toThrow('injected crash');
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(2 * 6820);
    expect(await tableContents(lake)).toEqual(reference);
    await compactLake(store, NO_GRACE);
    await compactLake(store, NO_GRACE);
    expect(await count(lake, 'SELECT count(*) FROM base_plays')).toBe(6820);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('starts nothing after its deadline, and stops a group at the deadline without writing it', async () => {
    const lake = await smallFileLake('deadline');
    const before = await lakeObjects(lake);
    const past = await compactLake(new FsObjectStore(lake), { ...NO_GRACE, deadline: Date.now() - 1 });
    expect(past).toMatchObject({ groups: [], stoppedAtDeadline: true });
    // The clock passes the deadline after a few reads of the first group.
    let reads = 0;
    const store = new FsObjectStore(lake);
    const counting: ObjectStore = {
      ...bind(store),
      openRead: (key) => {
        reads += 1;
        return store.openRead(key);
      },
    };
    const start = Date.now();
    const during = await compactLake(counting, {
      ...NO_GRACE,
      deadline: start + 1000,
      now: () => (reads >= 5 ? start + 2000 : start),
    });
    expect(during).toMatchObject({ groups: [], stoppedAtDeadline: true });
    expect(await lakeObjects(lake)).toEqual(before);
  });

  it('keeps at most `concurrency` requests in flight, and lists each table once per run', async () => {
    const lake = await smallFileLake('bounded');
    const store = new RequestTracker(new FsObjectStore(lake));
    const run = await compactLake(store, { ...NO_GRACE, concurrency: 3 });
    expect(run.groups.length).toBeGreaterThan(0);
    expect(store.reads).toBeGreaterThan(100);
    expect(store.mostInFlight).toBe(3);
    // Listing is linear: one listing of each table folder (and of the journal), not one per file.
    expect(store.listings).toBeLessThan(20);
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('caps a group by files and by bytes; each group is durable on its own', async () => {
    const lake = await smallFileLake('caps');
    const byFiles = await compactLake(new FsObjectStore(lake), { ...NO_GRACE, maxGroupFiles: 7 });
    const playGroups = byFiles.groups.filter((g) => g.partition === PLAYS);
    expect(playGroups.map((g) => g.filesMerged)).toEqual([7, 7, 7, 7, 2]);
    expect(await tableContents(lake)).toEqual(reference);

    const lake2 = await smallFileLake('caps-bytes');
    const sizes = Object.keys(await lakeObjects(lake2)).filter((key) => key.startsWith(PLAYS));
    expect(sizes).toHaveLength(30);
    const byBytes = await compactLake(new FsObjectStore(lake2), { ...NO_GRACE, maxGroupBytes: 100 * 1024 });
    for (const group of byBytes.groups.filter((g) => g.partition === PLAYS))
      expect(group.bytesMerged).toBeLessThanOrEqual(100 * 1024);
    expect(await tableContents(lake2)).toEqual(reference);
  });

  it('size classes: a large file is not rewritten for one new small file, only once enough files of its class gather', async () => {
    const input = join(dirs.path, 'tiers-input');
    cpSync(SAMPLE_DIR, input, { recursive: true });
    const day = join(input, LOG_KEY);
    rmSync(day);
    const lake = await smallFileLake('tiers', input);
    const tiers: CompactionOptions = { ...NO_GRACE, tierBytes: 16 * 1024, tierRatio: 4, minFiles: 3 };
    await compactLake(new FsObjectStore(lake), tiers);
    await compactLake(new FsObjectStore(lake), tiers);
    const merged = parquetFiles(await lakeObjects(lake), PLAYS);
    expect(merged.length).toBeLessThan(29);
    // One new day arrives: a small file beside the large merged one.
    cpSync(join(SAMPLE_DIR, LOG_KEY), day);
    await ingestFolder(input, lake);
    const run = await compactLake(new FsObjectStore(lake), tiers);
    expect(run.groups.filter((g) => g.partition === PLAYS)).toEqual([]);
    expect(parquetFiles(await lakeObjects(lake), PLAYS)).toEqual(expect.arrayContaining(merged));
    expect(await tableContents(lake)).toEqual(reference);
  });

  it('leaves files at or above the target size alone', async () => {
    const lake = await smallFileLake('large-files');
    const run = await compactLake(new FsObjectStore(lake), { ...NO_GRACE, targetFileBytes: 1024 });
    expect(run.groups.map((g) => g.partition)).not.toContain(PLAYS);
  });
});

/** Ingests the logs into `lake` with a store that dies when the batch commits; returns the files written. */
async function ingestLogsDyingAtCommit(input: string, lake: string): Promise<number> {
  const { processBatch } = await import('../../src/pipeline/process-batch.js');
  const { localSequencerClock } = await import('../../src/domain/versions.js');
  const store: ObjectStore = new FsObjectStore(lake);
  let written = 0;
  const dying: ObjectStore = {
    ...bind(store),
    async put(key, body, contentType) {
      if (key.startsWith('base_sources/')) throw new Error('injected crash');
      written += 1;
      await store.put(key, body, contentType);
    },
  };
  const keys: string[] = [];
  for await (const key of new FsObjectStore(input).list('log_data/')) keys.push(key);
  const next = localSequencerClock();
  await expect(
    processBatch(
      keys.map((key) => ({ key, seq: next() })),
      { source: new FsObjectStore(input), lake: dying },
    ),
  ).rejects.toThrow('injected crash');
  return written;
}

/** Dies when compaction records the play files a merge replaced (after writing the merged file). */
function dyingAtFirstJournalWrite(store: ObjectStore): ObjectStore {
  return {
    ...bind(store),
    async put(key, body, contentType) {
      if (key.startsWith('_compaction/') && String(body).includes(PLAYS)) throw new Error('injected crash');
      await store.put(key, body, contentType);
    },
  };
}

function bind(store: ObjectStore): ObjectStore {
  return {
    description: store.description,
    openRead: (key) => store.openRead(key),
    put: (key, body, contentType) => store.put(key, body, contentType),
    delete: (key) => store.delete(key),
    deleteMany: (keys) => store.deleteMany(keys),
    list: (prefix) => store.list(prefix),
    listObjects: (prefix) => store.listObjects(prefix),
  };
}
