/**
 * The Glue tables, described once and derived from the schema source (src/domain/tables.ts):
 * external Parquet tables for the base tables, Athena views for the analyst tables. The
 * description is neutral, holding only what this lake uses; it is rendered to CloudFormation's
 * AWS::Glue::Table shape by the stack (lib/lake-catalog.ts) and to the Glue API's shape by
 * glue-sdk.ts (partitions at run time, tests). Pure.
 */
import { ANALYST_VIEWS, BASE_TABLES, type AnalystView, type BaseTable, type Column } from '../domain/tables.js';
import { prestoType } from './presto-types.js';
import { ATHENA_CATALOG, PRESTO_VIEW_EXPANDED_TEXT, encodePrestoView } from './presto-view.js';

export { decodePrestoView, type PrestoViewColumn, type PrestoViewDefinition } from './presto-view.js';

export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/**
 * Where and how a table's (or a partition's) rows are stored. Glue keeps formats, SerDe and
 * columns per partition too, so a table and its partitions are built by the same function
 * (parquetStorage) or Athena reads partitions with a schema that has drifted from the table.
 */
export interface GlueStorage {
  readonly columns: readonly GlueColumn[];
  /** A full `s3://…/` URI ending in `/`, as Hive-style table and partition roots do; none for a view. */
  readonly location?: string;
  readonly inputFormat?: string;
  readonly outputFormat?: string;
  /**
   * The SerDe section: its library, or empty. Athena refuses to query a view whose storage
   * descriptor has no SerdeInfo at all ("HIVE_METASTORE_ERROR: Table storage descriptor is missing
   * SerDe info", hashicorp/terraform-provider-aws#28517), so a view has the empty one Athena
   * itself stores.
   */
  readonly serde: { readonly library?: string };
}

export interface GlueTable {
  readonly name: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tableType: 'EXTERNAL_TABLE' | 'VIRTUAL_VIEW';
  readonly parameters: Readonly<Record<string, string>>;
  readonly storage: GlueStorage;
  readonly partitionKeys: readonly GlueColumn[];
  /** A view's definition: the "Presto View" envelope (presto-view.ts). */
  readonly view?: { readonly originalText: string; readonly expandedText: string };
}

export function glueColumns(columns: readonly Column[]): GlueColumn[] {
  return columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

/** Parquet files under `location` (`s3://…/`, ending in `/`). */
export function parquetStorage(columns: readonly Column[], location: string): GlueStorage {
  return {
    columns: glueColumns(columns),
    location,
    inputFormat: PARQUET_INPUT_FORMAT,
    outputFormat: PARQUET_OUTPUT_FORMAT,
    serde: { library: PARQUET_SERDE },
  };
}

/**
 * `s3://bucket` or `s3://bucket/prefix`, any trailing slashes removed, so locations can be built
 * as `${root}/${relative}` without ever producing `//` (S3 treats that as a different key).
 */
export function normaliseLakeRoot(lakeRootUri: string): string {
  const root = lakeRootUri.replace(/\/+$/, '');
  if (!/^s3:\/\/[^/]+(\/[^/]+)*$/.test(root)) {
    throw new Error(`lake root must look like s3://bucket or s3://bucket/prefix, got "${lakeRootUri}"`);
  }
  return root;
}

export function baseTableGlueTable(table: BaseTable, lakeRootUri: string): GlueTable {
  return {
    name: table.name,
    description: table.comment,
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' },
    storage: parquetStorage(table.columns, `${normaliseLakeRoot(lakeRootUri)}/${table.name}/`),
    partitionKeys: glueColumns(table.partitionKeys),
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
 * No description on a view: Trino's Glue metastore copies a table's Description over
 * Parameters.comment (GlueConverter.fromGlueTable), and only a table whose comment is 'Presto View'
 * is a view to it (ViewReaderUtil.isTrinoView), so a described view is no table at all
 * ("Table ... does not exist", test/athena-local/views.test.ts). Athena's own CREATE VIEW writes
 * no Description either. What a view is stays documented in docs/TABLES.md and on its columns.
 */
export function viewGlueTable(view: AnalystView, databaseName: string): GlueTable {
  return {
    name: view.name,
    owner: VIEW_OWNER,
    tableType: 'VIRTUAL_VIEW',
    parameters: { presto_view: 'true', comment: 'Presto View' },
    storage: { columns: glueColumns(view.columns), serde: {} },
    partitionKeys: [],
    view: {
      originalText: encodePrestoView({
        originalSql: view.sql,
        catalog: ATHENA_CATALOG,
        schema: databaseName,
        columns: view.columns.map((c) => ({ name: c.name, type: prestoType(c.type) })),
        runAsInvoker: false,
      }),
      expandedText: PRESTO_VIEW_EXPANDED_TEXT,
    },
  };
}

/** Base tables first: a view is only valid once the tables it selects from exist. */
export function glueTables(databaseName: string, lakeRootUri: string): GlueTable[] {
  return [
    ...BASE_TABLES.map((t) => baseTableGlueTable(t, lakeRootUri)),
    ...ANALYST_VIEWS.map((v) => viewGlueTable(v, databaseName)),
  ];
}
