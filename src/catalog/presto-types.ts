/**
 * The one mapping from the schema's Glue/Hive column types to the type names Athena (Trino)
 * records in a view definition. A Record keyed by ColumnType makes a new column type a compile
 * error here instead of a silently wrong view.
 */
import type { ColumnType } from '../domain/tables.js';

export type PrestoType = 'varchar' | 'integer' | 'bigint' | 'double' | 'timestamp(3)';

const PRESTO_TYPES: Readonly<Record<ColumnType, PrestoType>> = {
  string: 'varchar',
  int: 'integer',
  bigint: 'bigint',
  double: 'double',
  // Athena engine 3 is Trino, whose TIMESTAMP defaults to millisecond precision and is written
  // into view definitions with the precision spelled out: Trino >= 339 views describe as
  // `timestamp(3)` (trinodb/trino#4681), and Trino-written view payloads carry
  // {"type":"timestamp(3)"} (e.g. the decoded fixture in StarRocks' HiveMetastoreApiConverter
  // tests). Our start_time is millisecond precision, so (3) is also the truthful value.
  timestamp: 'timestamp(3)',
};

export function prestoType(type: ColumnType): PrestoType {
  return PRESTO_TYPES[type];
}
