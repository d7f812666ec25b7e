/**
 * A DuckDB session over a local lake folder: the base tables as views over their Parquet files
 * (typed from the schema source, empty but typed when nothing has landed yet) and the analyst
 * views from the same SQL the Glue catalog holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ANALYST_VIEWS, BASE_TABLES, type BaseTable } from '../domain/tables.js';
import type { ObjectStore } from '../storage/object-store.js';
import { DUCKDB_TYPES } from './duckdb-types.js';
import { globLiteral } from './duckdb-glob.js';
import { jsonRows } from './duckdb-json.js';
import { runStatements, type RunStatementsOptions, type StatementResult } from './sql-statements.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly JsonValue[])[];
}

export class LakeSql {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(lakeDir: string, lake: ObjectStore): Promise<LakeSql> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const session = new LakeSql(instance, connection);
    try {
      await connection.run(`SET TimeZone = 'UTC'`);
      for (const table of BASE_TABLES) {
        const hasFiles = await hasParquet(lake, table);
        await connection.run(`CREATE VIEW ${quote(table.name)} AS ${baseTableSelect(lakeDir, table, hasFiles)}`);
      }
      for (const view of ANALYST_VIEWS) {
        await connection.run(`CREATE VIEW ${quote(view.name)} AS ${view.sql}`);
      }
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  async query(sql: string): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql);
    return {
      columns: reader.columnNames(),
      rows: jsonRows(reader.columnTypes(), reader.getRowsJson() as JsonValue[][]),
    };
  }

  /** Every statement of `sql`, in order, each with its result (see sql-statements.ts). */
  async runStatements(sql: string, options: RunStatementsOptions = {}): Promise<StatementResult[]> {
    return runStatements(this.connection, sql, options);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export async function withLakeSql<T>(
  lakeDir: string,
  lake: ObjectStore,
  use: (sql: LakeSql) => Promise<T>,
): Promise<T> {
  if (!existsSync(lakeDir))
    throw new Error(`no lake at ${lakeDir}: run \`sparkify-lake ingest <input-dir> --lake ${lakeDir}\` first`);
  const session = await LakeSql.open(lakeDir, lake);
  try {
    return await use(session);
  } finally {
    session.close();
  }
}

function baseTableSelect(lakeDir: string, table: BaseTable, hasFiles: boolean): string {
  const allColumns = [...table.columns, ...table.partitionKeys];
  if (!hasFiles) {
    const nulls = allColumns.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${quote(c.name)}`);
    return `SELECT ${nulls.join(', ')} WHERE false`;
  }
  const glob = `${globLiteral(join(lakeDir, table.name))}/**/*.parquet`.replaceAll("'", "''");
  const hiveTypes = table.partitionKeys.map((k) => `'${k.name}': ${DUCKDB_TYPES[k.type]}`).join(', ');
  const partitioning =
    table.partitionKeys.length > 0
      ? `hive_partitioning = true, hive_types = {${hiveTypes}}`
      : 'hive_partitioning = false';
  const casts = allColumns.map((c) => `CAST(${quote(c.name)} AS ${DUCKDB_TYPES[c.type]}) AS ${quote(c.name)}`);
  return `SELECT ${casts.join(', ')} FROM read_parquet('${glob}', ${partitioning}, union_by_name = true)`;
}

async function hasParquet(lake: ObjectStore, table: BaseTable): Promise<boolean> {
  for await (const key of lake.list(`${table.name}/`)) if (key.endsWith('.parquet')) return true;
  return false;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
