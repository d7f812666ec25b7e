/**
 * The five views as the stack stores them in Glue (VIRTUAL_VIEW "Presto View" envelopes, from the
 * synthesized template) are views to Trino, with the columns and types the envelope declares, and
 * answer. The checks are shown to fail on what Trino rejects: a Glue Description on a view, a view
 * without an owner (both found here, fixed in src/catalog/glue-tables.ts), and view SQL that only
 * DuckDB or Athena's DDL accepts (backquoted "time", a DuckDB function, a :: cast, a declared type
 * the SQL does not give).
 */
import { CreateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAwsClients, type LocalAwsClients } from '../../src/athena-local/aws-clients.js';
import { prepareLake } from '../../src/athena-local/lake-on-trino.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/athena-local/moto.js';
import { StackTemplate, localCfnEnvironment, synthesizeTemplate } from '../../src/athena-local/stack-template.js';
import { templateCatalog, type TemplateTable } from '../../src/athena-local/template-catalog.js';
import { runTrinoQuery, TrinoQueryError } from '../../src/athena-local/trino-client.js';
import { TRINO_CATALOG } from '../../src/athena-local/trino-server.js';
import { decodePrestoView, encodePrestoView } from '../../src/catalog/presto-view.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { localAthena } from './support.js';

const lake = tempDir('athena-views');
let database = '';
let views: TemplateTable[] = [];
let clients: LocalAwsClients;

const trino = (sql: string) => runTrinoQuery(localAthena().trinoUrl, sql, { catalog: TRINO_CATALOG, schema: database });

/** Undefined when Trino can read the view and its rows; else Trino's error. */
async function viewError(name: string): Promise<string | undefined> {
  try {
    await trino(`SELECT * FROM "${name}" LIMIT 1`);
    return undefined;
  } catch (error) {
    if (error instanceof TrinoQueryError) return error.message;
    throw error;
  }
}

beforeAll(async () => {
  const state = localAthena();
  await ingestFolder(SAMPLE_DIR, lake.path);
  database = (await prepareLake(state, lake.path)).databaseName;
  const template = new StackTemplate(synthesizeTemplate({ glueDatabase: database }));
  const catalog = templateCatalog(
    template,
    localCfnEnvironment(template, { lakeBucket: 'unused' }, { accountId: LOCAL_ACCOUNT_ID, region: LOCAL_REGION }),
  );
  views = catalog.tables.filter((t) => t.input.TableType === 'VIRTUAL_VIEW');
  clients = localAwsClients(state.awsEndpoint);
});
afterAll(() => {
  clients?.destroy();
  lake.cleanup();
});

describe('the views of the synthesized template, read by Trino from Glue', () => {
  it('are the analyst views: the five of the star schema and the quarantine', () => {
    expect(views.map((v) => v.input.Name).sort()).toEqual([
      'artists',
      'rejects',
      'songplays',
      'songs',
      'time',
      'users',
    ]);
  });

  it('are views to Trino, with the columns and types their envelope declares', async () => {
    const listed = await trino(
      `SELECT table_name FROM information_schema.views WHERE table_schema = '${database}' ORDER BY table_name`,
    );
    expect(listed.rows.map(([name]) => name)).toEqual(views.map((v) => v.input.Name).sort());
    for (const view of views) {
      const declared = decodePrestoView(view.input.ViewOriginalText ?? '').columns.map((c) => [c.name, c.type]);
      const described = await trino(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${database}' AND table_name = '${view.input.Name}' ORDER BY ordinal_position`,
      );
      expect(described.rows, view.input.Name).toEqual(declared);
    }
  });

  it("each view's SQL returns exactly the columns and types the envelope declares (the view's declared columns)", async () => {
    for (const view of views) {
      const definition = decodePrestoView(view.input.ViewOriginalText ?? '');
      const names = (await trino(`SELECT * FROM (${definition.originalSql}) LIMIT 0`)).columns;
      // Trino's own type names (typeof), from one row of NULLs of the SQL's column types: the
      // protocol's column types leave out a timestamp's precision for a client that does not ask.
      const typeOf = await trino(
        `SELECT ${names.map((name, i) => `typeof(v."${name}") AS t${i}`).join(', ')} FROM (VALUES 1) AS one(x) LEFT JOIN (${definition.originalSql}) AS v ON false`,
      );
      const types = typeOf.rows[0] ?? [];
      expect(
        names.map((name, i) => [name, types[i]]),
        view.input.Name,
      ).toEqual(definition.columns.map((c) => [c.name, c.type]));
    }
  });

  it('answer: no view SQL is rejected by Trino', async () => {
    const errors = Object.fromEntries(
      await Promise.all(views.map(async (v) => [v.input.Name, await viewError(v.input.Name ?? '')] as const)),
    );
    expect(errors).toEqual(Object.fromEntries(views.map((v) => [v.input.Name, undefined])));
  });
});

