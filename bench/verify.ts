/** Checks of the lakes the engines wrote, outside every timed section: row counts and cell-by-cell identity. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Counts {
  readonly plays: number;
  readonly songs: number;
}

type DuckModule = typeof import('@duckdb/node-api');
type DuckConnection = Awaited<ReturnType<Awaited<ReturnType<DuckModule['DuckDBInstance']['create']>>['connect']>>;

export class Verifier {
  private constructor(
    private readonly close: () => void,
    private readonly connection: DuckConnection,
  ) {}

  static async open(): Promise<Verifier> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    return new Verifier(() => {
      connection.closeSync();
      instance.closeSync();
    }, connection);
  }

  async count(sql: string): Promise<number> {
    const reader = await this.connection.runAndReadAll(sql);
    return Number(reader.getRows()[0]?.[0] ?? Number.NaN);
  }

  /** Rows in the lake's base_plays and base_songs Parquet files (a fresh lake: every row is current). */
  async counts(lakeDir: string): Promise<Counts> {
    const rows = async (tableName: string) =>
      existsSync(join(lakeDir, tableName))
        ? this.count(`SELECT count(*) FROM read_parquet(${quoteSql(join(lakeDir, tableName, '**', '*.parquet'))})`)
        : 0;
    return { plays: await rows('base_plays'), songs: await rows('base_songs') };
  }

  /**
   * Rows of one lake's table not in the other's (multiset difference, both ways), every column
   * compared but write_id (which names our batch; DuckDB has no batches).
   */
  async differences(
    table: 'base_plays' | 'base_songs',
    lakeA: string,
    lakeB: string,
  ): Promise<{ aNotB: number; bNotA: number }> {
    const { BASE_PLAYS, BASE_SONGS } = await import('../src/domain/tables.js');
    const { DUCKDB_TYPES } = await import('../src/local/duckdb-types.js');
    const schema = table === 'base_plays' ? BASE_PLAYS : BASE_SONGS;
    const columns = [...schema.columns, ...schema.partitionKeys].filter((c) => c.name !== 'write_id');
    const hiveTypes = schema.partitionKeys.map((k) => `'${k.name}': ${DUCKDB_TYPES[k.type]}`).join(', ');
    const select = (lake: string) =>
      `SELECT ${columns.map((c) => `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]})`).join(', ')} ` +
      `FROM read_parquet(${quoteSql(join(lake, table, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {${hiveTypes}})`;
    return {
      aNotB: await this.count(`SELECT count(*) FROM (${select(lakeA)} EXCEPT ALL ${select(lakeB)})`),
      bNotA: await this.count(`SELECT count(*) FROM (${select(lakeB)} EXCEPT ALL ${select(lakeA)})`),
    };
  }

  dispose(): void {
    this.close();
  }
}

export function quoteSql(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
