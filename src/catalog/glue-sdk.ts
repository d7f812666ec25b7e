/**
 * The Glue tables of glue-tables.ts in the Glue API's shape (the AWS SDK's PascalCase types): the
 * storage of each partition the workers register (partitions.ts), and whole tables for the tests,
 * which compare them with what the stack deploys.
 */
import type { Column, StorageDescriptor, TableInput } from '@aws-sdk/client-glue';
import type { GlueColumn, GlueStorage, GlueTable } from './glue-tables.js';

/** The object without its undefined fields, as Glue returns a table (and JSON writes one). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function sdkColumns(columns: readonly GlueColumn[]): Column[] {
  return columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
}

export function sdkStorageDescriptor(storage: GlueStorage): StorageDescriptor {
  return defined({
    Columns: sdkColumns(storage.columns),
    Location: storage.location,
    InputFormat: storage.inputFormat,
    OutputFormat: storage.outputFormat,
    SerdeInfo: storage.serde.library === undefined ? {} : { SerializationLibrary: storage.serde.library },
  });
}

export function sdkTableInput(table: GlueTable): TableInput {
  return defined({
    Name: table.name,
    Description: table.description,
    Owner: table.owner,
    TableType: table.tableType,
    Parameters: { ...table.parameters },
    StorageDescriptor: sdkStorageDescriptor(table.storage),
    PartitionKeys: sdkColumns(table.partitionKeys),
    ViewOriginalText: table.view?.originalText,
    ViewExpandedText: table.view?.expandedText,
  });
}
