/**
 * Glue TableInputs derived from the schema source: external Parquet tables for the base tables,
 * and Athena views for the analyst tables. Pure: the deploy code decides how to send them.
 */
import type { TableInput } from '@aws-sdk/client-glue';
import { ANALYST_VIEWS, BASE_TABLES, type AnalystView, type BaseTable } from '../domain/tables.js';
import { glueColumns, normaliseLakeRoot, parquetStorageDescriptor } from './parquet-storage.js';
import { prestoType } from './presto-types.js';
import { ATHENA_CATALOG, PRESTO_VIEW_EXPANDED_TEXT, encodePrestoView } from './presto-view.js';

export { decodePrestoView, type PrestoViewColumn, type PrestoViewDefinition } from './presto-view.js';

export function baseTableInput(table: BaseTable, lakeRootUri: string): TableInput {
  return {
    Name: table.name,
    Description: table.comment,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' },
    StorageDescriptor: parquetStorageDescriptor(table.columns, `${normaliseLakeRoot(lakeRootUri)}/${table.name}/`),
    PartitionKeys: glueColumns(table.partitionKeys),
  };
}

/**
 * Parameters.comment must stay 'Presto View' (engines test it to recognise the view), so the
 * view's own description goes to Description instead.
 */
export function viewTableInput(view: AnalystView, databaseName: string): TableInput {
  return {
    Name: view.name,
    Description: view.comment,
    TableType: 'VIRTUAL_VIEW',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: encodePrestoView({
      originalSql: view.sql,
      catalog: ATHENA_CATALOG,
      schema: databaseName,
      columns: view.columns.map((c) => ({ name: c.name, type: prestoType(c.type) })),
      runAsInvoker: false,
    }),
    ViewExpandedText: PRESTO_VIEW_EXPANDED_TEXT,
    // Athena refuses to query a view whose storage descriptor has no SerdeInfo at all
    // ("HIVE_METASTORE_ERROR: Table storage descriptor is missing SerDe info",
    // hashicorp/terraform-provider-aws#28517), so send the empty one Athena itself stores.
    StorageDescriptor: { Columns: glueColumns(view.columns), SerdeInfo: {} },
    PartitionKeys: [],
  };
}

/** Base tables first: a view is only valid once the tables it selects from exist. */
export function glueTableInputs(databaseName: string, lakeRootUri: string): TableInput[] {
  return [
    ...BASE_TABLES.map((t) => baseTableInput(t, lakeRootUri)),
    ...ANALYST_VIEWS.map((v) => viewTableInput(v, databaseName)),
  ];
}
