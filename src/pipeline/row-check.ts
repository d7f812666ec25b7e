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
    const allStorable = compileFastCheck(table, columns);
    check = (row) => {
      if (allStorable(row)) return undefined;
      const cells = row as Readonly<Record<string, unknown>>;
      for (const column of columns) {
        const problem = cellProblem(column, cells[column.name]);
        if (problem) return `${column.name}: ${problem}`;
      }
      for (const key of partitionKeys) {
        const value = cells[key.name];
        const problem =
          value === null || value === undefined || value === ''
            ? 'missing partition value'
            : cellProblem({ ...key, required: true }, value);
        if (problem) return `${key.name}: ${problem}`;
      }
      return undefined;
    };
    checks.set(table, check);
  }
  return check;
}

/** The same test per type as cellProblem, as JavaScript source over `v`. */
const STORABLE: Readonly<Record<Column['type'], string>> = {
  string: "typeof v === 'string'",
  int: "typeof v === 'number' && (v | 0) === v",
  bigint: 'Number.isSafeInteger(v)',
  timestamp: 'Number.isSafeInteger(v)',
  double: "typeof v === 'number' && Number.isFinite(v)",
};

/**
 * The check every row goes through, compiled per table: one named property read per column
 * (monomorphic) instead of a generic `row[name]` (the benchmark's profile put the generic loop at
 * ~9% of a log file's CPU). Only a row it refuses goes through the loop that says why.
 */
function compileFastCheck(table: BaseTable, columns: readonly Column[]): (row: object) => boolean {
  const checks = [
    ...columns.map(
      (column) =>
        `v = row.${safeName(table, column)}; if (v === null || v === undefined) { ${column.required ? 'return false;' : ''} } else if (!(${STORABLE[column.type]})) return false;`,
    ),
    ...table.partitionKeys.map(
      (key) =>
        `v = row.${safeName(table, key)}; if (v === null || v === undefined || v === '' || !(${STORABLE[key.type]})) return false;`,
    ),
  ];
  return new Function('row', `let v;\n${checks.join('\n')}\nreturn true;`) as (row: object) => boolean;
}

function safeName(table: BaseTable, column: Column): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(column.name)) throw new Error(`${table.name}: unsafe column name ${column.name}`);
  return column.name;
}

function cellProblem(column: Column, value: unknown): string | undefined {
  if (value === null || value === undefined) return column.required ? 'missing' : undefined;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `expected text, got ${typeof value}`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
        ? undefined
        : `not a 32-bit integer: ${String(value)}`;
    case 'bigint':
    case 'timestamp':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? undefined
        : `not a 64-bit integer: ${String(value)}`;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `not a finite number: ${String(value)}`;
  }
}
