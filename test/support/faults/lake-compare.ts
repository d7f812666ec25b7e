/**
 * Snapshots of a lake's ANSWERS, read through the product's own query layer (LakeSql: the DuckDB
 * views the local run and `sparkify-lake query` use), and a compact comparison of two snapshots.
 *
 * Lake objects are immutable and named by the batch that wrote them, so two lakes that hold the
 * same data never hold the same bytes: the fault suite compares what a reader can see instead.
 * A snapshot holds
 * - every analyst view (songplays, users, songs, artists, time, rejects), every row rendered by
 *   DuckDB as JSON (`to_json(row)`), sorted: these must equal the reference as multisets, so a
 *   duplicate row is a difference;
 * - the CURRENT rows of every base table, found by this file's own reading of the ledger (the
 *   contract: per landing key, the base_sources row with the greatest seq, then write_id, and
 *   nothing when that row says `removed`), without write_id and seq, which differ from lake to
 *   lake. This is stricter than the views (which de-duplicate): a current row written twice, or
 *   one the views would hide, shows up here;
 * - the lake's hygiene: rows no view reads any more (not of the current write of their landing
 *   key), and batch files whose write never committed. Garbage is allowed until a compaction
 *   removes it; `expectNoGarbage` checks that it did.
 *
 * An S3 lake is downloaded into a folder first, so the same query layer runs on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { COMPACTION_JOURNAL_PREFIX, writeIdOfBatchFile } from '../../../src/domain/layout.js';
import { ANALYST_VIEWS, BASE_SOURCES, BASE_TABLES } from '../../../src/domain/tables.js';
import { ingestFolder, type IngestSummary } from '../../../src/local/ingest.js';
import { LakeSql, type JsonValue } from '../../../src/local/lake-sql.js';
import { FsObjectStore } from '../../../src/storage/fs-store.js';
import { getObjectBytes, listAllKeys } from '../local-s3.js';

export const VIEW_NAMES: readonly string[] = ANALYST_VIEWS.map((view) => view.name);
export const BASE_NAMES: readonly string[] = BASE_TABLES.map((table) => table.name);
/** Base tables holding data rows (the ledger itself keeps its history: compaction never drops from it). */
export const DATA_TABLE_NAMES: readonly string[] = BASE_NAMES.filter((name) => name !== BASE_SOURCES.name);

export interface LakeSnapshot {
  /** Analyst view → its rows as DuckDB renders them in JSON, sorted. */
  readonly views: Readonly<Record<string, readonly string[]>>;
  /** Base table → its current rows without write_id (and seq), sorted; base_sources: current `present` versions. */
  readonly current: Readonly<Record<string, readonly string[]>>;
  /** Data table → rows that are not of the current write of their landing key (garbage, invisible). */
  readonly staleRows: Readonly<Record<string, number>>;
  /** `part-<writeId>.parquet` files whose write has no row in the ledger (a batch that never committed). */
  readonly uncommittedFiles: readonly string[];
  /** Compaction journal entries: files replaced but not yet deleted. */
  readonly retiredJournals: readonly string[];
  /** Every object key (the lake marker file excluded). */
  readonly objects: readonly string[];
}

/** The ledger's current version per landing key, as the contract defines it; written here, not taken from src/. */
const CURRENT_VERSIONS = `
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY source_key ORDER BY seq DESC, write_id DESC) AS zz_recency
    FROM base_sources
  ) WHERE zz_recency = 1`;

const isCurrent = (alias: string): string =>
  `EXISTS (SELECT 1 FROM zz_current_versions c WHERE c.status = 'present' AND c.source_key = ${alias}.source_key AND c.write_id = ${alias}.write_id)`;

export async function snapshotLake(lakeDir: string): Promise<LakeSnapshot> {
  mkdirSync(lakeDir, { recursive: true });
  const store = new FsObjectStore(lakeDir);
  const objects: string[] = [];
  for await (const key of store.list('')) if (!key.startsWith('.')) objects.push(key);
  const session = await LakeSql.open(lakeDir, store);
  const rowsOf = async (sql: string): Promise<string[]> =>
    (await session.query(sql)).rows.map((row) => String(row[0])).sort();
  const views: Record<string, string[]> = {};
  const current: Record<string, string[]> = {};
  const staleRows: Record<string, number> = {};
  let committedWrites: Set<string>;
  try {
    // Read each base table's Parquet files once: a temporary table of the same name, filled from
    // the session's own base view, shadows it for the analyst views (DuckDB resolves unqualified
    // names in the temp schema first). Same files, same view SQL; about twice as fast.
    for (const name of BASE_NAMES) await session.query(`CREATE TEMP TABLE "${name}" AS SELECT * FROM main."${name}"`);
    await session.query(`CREATE TEMP TABLE zz_current_versions AS ${CURRENT_VERSIONS}`);
    for (const name of VIEW_NAMES)
      views[name] = await rowsOf(`SELECT CAST(to_json(zz_row) AS VARCHAR) FROM "${name}" zz_row`);
    for (const name of DATA_TABLE_NAMES) {
      current[name] = await rowsOf(
        `SELECT CAST(to_json(zz_row) AS VARCHAR) FROM (SELECT t.* EXCLUDE (write_id) FROM "${name}" t WHERE ${isCurrent('t')}) zz_row`,
      );
      const [[stale]] = (await session.query(`SELECT count(*) FROM "${name}" t WHERE NOT ${isCurrent('t')}`)).rows as [
        [number],
      ];
      staleRows[name] = Number(stale);
    }
    current[BASE_SOURCES.name] = await rowsOf(
      `SELECT CAST(to_json(zz_row) AS VARCHAR) FROM (SELECT * EXCLUDE (seq, write_id, zz_recency) FROM zz_current_versions WHERE status = 'present') zz_row`,
    );
    committedWrites = new Set(
      (await session.query(`SELECT DISTINCT write_id FROM base_sources`)).rows.map((row) => String(row[0])),
    );
  } finally {
    session.close();
  }
  const uncommittedFiles = objects.filter((key) => {
    const writeId = writeIdOfBatchFile(key);
    return writeId !== undefined && !committedWrites.has(writeId);
  });
  const retiredJournals = objects.filter((key) => key.startsWith(COMPACTION_JOURNAL_PREFIX));
  return { views, current, staleRows, uncommittedFiles, retiredJournals, objects };
}

