/**
 * Snapshots of a lake, read through the product's own query layer (LakeSql: the DuckDB views the
 * local run and `sparkify-lake query` use), and a compact comparison of two snapshots.
 *
 * A snapshot holds every analyst table and every base table (rejects included) as rows rendered by
 * DuckDB as JSON objects (`to_json(row)`: every column, typed text), sorted, plus every
 * object key with the SHA-256 of its bytes. An S3 lake is downloaded into a folder first, so the
 * same query layer runs on it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { ANALYST_VIEWS, BASE_TABLES } from '../../../src/domain/tables.js';
import { ingestFolder, type IngestSummary } from '../../../src/local/ingest.js';
import { LakeSql, type JsonValue } from '../../../src/local/lake-sql.js';
import { LAKE_MARKER_FILE } from '../../../src/local/lake-folder.js';
import { FsObjectStore } from '../../../src/storage/fs-store.js';
import { getObjectBytes, listAllKeys } from '../local-s3.js';

export const TABLE_NAMES: readonly string[] = [...ANALYST_VIEWS.map((v) => v.name), ...BASE_TABLES.map((t) => t.name)];

export interface LakeSnapshot {
  /** Table name → its rows as DuckDB renders them in JSON, sorted. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
  /** Object key → SHA-256 of its bytes (manifests included). */
  readonly objects: Readonly<Record<string, string>>;
}

export async function snapshotLake(lakeDir: string): Promise<LakeSnapshot> {
  mkdirSync(lakeDir, { recursive: true });
  const store = new FsObjectStore(lakeDir);
  const objects: Record<string, string> = {};
  // The marker is written by the local run only (an S3 lake has none): not an object of the lake.
  for await (const key of store.list('')) if (key !== LAKE_MARKER_FILE) objects[key] = sha256(readFileSync(join(lakeDir, key)));
  const tables: Record<string, string[]> = {};
  const session = await LakeSql.open(lakeDir, store);
  try {
    // Read each base table's Parquet files once: a temporary table of the same name, filled from
    // the session's own base view, shadows it for the analyst views (DuckDB resolves unqualified
    // names in the temp schema first). Same files, same view SQL; about twice as fast.
    for (const table of BASE_TABLES) {
      await session.query(`CREATE TEMP TABLE "${table.name}" AS SELECT * FROM main."${table.name}"`);
    }
    for (const name of TABLE_NAMES) {
      const result = await session.query(`SELECT CAST(to_json(zz_row) AS VARCHAR) AS r FROM "${name}" zz_row`);
      tables[name] = result.rows.map((row) => String(row[0])).sort();
    }
  } finally {
    session.close();
  }
  return { tables, objects };
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

export interface LakeDifferences {
  tables?: Record<string, TableDifference>;
  objects?: { missing: string[]; unexpected: string[]; changed: string[] };
}

/** What differs between two snapshots; `{}` when they are the same. Multisets: duplicates count. */
export function lakeDifferences(actual: LakeSnapshot, expected: LakeSnapshot, options: { objects?: boolean } = {}): LakeDifferences {
  const out: LakeDifferences = {};
  const tables: Record<string, TableDifference> = {};
  for (const name of new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])) {
    const missing = multisetMinus(expected.tables[name] ?? [], actual.tables[name] ?? []);
    const unexpected = multisetMinus(actual.tables[name] ?? [], expected.tables[name] ?? []);
    if (missing.length > 0 || unexpected.length > 0) {
      tables[name] = {
        missing: missing.length,
        unexpected: unexpected.length,
        firstMissing: missing.slice(0, 3),
        firstUnexpected: unexpected.slice(0, 3),
      };
    }
  }
  if (Object.keys(tables).length > 0) out.tables = tables;
  if (options.objects ?? true) {
    const missing = Object.keys(expected.objects).filter((k) => !(k in actual.objects));
    const unexpected = Object.keys(actual.objects).filter((k) => !(k in expected.objects));
    const changed = Object.keys(expected.objects).filter((k) => k in actual.objects && actual.objects[k] !== expected.objects[k]);
    if (missing.length + unexpected.length + changed.length > 0) out.objects = { missing, unexpected, changed };
  }
  return out;
}

/** Fails with a readable summary (counts and first differing rows/keys) unless the lakes match. */
export function expectSameLake(actual: LakeSnapshot, expected: LakeSnapshot, what: string, options: { objects?: boolean } = {}): void {
  expect(lakeDifferences(actual, expected, options), what).toEqual({});
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

/** A snapshot's rows of one table, parsed. */
export function rowsOf(snapshot: LakeSnapshot, table: string): Record<string, JsonValue>[] {
  return (snapshot.tables[table] ?? []).map((row) => JSON.parse(row) as Record<string, JsonValue>);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The reference: the input folder ingested once, songs then logs, one file at a time, into a fresh lake. */
export async function buildReferenceLake(inputDir: string, lakeDir: string): Promise<{ summary: IngestSummary; snapshot: LakeSnapshot }> {
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
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}