/** The template's songs view, renamed, with changes: the same envelope shape otherwise. */
async function createVariant(name: string, change: (input: TableInput) => TableInput): Promise<void> {
  const songs = views.find((v) => v.input.Name === 'songs');
  if (!songs) throw new Error('no songs view in the template');
  await clients.glue.send(
    new CreateTableCommand({ DatabaseName: database, TableInput: change({ ...songs.input, Name: name }) }),
  );
}

function withSql(sql: string, columns: { name: string; type: string }[]): (input: TableInput) => TableInput {
  return (input) => {
    const definition = decodePrestoView(input.ViewOriginalText ?? '');
    return { ...input, ViewOriginalText: encodePrestoView({ ...definition, originalSql: sql, columns }) };
  };
}

describe('what the checks catch (each case was or could be a first-deploy failure)', () => {
  it('a view with a Glue Description is no table at all to Trino (its comment is no longer "Presto View")', async () => {
    await createVariant('songs_described', (input) => ({ ...input, Description: 'One row per song_id.' }));
    expect(await viewError('songs_described')).toMatch(/TABLE_NOT_FOUND|does not exist/);
  });

  it('a view without an owner is refused: "Run-as identity must be set for a run-as definer view"', async () => {
    await createVariant('songs_ownerless', ({ Owner: _owner, ...input }) => input);
    expect(await viewError('songs_ownerless')).toMatch(/Run-as identity must be set/);
  });

  it.each([
    // Trino takes an unquoted time as a name (it is reserved in Athena's DDL, not in Trino's SQL);
    // what it refuses is the DDL's backquotes.
    [
      '"time" quoted with backquotes',
      'SELECT hour FROM `time`',
      'SELECT hour FROM "time"',
      [{ name: 'hour', type: 'integer' }],
    ],
    [
      'a DuckDB-only function',
      'SELECT dayofweek(start_time) AS d FROM base_plays',
      'SELECT day_of_week(start_time) AS d FROM base_plays',
      [{ name: 'd', type: 'bigint' }],
    ],
    [
      'a :: cast',
      'SELECT start_time::date AS d FROM base_plays',
      'SELECT CAST(start_time AS date) AS d FROM base_plays',
      [{ name: 'd', type: 'date' }],
    ],
    [
      'a column type the SQL does not give',
      'SELECT hour FROM base_plays',
      'SELECT CAST(hour AS varchar) AS hour FROM base_plays',
      [{ name: 'hour', type: 'varchar' }],
    ],
  ])('view SQL with %s fails the check, and its Trino spelling passes', async (what, bad, good, columns) => {
    const suffix = what.replace(/[^a-z]+/g, '_');
    await createVariant(`bad${suffix}`, withSql(bad, columns));
    await createVariant(`good${suffix}`, withSql(good, columns));
    expect(await viewError(`bad${suffix}`)).toBeDefined();
    expect(await viewError(`good${suffix}`)).toBeUndefined();
  });
});
