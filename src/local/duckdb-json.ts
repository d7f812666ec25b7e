import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { JsonValue } from './lake-sql.js';

// DuckDB's JSON conversion gives 64-bit and wider integers (count(*), sum()) as strings.
const WIDE_INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
]);

/** Rows as DuckDB's JSON conversion gives them, with wide integers as numbers where that is exact. */
export function jsonRows(types: readonly DuckDBType[], rows: readonly (readonly JsonValue[])[]): JsonValue[][] {
  const wide = types.map((type) => WIDE_INTEGER_TYPES.has(type.typeId));
  return rows.map((row) =>
    row.map((value, i) => (wide[i] && typeof value === 'string' ? wideIntegerValue(value) : value)),
  );
}

function wideIntegerValue(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
