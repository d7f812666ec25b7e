/** DuckDB as an independent reader of what the workers wrote. */
import { DuckDBInstance } from '@duckdb/node-api';

export type Row = Record<string, unknown>;

export async function duckdbRows(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
