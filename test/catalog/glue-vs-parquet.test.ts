/**
 * Athena fails at query time when a Glue column type disagrees with the Parquet type in the files.
 * This reads the files the workers really wrote (the whole sample, plus a quarantine file) and
 * compares each column's physical/logical type with the Glue TableInput the stack deploys.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkTableInput } from '../../src/catalog/glue-sdk.js';
import { glueTables } from '../../src/catalog/glue-tables.js';
import { BASE_TABLES } from '../../src/domain/tables.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { duckdbRows } from '../support/duckdb.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

// How Athena's Parquet reader maps physical + converted types to Hive types: written out here,
// independently of the writer's own table.
function hiveTypeOf(physical: string, converted: string | null): string {
  const key = `${physical}/${converted ?? ''}`;
  const known: Record<string, string> = {
    'BYTE_ARRAY/UTF8': 'string',
    'INT32/': 'int',
    'INT64/': 'bigint',
    'DOUBLE/': 'double',
    'INT64/TIMESTAMP_MILLIS': 'timestamp',
  };
  const hive = known[key];
  if (!hive) throw new Error(`no Hive type for Parquet ${key}`);
  return hive;
}

const dirs = tempDir('glue-types');
const lakeDir = join(dirs.path, 'lake');
const tables = glueTables('sparkify', 's3://lake-bucket').map(sdkTableInput);

beforeAll(async () => {
  const input = join(dirs.path, 'input');
  mkdirSync(join(input, 'log_data/2018/12'), { recursive: true });
  writeFileSync(
    join(input, 'log_data/2018/12/2018-12-01-events.json'),
    '{"page":"NextSong","ts":1543622400000,"userId":"7","sessionId":1,"itemInSession":0}\nnot json',
  );
  await ingestFolder(SAMPLE_DIR, lakeDir);
  await ingestFolder(input, lakeDir);
});
afterAll(() => dirs.cleanup());

describe.each(BASE_TABLES.map((t) => [t.name, t] as const))('%s', (name, table) => {
  it('every written file has exactly the Glue columns, with matching types', async () => {
    const glue = tables.find((t) => t.Name === name);
    const glueColumns = (glue?.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type]);
    expect(glueColumns.length).toBe(table.columns.length);
    const files: string[] = [];
    for await (const key of new FsObjectStore(lakeDir).list(`${name}/`)) files.push(key);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const schema = await duckdbRows(
        `SELECT name, type, converted_type FROM parquet_schema('${join(lakeDir, file)}') WHERE num_children IS NULL`,
      );
      expect({
        file,
        columns: schema.map((c) => [c.name, hiveTypeOf(String(c.type), c.converted_type as string | null)]),
      }).toEqual({ file, columns: glueColumns });
    }
  });

  it('partition folders carry the Glue partition keys, with values of their declared type', async () => {
    const glue = tables.find((t) => t.Name === name);
    const keys = (glue?.PartitionKeys ?? []).map((k) => [k.Name, k.Type]);
    for await (const file of new FsObjectStore(lakeDir).list(`${name}/`)) {
      const parts = file
        .split('/')
        .slice(1, -1)
        .map((part) => part.split('='));
      expect(parts.map(([key]) => key)).toEqual(keys.map(([key]) => key));
      parts.forEach(([, value], i) => {
        if (keys[i]?.[1] === 'int') expect(value).toMatch(/^-?\d+$/);
      });
    }
  });
});
