/** Rendering of query results for people (tables) and programs (JSON lines). */
import type { JsonValue, QueryResult } from '../local/lake-sql.js';

export function renderJsonLines(result: QueryResult): string {
  return result.rows
    .map((row) => JSON.stringify(Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null]))))
    .join('\n');
}

export function renderTable(result: QueryResult): string {
  const cells = result.rows.map((row) => row.map(renderCell));
  const widths = result.columns.map((column, i) =>
    Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const numeric = result.columns.map(
    (_, i) => result.rows.length > 0 && result.rows.every((row) => typeof row[i] === 'number' || row[i] === null),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [line(result.columns), rule, ...cells.map(line), count].join('\n');
}

function renderCell(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
