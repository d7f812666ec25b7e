/**
 * SDK `TableInput` (PascalCase, what glue:CreateTable takes) to the CloudFormation
 * `AWS::Glue::Table` TableInput (camelCase in CDK's L1 types). src/catalog/glue-tables.ts stays the
 * only definition of the tables; this converter only renames.
 *
 * Every SDK field is listed below, so a field added to the SDK type fails `tsc` here rather than
 * being dropped silently, and a field that CloudFormation cannot express throws at synth.
 */
import type * as sdk from '@aws-sdk/client-glue';
import type { CfnTable } from 'aws-cdk-lib/aws-glue';

type Support = 'converted' | 'unsupported';

/** `{ [field]: ... }` for every field of T, optional ones included. */
type EveryField<T> = { readonly [K in keyof Required<T>]: Support };

const TABLE_INPUT: EveryField<sdk.TableInput> = {
  Name: 'converted',
  Description: 'converted',
  Owner: 'converted',
  LastAccessTime: 'unsupported',
  LastAnalyzedTime: 'unsupported',
  Retention: 'converted',
  StorageDescriptor: 'converted',
  PartitionKeys: 'converted',
  ViewOriginalText: 'converted',
  ViewExpandedText: 'converted',
  TableType: 'converted',
  Parameters: 'converted',
  TargetTable: 'converted',
  FederatedTable: 'unsupported',
  ViewDefinition: 'unsupported',
};

const STORAGE_DESCRIPTOR: EveryField<sdk.StorageDescriptor> = {
  Columns: 'converted',
  Location: 'converted',
  AdditionalLocations: 'unsupported',
  InputFormat: 'converted',
  OutputFormat: 'converted',
  Compressed: 'converted',
  NumberOfBuckets: 'converted',
  SerdeInfo: 'converted',
  BucketColumns: 'converted',
  SortColumns: 'converted',
  Parameters: 'converted',
  SkewedInfo: 'converted',
  StoredAsSubDirectories: 'converted',
  SchemaReference: 'converted',
};

const COLUMN: EveryField<sdk.Column> = { Name: 'converted', Type: 'converted', Comment: 'converted', Parameters: 'unsupported' };
const SERDE_INFO: EveryField<sdk.SerDeInfo> = { Name: 'converted', SerializationLibrary: 'converted', Parameters: 'converted' };
const SKEWED_INFO: EveryField<sdk.SkewedInfo> = {
  SkewedColumnNames: 'converted',
  SkewedColumnValues: 'converted',
  SkewedColumnValueLocationMaps: 'converted',
};
const ORDER: EveryField<sdk.Order> = { Column: 'converted', SortOrder: 'converted' };
const SCHEMA_REFERENCE: EveryField<sdk.SchemaReference> = {
  SchemaId: 'converted',
  SchemaVersionId: 'converted',
  SchemaVersionNumber: 'converted',
};
const SCHEMA_ID: EveryField<sdk.SchemaId> = { SchemaArn: 'converted', SchemaName: 'converted', RegistryName: 'converted' };
const TABLE_IDENTIFIER: EveryField<sdk.TableIdentifier> = {
  CatalogId: 'converted',
  DatabaseName: 'converted',
  Name: 'converted',
  Region: 'converted',
};

export class UnsupportedTableInputError extends Error {}

function check<T extends object>(value: T, fields: EveryField<T>, where: string): void {
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    const support = (fields as Record<string, Support | undefined>)[key];
    if (support === undefined) throw new UnsupportedTableInputError(`${where}.${key} is not a known field`);
    if (support === 'unsupported') {
      throw new UnsupportedTableInputError(`${where}.${key} has no AWS::Glue::Table equivalent`);
    }
  }
}

function required<T>(value: T | undefined, where: string): T {
  if (value === undefined) throw new UnsupportedTableInputError(`${where} is required`);
  return value;
}

function mapList<S, D>(list: readonly S[] | undefined, convert: (item: S, where: string) => D, where: string): D[] | undefined {
  return list?.map((item, i) => convert(item, `${where}[${i}]`));
}

