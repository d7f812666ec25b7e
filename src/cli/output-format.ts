/**
 * How `query` prints results: `table` for people (bounded: a default row limit and long values
 * cut, with a notice saying what was left out), `json` (one object per line) and `csv` (RFC 4180)
 * for programs, whole unless --limit is given.
 */
import type { JsonValue } from '../local/lake-sql.js';
import type { StatementResult } from '../local/sql-statements.js';
import { renderJsonLines, renderTable } from './format.js';
import { UsageError } from './usage-error.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Rows a table shows unless --limit says otherwise: more do not fit a screen anyway. */
export const DEFAULT_TABLE_ROWS = 40;

/** Characters of one value a table shows; the rest is cut with `…`. */
export const TABLE_CELL_WIDTH = 60;

export function outputFormatOf(format: string | undefined, json: boolean): OutputFormat {
  if (json && format !== undefined && format !== 'json')
    throw new UsageError(`--json is --format json; it cannot go with --format ${format}`);
  if (json || format === undefined) return json ? 'json' : 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format takes ${OUTPUT_FORMATS.join(', ')}, not ${format}`);
  return format as OutputFormat;
}

/** Rows to print per statement: --limit N (0 = all), else the table's default, else all. */
export function rowLimitOf(limit: string | undefined, format: OutputFormat): number | undefined {
  if (limit === undefined) return format === 'table' ? DEFAULT_TABLE_ROWS : undefined;
  const value = Number(limit);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new UsageError(`--limit takes a whole number of rows (0: all), not ${limit}`);
  return value === 0 ? undefined : value;
}

/** One statement's result in the format; the notice (rows left out) is part of a table, separate otherwise. */
export function renderResult(result: StatementResult, format: OutputFormat): { text: string; notice?: string } {
  const left = result.totalRows - result.rows.length;
  if (format === 'json')
    return {
      text: renderJsonLines(result),
      ...(left > 0 ? { notice: `${left} more row(s) not printed (--limit)` } : {}),
    };
  if (format === 'csv')
    return { text: renderCsv(result), ...(left > 0 ? { notice: `${left} more row(s) not printed (--limit)` } : {}) };
  let cut = false;
  const rows = result.rows.map((row) =>
    row.map((value) => {
      const text = cellText(value);
      if (text === undefined || text.length <= TABLE_CELL_WIDTH) return value;
      cut = true;
      return `${text.slice(0, TABLE_CELL_WIDTH - 1)}…`;
    }),
  );
  const notes = [
    `${result.totalRows} row${result.totalRows === 1 ? '' : 's'}`,
    ...(left > 0 ? [`${left} more not shown: --limit N shows more, --limit 0 all`] : []),
    ...(cut ? [`values longer than ${TABLE_CELL_WIDTH} characters cut: --format csv or json prints them whole`] : []),
  ];
  const table = renderTable({ columns: result.columns, rows }).split('\n');
  return { text: [...table.slice(0, -1), `(${notes.join('; ')})`].join('\n') };
}

function cellText(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return undefined;
}

/**
 * RFC 4180 quoting with a header line and `\n` line ends: a field is quoted when it holds a comma, a
 * quote or a line break. NULL is an empty field and an empty string `""`, so the two stay apart.
 */
export function renderCsv(result: { columns: readonly string[]; rows: readonly (readonly JsonValue[])[] }): string {
  const field = (value: JsonValue | undefined): string => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [result.columns.map(field), ...result.rows.map((row) => result.columns.map((_, i) => field(row[i])))]
    .map((fields) => fields.join(','))
    .join('\n');
}
