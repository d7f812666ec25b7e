/**
 * Trino's client protocol over fetch (POST /v1/statement, then follow nextUri): enough for the CLI
 * and the tests, with the values of each row as Trino's JSON gives them.
 */
import type { JsonValue, QueryResult } from '../local/lake-sql.js';

export interface TrinoColumn {
  readonly name: string;
  readonly type: string;
}

export interface TrinoResult extends QueryResult {
  readonly columnTypes: readonly TrinoColumn[];
  readonly queryId: string;
  readonly elapsedMillis: number;
  /** Bytes read from storage (what Athena bills as "data scanned"), from the final query stats. */
  readonly physicalInputBytes: number;
}

export class TrinoQueryError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly queryId: string,
  ) {
    super(message);
  }
}

export interface TrinoSession {
  readonly catalog?: string;
  readonly schema?: string;
  readonly user?: string;
  /** Whole query, all pages. */
  readonly timeoutMs?: number;
}

interface StatementResponse {
  readonly id: string;
  readonly nextUri?: string;
  readonly columns?: readonly { name: string; type: string }[];
  readonly data?: readonly (readonly JsonValue[])[];
  readonly error?: {
    message: string;
    errorName: string;
    errorType?: string;
    errorLocation?: { lineNumber: number; columnNumber: number };
  };
  readonly stats?: { state: string; elapsedTimeMillis?: number; physicalInputBytes?: number };
}

export async function runTrinoQuery(url: string, sql: string, session: TrinoSession = {}): Promise<TrinoResult> {
  const deadline = Date.now() + (session.timeoutMs ?? 300_000);
  const headers: Record<string, string> = {
    'X-Trino-User': session.user ?? 'sparkify',
    'X-Trino-Source': 'sparkify-lake',
    'X-Trino-Time-Zone': 'UTC',
  };
  if (session.catalog) headers['X-Trino-Catalog'] = session.catalog;
  if (session.schema) headers['X-Trino-Schema'] = session.schema;

  let response = await call(`${url}/v1/statement`, { method: 'POST', headers, body: sql }, deadline);
  let columns: readonly { name: string; type: string }[] | undefined;
  const rows: (readonly JsonValue[])[] = [];
  for (;;) {
    if (response.columns) columns = response.columns;
    if (response.data) rows.push(...response.data);
    if (response.error) {
      const where = response.error.errorLocation
        ? ` (line ${response.error.errorLocation.lineNumber}, column ${response.error.errorLocation.columnNumber})`
        : '';
      throw new TrinoQueryError(
        `${response.error.errorName}: ${response.error.message}${where}`,
        response.error.errorName,
        response.id,
      );
    }
    if (!response.nextUri) break;
    response = await call(response.nextUri, { method: 'GET', headers }, deadline);
  }
  const columnTypes = columns ?? [];
  return {
    columns: columnTypes.map((c) => c.name),
    columnTypes,
    rows: rows.map((row) => row.map((value, i) => asDuckDbPrints(value, columnTypes[i]?.type ?? ''))),
    queryId: response.id,
    elapsedMillis: response.stats?.elapsedTimeMillis ?? 0,
    physicalInputBytes: response.stats?.physicalInputBytes ?? 0,
  };
}

async function call(url: string, init: RequestInit, deadline: number): Promise<StatementResponse> {
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`Trino query timed out (${url})`);
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(remaining) });
    // The protocol's answer to "busy, ask again".
    if (response.status === 502 || response.status === 503) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      continue;
    }
    if (!response.ok)
      throw new Error(
        `Trino answered ${response.status} ${response.statusText}: ${(await response.text()).slice(0, 500)}`,
      );
    return (await response.json()) as StatementResponse;
  }
}

/**
 * A value as `sparkify-lake query` prints it for DuckDB, so both engines print the same text:
 * Trino writes a timestamp(3) (its protocol names the type `timestamp`) with all three digits (`10.200`), DuckDB without trailing zeros
 * (`10.2`, and `10` for `.000`).
 */
function asDuckDbPrints(value: JsonValue, type: string): JsonValue {
  if (typeof value === 'string' && /^timestamp(\(\d+\))?$/.test(type))
    return value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return value;
}
