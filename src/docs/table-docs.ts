/**
 * docs/TABLES.md, generated from the schema source so the docs cannot drift from what the workers
 * write and the catalog declares (a test compares the committed file with this output).
 */
import { ANALYST_VIEWS, BASE_TABLES, type Column } from '../domain/tables.js';
import { PARQUET_TYPES } from '../parquet/writer.js';
import { prestoType } from '../catalog/presto-types.js';
import { DUCKDB_TYPES } from '../local/duckdb-types.js';

export function renderTableDocs(): string {
  const out: string[] = [
    '# Tables',
    '',
    '<!-- Generated from src/domain/tables.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Analysts query the five star-schema tables. In Athena they are views in the Glue database; locally',
    '(`sparkify-lake query`) they are DuckDB views with the same SQL. The views read the base tables, which',
    'the workers write as Parquet, one object per source file and partition (see ARCHITECTURE.md).',
    '',
    'Weekday is numbered 1 = Sunday … 7 = Saturday (Spark\'s numbering). Athena\'s own `day_of_week()` is',
    'ISO (1 = Monday … 7 = Sunday): use the `weekday` column, or `day_of_week(start_time) % 7 + 1`.',
    'All times are UTC. Filter on the partition columns (`year`, `month`) to scan less.',
    '`time` is a reserved word in SQL: write `"time"` in queries, in Athena and locally.',
    '',
    '## Analyst tables (views)',
    '',
  ];
  for (const view of ANALYST_VIEWS) {
    out.push(`### ${view.name}`, '', view.comment, '');
    if (view.partitionedBy.length > 0) out.push(`Partition columns (filter on them to prune): ${view.partitionedBy.map((c) => `\`${c}\``).join(', ')}.`, '');
    out.push('| column | Athena type | description |', '| --- | --- | --- |');
    for (const column of view.columns) out.push(`| ${column.name} | ${prestoType(column.type)} | ${column.comment} |`);
    out.push('', '```sql', view.sql, '```', '');
  }
  out.push(
    '## Base tables (written by the workers)',
    '',
    'Each column\'s Glue type, the Parquet type the workers write for it, and the DuckDB type of the local',
    'views. Partition keys are folders (`<table>/<key>=<value>/`), not columns in the files.',
    '',
  );
  for (const table of BASE_TABLES) {
    out.push(`### ${table.name}`, '', table.comment, '', '| column | Glue type | Parquet type | DuckDB type | description |', '| --- | --- | --- | --- | --- |');
    for (const column of table.columns) out.push(baseRow(column, ''));
    for (const column of table.partitionKeys) out.push(baseRow(column, ' (partition key)'));
    out.push('');
  }
  return out.join('\n');
}

function baseRow(column: Column, note: string): string {
  const parquet = PARQUET_TYPES[column.type];
  const physical = note ? 'folder name' : `${parquet.type}${parquet.converted_type ? ` (${parquet.converted_type})` : ''}`;
  return `| ${column.name} | ${column.type} | ${physical} | ${DUCKDB_TYPES[column.type]} | ${column.comment}${note} |`;
}
