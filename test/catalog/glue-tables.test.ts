import type { TableInput } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { sdkTableInput } from '../../src/catalog/glue-sdk.js';
import {
  VIEW_OWNER,
  baseTableGlueTable,
  decodePrestoView,
  glueTables,
  viewGlueTable,
} from '../../src/catalog/glue-tables.js';
import {
  ANALYST_VIEWS,
  BASE_PLAYS,
  BASE_TABLES,
  baseTable,
  type AnalystView,
  type BaseTable,
} from '../../src/domain/tables.js';

// The tables as the Glue API takes them: the one description (glue-tables.ts) in the SDK's shape
// (glue-sdk.ts); the stack renders the same description for CloudFormation (test/lib/stack.test.ts
// checks that both agree).
const baseTableInput = (table: BaseTable, root: string): TableInput => sdkTableInput(baseTableGlueTable(table, root));
const viewTableInput = (view: AnalystView, db: string): TableInput => sdkTableInput(viewGlueTable(view, db));
const glueTableInputs = (db: string, root: string): TableInput[] => glueTables(db, root).map(sdkTableInput);

const DB = 'sparkify_lake';
const ROOT = 's3://lake';

/** Decoded here, independently of decodePrestoView, so a symmetric bug in both cannot pass. */
function decodeIndependently(text: string | undefined): Record<string, unknown> {
  const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text ?? '');
  expect(match, `ViewOriginalText ${text}`).not.toBeNull();
  return JSON.parse(Buffer.from(match?.[1] ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
}

function byName(inputs: readonly TableInput[], name: string): TableInput {
  const found = inputs.find((t) => t.Name === name);
  if (!found) throw new Error(`no table input ${name}`);
  return found;
}

describe('baseTableInput', () => {
  it.each(BASE_TABLES.map((t) => [t.name, t] as const))('%s matches the schema source', (_name, table) => {
    const input = baseTableInput(table, ROOT);
    expect(input.Name).toBe(table.name);
    expect(input.Description).toBe(table.comment);
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.Parameters).toEqual({ classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' });
    expect(input.StorageDescriptor?.Columns).toEqual(
      table.columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
    );
    expect(input.PartitionKeys).toEqual(
      table.partitionKeys.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
    );
    expect(input.StorageDescriptor?.Location).toBe(`s3://lake/${table.name}/`);
  });

  it('writes the Parquet formats and SerDe', () => {
    const sd = baseTableInput(BASE_PLAYS, ROOT).StorageDescriptor;
    expect(sd?.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(sd?.OutputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
    expect(sd?.SerdeInfo).toEqual({
      SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    });
  });

  it('hard facts: base_plays start_time is a timestamp and it is partitioned by year, month (int)', () => {
    const input = baseTableInput(baseTable('base_plays'), ROOT);
    expect(input.StorageDescriptor?.Columns?.find((c) => c.Name === 'start_time')?.Type).toBe('timestamp');
    expect(input.StorageDescriptor?.Columns?.find((c) => c.Name === 'user_id')?.Type).toBe('int');
    expect(input.PartitionKeys?.map((k) => [k.Name, k.Type])).toEqual([
      ['year', 'int'],
      ['month', 'int'],
    ]);
    // Partition keys are part of the path, never of the file.
    expect(input.StorageDescriptor?.Columns?.map((c) => c.Name)).not.toContain('year');
    expect(baseTableInput(baseTable('base_rejects'), ROOT).PartitionKeys?.map((k) => [k.Name, k.Type])).toEqual([
      ['source', 'string'],
    ]);
  });

  it.each([
    ['s3://lake', 's3://lake/base_songs/'],
    ['s3://lake/', 's3://lake/base_songs/'],
    ['s3://lake/some/prefix//', 's3://lake/some/prefix/base_songs/'],
  ])('normalises lake root %s', (root, location) => {
    expect(baseTableInput(baseTable('base_songs'), root).StorageDescriptor?.Location).toBe(location);
  });

  it.each(['lake', 'https://lake', 's3://', 's3://lake//x'])('rejects lake root %s', (root) => {
    expect(() => baseTableInput(baseTable('base_songs'), root)).toThrow(/lake root/);
  });
});

describe('viewTableInput', () => {
  it.each(ANALYST_VIEWS.map((v) => [v.name, v] as const))(
    '%s is an Athena view of the schema source',
    (_name, view) => {
      const input = viewTableInput(view, DB);
      expect(input.Name).toBe(view.name);
      // A Description would hide the view from Trino (see viewTableInput); the owner is Trino's run-as identity.
      expect(input).not.toHaveProperty('Description');
      expect(input.Owner).toBe(VIEW_OWNER);
      expect(input.TableType).toBe('VIRTUAL_VIEW');
      expect(input.Parameters).toEqual({ presto_view: 'true', comment: 'Presto View' });
      expect(input.ViewExpandedText).toBe('/* Presto View */');
      expect(input.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type])).toEqual(
        view.columns.map((c) => [c.name, c.type]),
      );
      expect(input.StorageDescriptor?.SerdeInfo).toEqual({});

      const decoded = decodeIndependently(input.ViewOriginalText);
      expect(decoded.originalSql).toBe(view.sql);
      expect(decoded.catalog).toBe('awsdatacatalog');
      expect(decoded.schema).toBe(DB);
      expect(decoded).not.toHaveProperty('owner');
      expect(decoded.runAsInvoker).toBe(false);
      const expectedTypes = {
        string: 'varchar',
        int: 'integer',
        bigint: 'bigint',
        double: 'double',
        timestamp: 'timestamp(3)',
      };
      expect(decoded.columns).toEqual(view.columns.map((c) => ({ name: c.name, type: expectedTypes[c.type] })));

      expect(decodePrestoView(input.ViewOriginalText ?? '')).toEqual(decoded);
    },
  );

  it('hard facts: songplays columns, in order, with Presto types', () => {
    const view = ANALYST_VIEWS.find((v) => v.name === 'songplays');
    if (!view) throw new Error('songplays view missing');
    const decoded = decodeIndependently(viewTableInput(view, DB).ViewOriginalText);
    expect(decoded.columns).toEqual([
      { name: 'songplay_id', type: 'varchar' },
      { name: 'start_time', type: 'timestamp(3)' },
      { name: 'user_id', type: 'integer' },
      { name: 'level', type: 'varchar' },
      { name: 'song_id', type: 'varchar' },
      { name: 'artist_id', type: 'varchar' },
      { name: 'session_id', type: 'integer' },
      { name: 'location', type: 'varchar' },
      { name: 'user_agent', type: 'varchar' },
      { name: 'year', type: 'integer' },
      { name: 'month', type: 'integer' },
    ]);
  });
});

describe('glueTableInputs', () => {
  it('lists every base table, then every view', () => {
    const inputs = glueTableInputs(DB, ROOT);
    expect(inputs.map((t) => t.Name)).toEqual([...BASE_TABLES.map((t) => t.name), ...ANALYST_VIEWS.map((v) => v.name)]);
    expect(byName(inputs, 'base_plays').TableType).toBe('EXTERNAL_TABLE');
    expect(byName(inputs, 'time').TableType).toBe('VIRTUAL_VIEW');
    expect(decodeIndependently(byName(inputs, 'users').ViewOriginalText).schema).toBe(DB);
  });
});

describe('decodePrestoView', () => {
  const wrap = (json: string): string => `/* Presto View: ${Buffer.from(json).toString('base64')} */`;
  const valid = {
    originalSql: 'SELECT 1 AS x',
    catalog: 'awsdatacatalog',
    schema: 'db',
    columns: [{ name: 'x', type: 'integer' }],
  };

  it('accepts what Athena writes (no owner, no runAsInvoker)', () => {
    expect(decodePrestoView(wrap(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each([
    ['plain SQL', 'SELECT 1'],
    ['missing suffix', wrap(JSON.stringify(valid)).slice(0, -3)],
    ['empty payload', '/* Presto View:  */'],
    ['non-base64 payload', '/* Presto View: not base64! */'],
    ['base64 of non-JSON', wrap('SELECT 1')],
    ['JSON array', wrap('[]')],
    ['missing originalSql', wrap(JSON.stringify({ ...valid, originalSql: undefined }))],
    ['empty columns', wrap(JSON.stringify({ ...valid, columns: [] }))],
    ['bad column', wrap(JSON.stringify({ ...valid, columns: [{ name: 'x' }] }))],
    ['non-boolean runAsInvoker', wrap(JSON.stringify({ ...valid, runAsInvoker: 'no' }))],
  ])('rejects %s', (_why, text) => {
    expect(() => decodePrestoView(text)).toThrow(/not an Athena\/Presto view definition/);
  });
});
