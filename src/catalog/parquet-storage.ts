/**
 * The Glue storage descriptor shared by a base table and every one of its partitions. Glue keeps
 * formats, SerDe and columns per partition too, so the table and its partitions must be built
 * from the same helper or Athena reads partitions with a schema that has drifted from the table.
 */
import type { Column as GlueColumn, StorageDescriptor } from '@aws-sdk/client-glue';
import type { Column } from '../domain/tables.js';

export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

export function glueColumns(columns: readonly Column[]): GlueColumn[] {
  return columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
}

/** `location` is a full `s3://…/` URI ending in `/`, as Hive-style table and partition roots do. */
export function parquetStorageDescriptor(columns: readonly Column[], location: string): StorageDescriptor {
  return {
    Columns: glueColumns(columns),
    Location: location,
    InputFormat: PARQUET_INPUT_FORMAT,
    OutputFormat: PARQUET_OUTPUT_FORMAT,
    SerdeInfo: { SerializationLibrary: PARQUET_SERDE },
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