/** Rows of one query over a lake folder, as objects (DuckDB's JSON rendering). */
export async function lakeRows(lakeDir: string, sql: string): Promise<Record<string, JsonValue>[]> {
  mkdirSync(lakeDir, { recursive: true });
  const session = await LakeSql.open(lakeDir, new FsObjectStore(lakeDir));
  try {
    const { columns, rows } = await session.query(sql);
    return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])));
  } finally {
    session.close();
  }
}

export interface TableDifference {
  readonly missing: number;
  readonly unexpected: number;
  readonly firstMissing: readonly string[];
  readonly firstUnexpected: readonly string[];
}

export interface CompareOptions {
  /**
   * Also compare the current base rows (default true). Off while a compaction's replaced files
   * still lie beside their merged copy: the views absorb those copies, the base tables hold both.
   */
  readonly baseRows?: boolean;
}

/** What differs between the answers of two snapshots; `{}` when they are the same. Multisets: duplicates count. */
export function answerDifferences(
  actual: LakeSnapshot,
  expected: LakeSnapshot,
  options: CompareOptions = {},
): Record<string, TableDifference> {
  const out: Record<string, TableDifference> = {};
  const compare = (
    prefix: string,
    a: Readonly<Record<string, readonly string[]>>,
    e: Readonly<Record<string, readonly string[]>>,
  ): void => {
    for (const name of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const missing = multisetMinus(e[name] ?? [], a[name] ?? []);
      const unexpected = multisetMinus(a[name] ?? [], e[name] ?? []);
      if (missing.length > 0 || unexpected.length > 0) {
        out[`${prefix}${name}`] = {
          missing: missing.length,
          unexpected: unexpected.length,
          firstMissing: missing.slice(0, 3),
          firstUnexpected: unexpected.slice(0, 3),
        };
      }
    }
  };
  compare('', actual.views, expected.views);
  if (options.baseRows ?? true) compare('current ', actual.current, expected.current);
  return out;
}

/** Fails with a readable summary (counts and first differing rows) unless the answers match. */
export function expectSameAnswers(
  actual: LakeSnapshot,
  expected: LakeSnapshot,
  what: string,
  options: CompareOptions = {},
): void {
  expect(answerDifferences(actual, expected, options), what).toEqual({});
}

/** What a clean lake holds: only current rows, no file of an uncommitted write, nothing awaiting deletion. */
export function garbageOf(lake: LakeSnapshot): {
  staleRows: Record<string, number>;
  uncommittedFiles: readonly string[];
  retiredJournals: readonly string[];
} {
  return {
    staleRows: Object.fromEntries(Object.entries(lake.staleRows).filter(([, n]) => n > 0)),
    uncommittedFiles: lake.uncommittedFiles,
    retiredJournals: lake.retiredJournals,
  };
}

export function expectNoGarbage(lake: LakeSnapshot, what: string): void {
  expect(garbageOf(lake), what).toEqual({ staleRows: {}, uncommittedFiles: [], retiredJournals: [] });
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const row of b) counts.set(row, (counts.get(row) ?? 0) + 1);
  const out: string[] = [];
  for (const row of a) {
    const n = counts.get(row) ?? 0;
    if (n > 0) counts.set(row, n - 1);
    else out.push(row);
  }
  return out;
}

/** A snapshot's rows of one view, or of one base table (its current rows, without write_id), parsed. */
export function rowsOf(snapshot: LakeSnapshot, table: string): Record<string, JsonValue>[] {
  const rows = snapshot.views[table] ?? snapshot.current[table];
  if (!rows) throw new Error(`no table ${table} in the snapshot`);
  return rows.map((row) => JSON.parse(row) as Record<string, JsonValue>);
}

/** The reference: the input folder ingested once, songs then logs, one file at a time, into a fresh lake. */
export async function buildReferenceLake(
  inputDir: string,
  lakeDir: string,
): Promise<{ summary: IngestSummary; snapshot: LakeSnapshot }> {
  const summary = await ingestFolder(inputDir, lakeDir, { kinds: ['song', 'log'], concurrency: 1 });
  if (summary.failures.length > 0) throw new Error(`reference ingest failed: ${JSON.stringify(summary.failures)}`);
  return { summary, snapshot: await snapshotLake(lakeDir) };
}

/** Copies every object of a bucket into a (new) folder, keys as relative paths. */
export async function downloadBucket(s3: S3Client, bucket: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const keys = await listAllKeys(s3, bucket);
  await forEachLimit(keys, 16, async (key) => {
    const bytes = await getObjectBytes(s3, bucket, key);
    if (!bytes) throw new Error(`s3://${bucket}/${key} listed but gone`);
    const path = join(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  });
  return keys;
}

/** Downloads a lake bucket into `dir` and snapshots it through the same query layer. */
export async function snapshotBucketLake(s3: S3Client, bucket: string, dir: string): Promise<LakeSnapshot> {
  await downloadBucket(s3, bucket, dir);
  return snapshotLake(dir);
}

/** Runs `work` over the items with at most `limit` in flight. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}