export function toCfnColumn(column: sdk.Column, where = 'Column'): CfnTable.ColumnProperty {
  check(column, COLUMN, where);
  return { name: required(column.Name, `${where}.Name`), type: column.Type, comment: column.Comment };
}

function toCfnSerdeInfo(serde: sdk.SerDeInfo, where: string): CfnTable.SerdeInfoProperty {
  check(serde, SERDE_INFO, where);
  return { name: serde.Name, serializationLibrary: serde.SerializationLibrary, parameters: serde.Parameters };
}

function toCfnSkewedInfo(skewed: sdk.SkewedInfo, where: string): CfnTable.SkewedInfoProperty {
  check(skewed, SKEWED_INFO, where);
  return {
    skewedColumnNames: skewed.SkewedColumnNames,
    skewedColumnValues: skewed.SkewedColumnValues,
    skewedColumnValueLocationMaps: skewed.SkewedColumnValueLocationMaps,
  };
}

function toCfnOrder(order: sdk.Order, where: string): CfnTable.OrderProperty {
  check(order, ORDER, where);
  return { column: required(order.Column, `${where}.Column`), sortOrder: required(order.SortOrder, `${where}.SortOrder`) };
}

function toCfnSchemaReference(ref: sdk.SchemaReference, where: string): CfnTable.SchemaReferenceProperty {
  check(ref, SCHEMA_REFERENCE, where);
  let schemaId: CfnTable.SchemaIdProperty | undefined;
  if (ref.SchemaId) {
    check(ref.SchemaId, SCHEMA_ID, `${where}.SchemaId`);
    schemaId = { schemaArn: ref.SchemaId.SchemaArn, schemaName: ref.SchemaId.SchemaName, registryName: ref.SchemaId.RegistryName };
  }
  return { schemaId, schemaVersionId: ref.SchemaVersionId, schemaVersionNumber: ref.SchemaVersionNumber };
}

function toCfnStorageDescriptor(sd: sdk.StorageDescriptor, where: string): CfnTable.StorageDescriptorProperty {
  check(sd, STORAGE_DESCRIPTOR, where);
  return {
    columns: mapList(sd.Columns, toCfnColumn, `${where}.Columns`),
    location: sd.Location,
    inputFormat: sd.InputFormat,
    outputFormat: sd.OutputFormat,
    compressed: sd.Compressed,
    numberOfBuckets: sd.NumberOfBuckets,
    serdeInfo: sd.SerdeInfo && toCfnSerdeInfo(sd.SerdeInfo, `${where}.SerdeInfo`),
    bucketColumns: sd.BucketColumns,
    sortColumns: mapList(sd.SortColumns, toCfnOrder, `${where}.SortColumns`),
    parameters: sd.Parameters,
    skewedInfo: sd.SkewedInfo && toCfnSkewedInfo(sd.SkewedInfo, `${where}.SkewedInfo`),
    storedAsSubDirectories: sd.StoredAsSubDirectories,
    schemaReference: sd.SchemaReference && toCfnSchemaReference(sd.SchemaReference, `${where}.SchemaReference`),
  };
}

function toCfnTableIdentifier(id: sdk.TableIdentifier, where: string): CfnTable.TableIdentifierProperty {
  check(id, TABLE_IDENTIFIER, where);
  return { catalogId: id.CatalogId, databaseName: id.DatabaseName, name: id.Name, region: id.Region };
}

export function toCfnTableInput(input: sdk.TableInput): CfnTable.TableInputProperty {
  const where = `TableInput(${input.Name ?? '?'})`;
  check(input, TABLE_INPUT, where);
  return {
    name: required(input.Name, `${where}.Name`),
    description: input.Description,
    owner: input.Owner,
    retention: input.Retention,
    storageDescriptor: input.StorageDescriptor && toCfnStorageDescriptor(input.StorageDescriptor, `${where}.StorageDescriptor`),
    partitionKeys: mapList(input.PartitionKeys, toCfnColumn, `${where}.PartitionKeys`),
    viewOriginalText: input.ViewOriginalText,
    viewExpandedText: input.ViewExpandedText,
    tableType: input.TableType,
    parameters: input.Parameters,
    targetTable: input.TargetTable && toCfnTableIdentifier(input.TargetTable, `${where}.TargetTable`),
  };
}
