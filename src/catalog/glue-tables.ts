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
 * The Glue owner of the views. Trino runs a view that is not SECURITY INVOKER as its owner, taking
 * the owner from the Glue table when the view payload has none (Athena's payloads have none), and
 * without one refuses the view: "Run-as identity must be set for a run-as definer view"
 * (trinodb/trino#18573, and test/athena-local/views.test.ts). Athena authorises with IAM and does
 * not use it.
 */
export const VIEW_OWNER = 'sparkify-lake';

/**
 * No Description on a view: Trino's Glue metastore copies a table's Description over
 * Parameters.comment (GlueConverter.fromGlueTable), and only a table whose comment is 'Presto View'
 * is a view to it (ViewReaderUtil.isTrinoView), so a described view is no table at all
 * ("Table ... does not exist", test/athena-local/views.test.ts). Athena's own CREATE VIEW writes
 * no Description either. What a view is stays documented in docs/TABLES.md and on its columns.
 */
export function viewTableInput(view: AnalystView, databaseName: string): TableInput {
  return {
    Name: view.name,
    Owner: VIEW_OWNER,
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
