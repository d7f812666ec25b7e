/**
 * The last check before a row joins a batch: can every cell be stored in its column? A value the
 * transforms let through by mistake must cost that one record (set aside with the reason), never
 * the Parquet encoding of a whole batch of files.
 */
import type { BaseTable, Column } from '../domain/tables.js';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

export type RowCheck = (row: object) => string | undefined;

const checks = new WeakMap<BaseTable, RowCheck>();

/** A function naming the first cell of a row that its table cannot store, or undefined when all can. */
export function rowCheckFor(table: BaseTable, constantColumns: readonly string[] = ['write_id']): RowCheck {
  let check = checks.get(table);
  if (!check) {
    const columns = table.columns.filter((column) => !constantColumns.includes(column.name));
    const partitionKeys = table.partitionKeys;
    check = (row) => {
      const cells = row as Readonly<Record<string, unknown>>;
      for (const column of columns) {
        const problem = cellProblem(column, cells[column.name]);
        if (problem) return `${column.name}: ${problem}`;
      }
      for (const key of partitionKeys) {
        const value = cells[key.name];
        const problem = value === null || value === undefined || value === '' ? 'missing partition value' : cellProblem({ ...key, required: true }, value);
        if (problem) return `${key.name}: ${problem}`;
      }
      return undefined;
    };
    checks.set(table, check);
  }
  return check;
}

function cellProblem(column: Column, value: unknown): string | undefined {
  if (value === null || value === undefined) return column.required ? 'missing' : undefined;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `expected text, got ${typeof value}`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX ? undefined : `not a 32-bit integer: ${String(value)}`;
    case 'bigint':
    case 'timestamp':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : `not a 64-bit integer: ${String(value)}`;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `not a finite number: ${String(value)}`;
  }
}
