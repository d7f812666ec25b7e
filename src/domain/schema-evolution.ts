/**
 * Schema evolution: what may change in src/domain/tables.ts once a schema is released, checked
 * against the released snapshot (src/domain/released-schema.json, written by `npm run
 * schema:release`).
 *
 * Parquet files already in the lake keep the columns they were written with, and both readers find
 * columns by name (DuckDB's read_parquet with union_by_name; Athena/Trino's Hive connector reads
 * Parquet by column name). So a column added at the end of a table reads as NULL in old files, and
 * nothing else is safe: a changed type no longer matches old files, a renamed or removed column loses
 * their data, a changed partition key no longer matches the folders they sit in, and a column placed
 * before others changes every `SELECT *` and the catalog's column order.
 */
import { ANALYST_VIEWS, BASE_TABLES, type ColumnType } from './tables.js';

export interface ColumnShape {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TableShape {
  readonly name: string;
  readonly kind: 'base' | 'view';
  readonly columns: readonly ColumnShape[];
  readonly partitionKeys: readonly ColumnShape[];
}

export interface SchemaSnapshot {
  readonly tables: readonly TableShape[];
}

/** The schema of src/domain/tables.ts, as released snapshots record it (names and types, in order). */
export function currentSchema(): SchemaSnapshot {
  const shape = (columns: readonly ColumnShape[]) => columns.map(({ name, type }) => ({ name, type }));
  return {
    tables: [
      ...BASE_TABLES.map((table) => ({
        name: table.name,
        kind: 'base' as const,
        columns: shape(table.columns),
        partitionKeys: shape(table.partitionKeys),
      })),
      ...ANALYST_VIEWS.map((view) => ({
        name: view.name,
        kind: 'view' as const,
        columns: shape(view.columns),
        partitionKeys: [],
      })),
    ],
  };
}

const INSTEAD =
  'Instead: keep every released column as it is and add a new column (another name if the type changes) at the end of the table\'s columns; see docs/ARCHITECTURE.md, "Adding a column".';

/** Every change from `released` to `current` that old Parquet files or analysts' queries would not survive; empty when the change is safe. */
export function breakingChanges(released: SchemaSnapshot, current: SchemaSnapshot): string[] {
  const problems: string[] = [];
  for (const old of released.tables) {
    const now = current.tables.find((table) => table.name === old.name && table.kind === old.kind);
    if (!now) {
      problems.push(`${old.kind === 'base' ? 'table' : 'view'} ${old.name} was removed. Keep it. ${INSTEAD}`);
      continue;
    }
    old.columns.forEach((column, index) => {
      const at = now.columns[index];
      if (at?.name === column.name) {
        if (at.type !== column.type) {
          problems.push(
            `${old.name}.${column.name}: type changed from ${column.type} to ${at.type}; files already written hold ${column.type}. ${INSTEAD}`,
          );
        }
        return;
      }
      const moved = now.columns.findIndex((c) => c.name === column.name);
      if (moved < 0) {
        const inPartition = now.partitionKeys.some((key) => key.name === column.name);
        problems.push(
          `${old.name}.${column.name}: ${inPartition ? 'moved into the partition keys' : 'removed or renamed'}; files already written hold it under this name. ${INSTEAD}`,
        );
      } else {
        problems.push(
          `${old.name}.${column.name}: now column ${moved + 1}, was column ${index + 1}${at ? ` (${at.name} is there now)` : ''}: columns were inserted before it or reordered. New columns go at the end only. ${INSTEAD}`,
        );
      }
    });
    const keys = (table: TableShape) => table.partitionKeys.map((key) => `${key.name} ${key.type}`).join(', ');
    if (keys(old) !== keys(now)) {
      problems.push(
        `${old.name}: partition keys changed from (${keys(old)}) to (${keys(now)}); the folders already written are named by the old keys. Keep the partition keys as released; a different layout is a new table and a backfill.`,
      );
    }
  }
  return problems;
}

/** The snapshot as committed: one line per column, so a diff of a release shows the columns it adds. */
export function renderSnapshot(snapshot: SchemaSnapshot): string {
  const columns = (list: readonly ColumnShape[]) =>
    list.length === 0
      ? '[]'
      : `[\n${list.map((c) => `        ${JSON.stringify({ name: c.name, type: c.type })}`).join(',\n')}\n      ]`;
  const tables = snapshot.tables.map(
    (table) =>
      `    {\n      "name": ${JSON.stringify(table.name)},\n      "kind": ${JSON.stringify(table.kind)},\n      "columns": ${columns(table.columns)},\n      "partitionKeys": ${columns(table.partitionKeys)}\n    }`,
  );
  return `{\n  "tables": [\n${tables.join(',\n')}\n  ]\n}\n`;
}
