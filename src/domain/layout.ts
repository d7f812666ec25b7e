/**
 * Where things live, in the landing area and in the lake. Output object names are derived from the
 * source object's key only, so processing a file again overwrites its own output instead of adding
 * a copy, and a manifest per source key records what that key contributed.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { BaseTableName } from './tables.js';

export type SourceKind = 'song' | 'log';

const SOURCE_PREFIXES: Record<SourceKind, string> = { song: 'song_data/', log: 'log_data/' };

/** Landing files are JSON, plain or gzip-compressed (pipeline/source-encoding.ts decodes them). */
export const SOURCE_SUFFIXES = ['.json', '.json.gz'] as const;

/** Which worker a landing key belongs to, or undefined for keys the lake does not ingest. */
export function sourceKindOf(key: string): SourceKind | undefined {
  if (!SOURCE_SUFFIXES.some((suffix) => key.endsWith(suffix))) return undefined;
  for (const kind of ['song', 'log'] as const) {
    if (key.startsWith(SOURCE_PREFIXES[kind])) return kind;
  }
  return undefined;
}

export function sourcePrefix(kind: SourceKind): string {
  return SOURCE_PREFIXES[kind];
}

/** A Hive-style partition of a base table: values in the order of the table's partition keys. */
export interface PartitionRef {
  readonly table: BaseTableName;
  readonly values: readonly string[];
}

export function partitionId(partition: PartitionRef): string {
  return `${partition.table}/${partition.values.join('/')}`;
}

/**
 * A short, stable, collision-resistant name for a source key: readable stem plus a hash of the
 * whole key (two days' logs in different folders never share an output name).
 */
export function outputStem(sourceKey: string): string {
  const stem = posix
    .basename(sourceKey)
    .replace(/\.json(\.gz)?$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 80);
  const digest = createHash('sha256').update(sourceKey).digest('hex').slice(0, 16);
  return `${stem}-${digest}`;
}

/** `<table>/<k1>=<v1>/<k2>=<v2>/` for a partition of a table whose keys are given. */
export function partitionPrefix(table: BaseTableName, keys: readonly string[], values: readonly string[]): string {
  if (keys.length !== values.length) {
    throw new Error(`${table}: ${keys.length} partition keys but ${values.length} values`);
  }
  const parts = keys.map((key, i) => `${key}=${values[i]}`);
  return [table, ...parts].join('/') + '/';
}

export function outputKey(
  table: BaseTableName,
  keys: readonly string[],
  values: readonly string[],
  sourceKey: string,
): string {
  return `${partitionPrefix(table, keys, values)}${outputStem(sourceKey)}.parquet`;
}

/** Outside every table's location, and `_`-prefixed, so no query engine reads it as data. */
export const MANIFEST_PREFIX = '_manifests/';

export function manifestKey(sourceKey: string): string {
  return `${MANIFEST_PREFIX}${outputStem(sourceKey)}.json`;
}

/** Files written by compaction hold the rows of many source files; their names say so. */
export const COMPACTED_PREFIX = 'compacted-';

export function compactedKey(partitionFolder: string, id: string): string {
  return `${partitionFolder}${COMPACTED_PREFIX}${id}.parquet`;
}

export function isCompactedKey(key: string): boolean {
  return posix.basename(key).startsWith(COMPACTED_PREFIX);
}

/** The partition an output key lies in: `base_plays/year=2018/month=11/x.parquet` → base_plays, [2018, 11]. */
export function partitionOfKey(key: string, tables: readonly { name: BaseTableName; partitionKeys: readonly { name: string }[] }[]): PartitionRef {
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

/** `base_plays/year=2018/month=11/` for an output key inside it. */
export function partitionFolderOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
