/**
 * Reads back what src/parquet/writer.ts wrote (compaction and the rewrite of a compacted file),
 * giving rows in the same shape the transforms produce: timestamps as epoch milliseconds.
 */
import { parquetReadObjects } from 'hyparquet';
import type { BaseTable } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';

export async function decodeParquet(table: BaseTable, bytes: Uint8Array): Promise<Record<string, Cell>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, columns: table.columns.map((c) => c.name) })) as Record<string, unknown>[];
  return rows.map((row) => {
    const cells: Record<string, Cell> = {};
    for (const column of table.columns) cells[column.name] = cellOf(table, column.name, row[column.name]);
    return cells;
  });
}

function cellOf(table: BaseTable, name: string, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new TypeError(`${table.name}.${name}: unexpected ${typeof value} read back from Parquet`);
}
