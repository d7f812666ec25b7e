import type { ColumnType } from '../domain/tables.js';

/** DuckDB's name for each schema type; the local views cast to these so types match Glue's. */
export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
};
