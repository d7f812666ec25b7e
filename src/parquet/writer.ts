/**
 * The only module that knows which Parquet library writes the lake. Swap the library here and
 * nothing else changes; test/parquet/writer.test.ts checks what any replacement must produce.
 *
 * hyparquet-writer was chosen over parquetjs-lite on measurements (docs/PARQUET.md): it writes
 * UTF-8 min/max statistics that are true bounds in Parquet's byte order (parquetjs-lite's are not,
 * and a filtered query then misses rows) and runs ~4.5x faster. It writes no column index (its
 * default; the per-page statistics of the page index), so nothing depends on one (docs/PARQUET.md).
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { BaseTable, ColumnType } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';

/** Physical layout per logical type. TIMESTAMP_MILLIS without the UTC-adjusted flag: Athena reads it as `timestamp`. */
export const PARQUET_TYPES: Record<
  ColumnType,
  { type: 'BYTE_ARRAY' | 'INT32' | 'INT64' | 'DOUBLE'; converted_type?: 'UTF8' | 'TIMESTAMP_MILLIS' }
> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int: { type: 'INT32' },
  bigint: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

export const PARQUET_CODEC = 'SNAPPY';

/**
 * Rows per row group. Large enough that a day of logs at 1,000x the sample (~230,000 plays) needs
 * two, small enough that a worker buffers a bounded number of rows whatever the file's size.
 */
export const ROW_GROUP_ROWS = 200_000;

export const WRITER_NAME = 'sparkify-lake (hyparquet-writer 0.17.0)';

/** Builds one Parquet file a row group at a time, holding only the encoded bytes between groups. */
export class ParquetFileBuilder {
  private readonly output = new ByteWriter();
  private readonly writer: ParquetWriter;
  private rows = 0;
  private readonly extractors: readonly ColumnExtractor[];
  /** The library takes plain INT64 values as BigInt (timestamps it converts itself). */
  private readonly int64Columns: ReadonlySet<string>;

  /**
   * `constants` are columns with the same value in every row (a batch's write_id): taken from here
   * instead of from the row objects, which the pure transforms produce without them.
   */
  constructor(
    table: BaseTable,
    private readonly constants: Readonly<Record<string, Cell>> = {},
  ) {
    this.extractors = columnExtractors(table);
    this.int64Columns = new Set(
      table.columns.filter((column) => column.type === 'bigint').map((column) => column.name),
    );
    this.writer = new ParquetWriter({
      writer: this.output,
      schema: [
        { name: 'root', num_children: table.columns.length },
        // REQUIRED where the schema says a value is always there: no definition levels to encode.
        ...table.columns.map((column) => ({
          name: column.name,
          repetition_type: column.required ? ('REQUIRED' as const) : ('OPTIONAL' as const),
          ...PARQUET_TYPES[column.type],
        })),
      ],
      codec: PARQUET_CODEC,
      createdBy: WRITER_NAME,
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends one row group from column arrays of equal length (compaction's merge, no row objects). */
  appendColumns(columns: Readonly<Record<string, readonly Cell[]>>, rowCount: number): void {
    if (rowCount === 0) return;
    const columnData = this.extractors.map(({ name, statistics }) => {
      const data = columns[name];
      if (data === undefined || data.length !== rowCount)
        throw new Error(`column ${name}: expected ${rowCount} values, got ${data?.length ?? 'none'}`);
      return { name, data: this.encodable(name, data), statistics };
    });
    void this.writer.write({ columnData, rowGroupSize: rowCount });
    this.rows += rowCount;
  }

  /** Encodes the rows as one row group of the table's stored columns (partition keys excluded). */
  appendRowGroup(rows: readonly object[]): void {
    if (rows.length === 0) return;
    const columnData = this.extractors.map(({ name, extract, statistics }) => ({
      name,
      statistics,
      data: this.encodable(
        name,
        name in this.constants ? new Array<Cell>(rows.length).fill(this.constants[name] ?? null) : extract(rows),
      ),
    }));
    // Synchronous: ByteWriter has no flush(), so the library encodes the group before returning.
    void this.writer.write({ columnData, rowGroupSize: rows.length });
    this.rows += rows.length;
  }

  private encodable(name: string, data: readonly Cell[]): (Cell | bigint)[] {
    return this.int64Columns.has(name)
      ? data.map((value) => (typeof value === 'number' ? BigInt(value) : value))
      : (data as Cell[]);
  }

  finish(): Uint8Array {
    this.writer.finish();
    return new Uint8Array(this.output.getBuffer());
  }
}

interface ColumnExtractor {
  readonly name: string;
  /** Min/max statistics for this column (tables.ts: Column.statistics). */
  readonly statistics: boolean;
  readonly extract: (rows: readonly object[]) => Cell[];
}

const extractorCache = new WeakMap<BaseTable, readonly ColumnExtractor[]>();

/**
 * One compiled loop per column. A generic `row[name]` is a megamorphic keyed load (it was a tenth
 * of a large log file's processing time); a named property read per column is monomorphic.
 * Column names come from the schema source and are checked to be plain identifiers.
 */
function columnExtractors(table: BaseTable): readonly ColumnExtractor[] {
  let extractors = extractorCache.get(table);
  if (!extractors) {
    extractors = table.columns.map((column) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(column.name)) throw new Error(`${table.name}: unsafe column name ${column.name}`);
      const extract = new Function(
        'rows',
        `const out = new Array(rows.length);
         for (let i = 0; i < rows.length; i++) { const v = rows[i].${column.name}; out[i] = v === undefined ? null : v; }
         return out;`,
      ) as ColumnExtractor['extract'];
      return { name: column.name, extract, statistics: column.statistics !== false };
    });
    extractorCache.set(table, extractors);
  }
  return extractors;
}

/** Encodes column arrays as one Parquet file, in row groups of at most ROW_GROUP_ROWS. */
export function encodeColumns(
  table: BaseTable,
  columns: Readonly<Record<string, readonly Cell[]>>,
  rowCount: number,
): Uint8Array {
  const builder = new ParquetFileBuilder(table);
  for (let start = 0; start < rowCount; start += ROW_GROUP_ROWS) {
    const end = Math.min(rowCount, start + ROW_GROUP_ROWS);
    const slice: Record<string, readonly Cell[]> = {};
    for (const [name, data] of Object.entries(columns))
      slice[name] = start === 0 && end === rowCount ? data : data.slice(start, end);
    builder.appendColumns(slice, end - start);
  }
  return builder.finish();
}

/** Encodes rows as one Parquet file, in row groups of at most ROW_GROUP_ROWS. */
export function encodeParquet(
  table: BaseTable,
  rows: readonly object[],
  constants: Readonly<Record<string, Cell>> = {},
): Uint8Array {
  const builder = new ParquetFileBuilder(table, constants);
  for (let start = 0; start < rows.length; start += ROW_GROUP_ROWS) {
    builder.appendRowGroup(rows.slice(start, start + ROW_GROUP_ROWS));
  }
  return builder.finish();
}
