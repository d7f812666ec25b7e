/**
 * Each analyst view's declared columns (src/domain/tables.ts: what the Glue view envelope and
 * docs/TABLES.md say it returns) equal the columns its SQL returns on DuckDB, names, order and
 * types, over an empty lake (base tables typed from the schema, no files) and over the sample.
 * The same check on Trino, Athena's engine, is in test/athena-local/views.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYST_VIEWS } from '../../src/domain/tables.js';
import { DUCKDB_TYPES } from '../../src/local/duckdb-types.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { LakeSql } from '../../src/local/lake-sql.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const empty = tempDir('view-columns-empty');
const sample = tempDir('view-columns-sample');
const sessions: Record<string, LakeSql> = {};

beforeAll(async () => {
  await ingestFolder(SAMPLE_DIR, sample.path);
  sessions.empty = await LakeSql.open(empty.path, new FsObjectStore(empty.path));
  sessions.sample = await LakeSql.open(sample.path, new FsObjectStore(sample.path));
});

afterAll(() => {
  for (const session of Object.values(sessions)) session.close();
  empty.cleanup();
  sample.cleanup();
});

describe.each(['empty', 'sample'])('on DuckDB, over the %s lake', (lake) => {
  it.each(ANALYST_VIEWS.map((v) => [v.name, v] as const))(
    '%s returns exactly its declared columns and types',
    async (name, view) => {
      const described = await sessions[lake]!.query(`DESCRIBE SELECT * FROM "${name}"`);
      const nameAt = described.columns.indexOf('column_name');
      const typeAt = described.columns.indexOf('column_type');
      expect(described.rows.map((row) => [row[nameAt], row[typeAt]])).toEqual(
        view.columns.map((c) => [c.name, DUCKDB_TYPES[c.type]]),
      );
    },
  );
});
