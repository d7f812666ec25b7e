/**
 * Where things live, in the landing area and in the lake. Every lake object gets a name no other
 * write ever uses (it carries the id of the batch or compaction run that wrote it), so an object
 * is never changed in place: a new version of the data is a new object, and the ledger
 * (base_sources) says which writes are current.
 */
import { posix } from 'node:path';
import type { BaseTableName } from './tables.js';

export type SourceKind = 'song' | 'log';

/** Every kind, in the order the lake lists them. What belongs to each: src/contract (SOURCE_KIND_FACTS). */
export const SOURCE_KINDS: readonly SourceKind[] = ['song', 'log'];

/** `{ song: make('song'), log: make('log') }`. */
export function perSourceKind<T>(make: (kind: SourceKind) => T): Record<SourceKind, T> {
  return { song: make('song'), log: make('log') };
}

/** The landing folder of a kind, as it appears in the rejects and base_sources `source` partition. */
export type LandingSource = 'song_data' | 'log_data';

const LANDING_SOURCES: Record<SourceKind, LandingSource> = { song: 'song_data', log: 'log_data' };

/** Landing files are JSON, plain or gzip-compressed (pipeline/source-encoding.ts decodes them). */
export const SOURCE_SUFFIXES = ['.json', '.json.gz'] as const;

/** Which worker a landing key belongs to, or undefined for keys the lake does not ingest. */
export function sourceKindOf(key: string): SourceKind | undefined {
  if (!SOURCE_SUFFIXES.some((suffix) => key.endsWith(suffix))) return undefined;
  for (const kind of SOURCE_KINDS) {
    if (key.startsWith(sourcePrefix(kind))) return kind;
  }
  return undefined;
}

export function landingSourceOf(kind: SourceKind): LandingSource {
  return LANDING_SOURCES[kind];
}

/** `song_data/` or `log_data/`: the landing prefix of a kind. */
export function sourcePrefix(kind: SourceKind): string {
  return `${LANDING_SOURCES[kind]}/`;
}

/** A Hive-style partition of a base table: values in the order of the table's partition keys. */
export interface PartitionRef {
  readonly table: BaseTableName;
  readonly values: readonly string[];
}

/** `base_plays/2018/11`: how the ledger names a partition. */
export function partitionId(partition: PartitionRef): string {
  return [partition.table, ...partition.values].join('/');
}

/** `<table>/<k1>=<v1>/<k2>=<v2>/` for a partition of a table whose keys are given. */
export function partitionPrefix(table: BaseTableName, keys: readonly string[], values: readonly string[]): string {
  if (keys.length !== values.length) {
    throw new Error(`${table}: ${keys.length} partition keys but ${values.length} values`);
  }
  const parts = keys.map((key, i) => `${key}=${values[i]}`);
  return `${[table, ...parts].join('/')}/`;
}

/** The one object a batch writes into a partition: `<partition>/part-<writeId>.parquet`. */
export function batchFileKey(
  table: BaseTableName,
  keys: readonly string[],
  values: readonly string[],
  writeId: string,
): string {
  return `${partitionPrefix(table, keys, values)}${BATCH_FILE_PREFIX}${writeId}.parquet`;
}

export const BATCH_FILE_PREFIX = 'part-';

/** Files written by compaction hold the rows of many batches; their names say so. */
export const COMPACTED_PREFIX = 'compacted-';

export function compactedKey(partitionFolder: string, id: string): string {
  return `${partitionFolder}${COMPACTED_PREFIX}${id}.parquet`;
}

/** The write id in a batch file's name, or undefined for a compacted file. */
export function writeIdOfBatchFile(key: string): string | undefined {
  const name = posix.basename(key);
  if (!name.startsWith(BATCH_FILE_PREFIX) || !name.endsWith('.parquet')) return undefined;
  return name.slice(BATCH_FILE_PREFIX.length, -'.parquet'.length);
}

/**
 * Compaction's journal: which files each run replaced and when. `_`-prefixed and outside every
 * table's location, so no query engine reads it as data.
 */
export const COMPACTION_JOURNAL_PREFIX = '_compaction/retired/';

export function compactionJournalKey(id: string): string {
  return `${COMPACTION_JOURNAL_PREFIX}${id}.json`;
}

/** One audit record per erasure request: counts and times, no personal data. Outside every table. */
export const ERASURE_AUDIT_PREFIX = '_audit/erasure/';

export function erasureAuditKey(requestId: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(requestId))
    throw new Error(`request id must be 1-128 letters, digits, '.', '_' or '-': ${requestId}`);
  return `${ERASURE_AUDIT_PREFIX}${requestId}.json`;
}

/** The partition an object key lies in: `base_plays/year=2018/month=11/x.parquet` → base_plays, [2018, 11]. */
export function partitionOfKey(
  key: string,
  tables: readonly { name: BaseTableName; partitionKeys: readonly { name: string }[] }[],
): PartitionRef {
  const [tableName, ...rest] = key.split('/');
  const table = tables.find((t) => t.name === tableName);
  const folders = rest.slice(0, -1);
  if (!table || folders.length !== table.partitionKeys.length) throw new Error(`not a lake output key: ${key}`);
  const values = folders.map((folder, i) => {
    const [name, value] = folder.split('=');
    if (name !== table.partitionKeys[i]?.name || value === undefined) throw new Error(`not a lake output key: ${key}`);
    return value;
  });
  return { table: table.name, values };
}

/** The partition a partition folder (`base_plays/year=2018/month=11/`) is. */
export function partitionOfFolder(folder: string, tables: Parameters<typeof partitionOfKey>[1]): PartitionRef {
  return partitionOfKey(`${folder}object`, tables);
}

/** `base_plays/year=2018/month=11/` for an object key inside it. */
export function partitionFolderOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
