/** Rendering of query results and ingest summaries for people (tables) and programs (JSON lines). */
import type { JsonValue, QueryResult } from '../local/lake-sql.js';
import type { IngestSummary } from '../local/ingest.js';

export function renderJsonLines(result: QueryResult): string {
  return result.rows
    .map((row) => JSON.stringify(Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null]))))
    .join('\n');
}

export function renderTable(result: QueryResult): string {
  const cells = result.rows.map((row) => row.map(renderCell));
  const widths = result.columns.map((column, i) => Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)));
  const numeric = result.columns.map((_, i) => result.rows.length > 0 && result.rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const line = (values: readonly string[]) =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [line(result.columns), rule, ...cells.map(line), count].join('\n');
}

function renderCell(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderSummary(summary: IngestSummary): string {
  const lines = [
    `Ingested ${summary.files} files (${(summary.bytesRead / 1e6).toFixed(1)} MB) in ${summary.seconds.toFixed(1)} s: ` +
      Object.entries(summary.byStatus)
        .filter(([, count]) => count > 0)
        .map(([status, count]) => `${count} ${status}`)
        .join(', '),
    `Log events read: ${summary.logEvents.all} (${summary.logEvents.nextSong} NextSong)`,
    `Rows written: ${
      Object.entries(summary.rowsWritten)
        .map(([table, rows]) => `${table} ${rows}`)
        .join(', ') || 'none'
    } (${summary.objectsWritten} Parquet object${summary.objectsWritten === 1 ? '' : 's'}, the ledger's included)`,
  ];
  if (summary.removed.length > 0) {
    lines.push(`Removed from the lake (no longer in the input folder): ${summary.removed.length}`);
    for (const key of summary.removed.slice(0, 20)) lines.push(`  ${key}`);
    if (summary.removed.length > 20) lines.push(`  … and ${summary.removed.length - 20} more`);
  }
  if (summary.rejects.length > 0) {
    lines.push(`Set aside (${summary.rejects.length}; query them with: SELECT * FROM rejects):`);
    for (const reject of summary.rejects.slice(0, 20)) lines.push(`  ${reject.source_key}: ${reject.reason}`);
    if (summary.rejects.length > 20) lines.push(`  … and ${summary.rejects.length - 20} more`);
  }
  if (summary.failures.length > 0) {
    lines.push(`FAILED (${summary.failures.length} files could not be processed; run again to retry them):`);
    for (const failure of summary.failures) lines.push(`  ${failure.sourceKey}: ${failure.error}`);
  }
  return lines.join('\n');
}
