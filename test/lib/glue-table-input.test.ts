/** The SDK TableInput -> AWS::Glue::Table TableInput converter: a pure rename, nothing dropped. */
import type { TableInput } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { UnsupportedTableInputError, toCfnTableInput } from '../../lib/glue-table-input.js';
import { glueTableInputs } from '../../src/catalog/glue-tables.js';

/** camelCase keys back to PascalCase, undefined values dropped, recursively. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k[0]?.toUpperCase() + k.slice(1), k === 'parameters' || k === 'skewedColumnValueLocationMaps' ? v : pascal(v)]),
    );
  }
  return value;
}

describe('toCfnTableInput', () => {
  it.each(glueTableInputs('sparkify_lake', 's3://lake-bucket').map((t) => [t.Name, t] as const))('%s converts without loss', (_name, input) => {
    expect(pascal(toCfnTableInput(input))).toEqual(JSON.parse(JSON.stringify(input)));
  });

  it('converts every supported nested field', () => {
    const input: TableInput = {
      Name: 't',
      Owner: 'me',
      Retention: 3,
      TableType: 'EXTERNAL_TABLE',
      TargetTable: { CatalogId: '1', DatabaseName: 'd', Name: 'n', Region: 'eu-west-1' },
      StorageDescriptor: {
        Columns: [{ Name: 'a', Type: 'int' }],
        Compressed: false,
        NumberOfBuckets: 2,
        BucketColumns: ['a'],
        SortColumns: [{ Column: 'a', SortOrder: 1 }],
        Parameters: { 'Key.With.Dots': 'v' },
        SerdeInfo: { Name: 's', SerializationLibrary: 'lib', Parameters: { 'serialization.format': '1' } },
        SkewedInfo: { SkewedColumnNames: ['a'], SkewedColumnValues: ['1'], SkewedColumnValueLocationMaps: { '1': 's3://x/' } },
        StoredAsSubDirectories: false,
        SchemaReference: { SchemaId: { RegistryName: 'r', SchemaName: 'n' }, SchemaVersionNumber: 1 },
      },
    };
    expect(pascal(toCfnTableInput(input))).toEqual(input);
  });

  it.each([
    ['ViewDefinition', { Name: 't', ViewDefinition: { IsProtected: true } }],
    ['LastAccessTime', { Name: 't', LastAccessTime: new Date(0) }],
    ['StorageDescriptor.AdditionalLocations', { Name: 't', StorageDescriptor: { AdditionalLocations: ['s3://x/'] } }],
    ['Columns[0].Parameters', { Name: 't', StorageDescriptor: { Columns: [{ Name: 'a', Parameters: { k: 'v' } }] } }],
    ['an unknown field', { Name: 't', Surprise: 1 } as unknown as TableInput],
  ])('refuses %s rather than dropping it', (_what, input) => {
    expect(() => toCfnTableInput(input as TableInput)).toThrow(UnsupportedTableInputError);
  });

  it('requires names', () => {
    expect(() => toCfnTableInput({ Name: undefined })).toThrow(/Name is required/);
  });
});
