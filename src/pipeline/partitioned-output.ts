/**
 * Collects a batch's rows of one base table into one Parquet object per partition, a row group at
 * a time, so a worker holds at most a row group of rows per partition in memory whatever the size
 * of its files. Every row of the batch carries the batch's write id.
 */
import { batchFileKey, partitionId, type PartitionRef } from '../domain/layout.js';
import type { BaseTable } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';
import { ParquetFileBuilder, ROW_GROUP_ROWS } from '../parquet/writer.js';

export interface OutputFile {
  readonly key: string;
  readonly partition: PartitionRef;
  readonly rows: number;
  readonly body: Uint8Array;
}

interface PartitionBuffer {
  readonly ref: PartitionRef;
  readonly builder: ParquetFileBuilder;
  rows: object[];
}

export class PartitionedOutput<Row extends object> {
  private readonly partitions = new Map<string, PartitionBuffer>();
  private readonly partitionKeys: readonly string[];
  private added = 0;

  constructor(
    readonly table: BaseTable,
    private readonly writeId: string,
    /** Order within a row group: sorted data gives tight min/max statistics, so filters skip more. */
    private readonly order?: (a: Row, b: Row) => number,
    private readonly rowsPerGroup: number = ROW_GROUP_ROWS,
  ) {
    this.partitionKeys = table.partitionKeys.map((key) => key.name);
  }

  /** Rows added so far, over all partitions. */
  get rowCount(): number {
    return this.added;
  }

  /** Adds a row; returns the id of the partition it went to (`base_plays/2018/11`). */
  add(row: Row): string {
    this.added += 1;
    const cells = row as Readonly<Record<string, Cell>>;
    const values = this.partitionKeys.map((key) => this.partitionValue(key, cells[key]));
    const id = values.join('/');
    let buffer = this.partitions.get(id);
    if (!buffer) {
      buffer = {
        ref: { table: this.table.name, values },
        builder: new ParquetFileBuilder(this.table, { write_id: this.writeId }),
        rows: [],
      };
      this.partitions.set(id, buffer);
    }
    buffer.rows.push(row);
    if (buffer.rows.length >= this.rowsPerGroup) this.flush(buffer);
    return partitionId(buffer.ref);
  }

  /** The finished files, one per partition that received rows. */
  finish(): OutputFile[] {
    return [...this.partitions.values()].map((buffer) => {
      this.flush(buffer);
      return {
        key: batchFileKey(this.table.name, this.partitionKeys, buffer.ref.values, this.writeId),
        partition: buffer.ref,
        rows: buffer.builder.rowCount,
        body: buffer.builder.finish(),
      };
    });
  }

  private flush(buffer: PartitionBuffer): void {
    if (buffer.rows.length === 0) return;
    if (this.order) (buffer.rows as Row[]).sort(this.order);
    buffer.builder.appendRowGroup(buffer.rows);
    buffer.rows = [];
  }

  private partitionValue(key: string, value: Cell | undefined): string {
    if (value === null || value === undefined || value === '') {
      throw new Error(`${this.table.name}: row without a value for partition key ${key}`);
    }
    return String(value);
  }
}
