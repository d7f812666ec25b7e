/**
 * Reads back what src/parquet/writer.ts wrote (compaction and the rewrite of a compacted file),
 * giving rows in the same shape the transforms produce: timestamps as epoch milliseconds.
 */
import { parquetMetadata, parquetRead, parquetReadObjects } from 'hyparquet';
import type { BaseTable } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';

export async function decodeParquet(table: BaseTable, bytes: Uint8Array): Promise<Record<string, Cell>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, columns: table.columns.map((c) => c.name) })) as Record<
    string,
    unknown
  >[];
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

/** Timestamps as epoch milliseconds, as the transforms produce them (hyparquet's default is a Date). */
const PARSERS = { timestampFromMilliseconds: (millis: bigint) => Number(millis) };

/**
 * The table's stored columns as arrays, without building a row object per row (compaction merges
 * millions of rows). A column the file does not have (written before the column was added to the
 * schema) reads as nulls, as it does in DuckDB and Athena.
 */
export async function decodeColumns(
  table: BaseTable,
  bytes: Uint8Array,
): Promise<{ columns: Record<string, Cell[]>; rowCount: number }> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const rowCount = Number(metadata.num_rows);
  const present = new Set(metadata.schema.map((element) => element.name));
  const columns: Record<string, Cell[]> = {};
  for (const column of table.columns) columns[column.name] = new Array<Cell>(rowCount).fill(null);
  const wanted = table.columns.map((column) => column.name).filter((name) => present.has(name));
  await parquetRead({
    file,
    metadata,
    columns: wanted,
    parsers: PARSERS,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const cells = columns[columnName];
      if (!cells) return;
      for (let i = 0; i < columnData.length; i++) cells[rowStart + i] = cellOf(table, columnName, columnData[i]);
    },
  });
  return { columns, rowCount };
}
