/**
 * The bundled sample through Athena's engine: `sparkify-lake query --engine trino` answers every
 * contract figure, and every named query of the synthesized stack gives the same rows as DuckDB.
 * The lake is the one the worker code writes (Parquet with data page V2 only), the catalog the
 * template's own Glue tables and views, the partitions registered by the workers' registrar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackTemplate, synthesizeTemplate } from '../../src/athena-local/stack-template.js';
import { templateNamedQueries, type NamedQuery } from '../../src/athena-local/template-catalog.js';
import { ANALYST_QUERIES } from '../../src/domain/analyst-queries.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { CONTRACT_FIGURES } from './contract-figures.js';
import { expectNamedQueryParity, expectPredicatesKeepRows, expectSameAnswer, predicatesFor } from './parity.js';
import { localAthena, queryEngine } from './support.js';

const lake = tempDir('athena-sample');
let namedQueries: NamedQuery[] = [];

beforeAll(async () => {
  localAthena();
  await ingestFolder(SAMPLE_DIR, lake.path);
  namedQueries = templateNamedQueries(new StackTemplate(synthesizeTemplate()));
});
afterAll(() => lake.cleanup());

describe('contract figures on Trino', () => {
  it.each(CONTRACT_FIGURES.map((f) => [f.name, f] as const))('%s', async (_name, figure) => {
    const trino = await queryEngine('trino', lake.path, figure.sql);
    expect(trino).toEqual(figure.sample);
    expect(await queryEngine('duckdb', lake.path, figure.sql)).toEqual(trino);
  });
});

describe('named queries of the synthesized stack: same rows on Trino and DuckDB', () => {
  it('the template saves every analyst query', () => {
    expect(namedQueries.map((q) => q.name).sort()).toEqual(ANALYST_QUERIES.map((q) => q.name).sort());
  });

  it.each(ANALYST_QUERIES.map((q) => [q.name] as const))('%s', async (name) => {
    const query = namedQueries.find((q) => q.name === name);
    if (!query) throw new Error(`named query ${name} not in the template`);
    const rows = await expectNamedQueryParity(lake.path, query);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('filters Parquet statistics and dictionaries can answer return the rows they should', () => {
  const predicates = predicatesFor({ songplayId: '', from: '2018-11-10 00:00:00.000', to: '2018-11-12 23:59:59.999' });

  it.each(['songplays', 'base_plays'] as const)('%s', async (table) => {
    const [first] = await queryEngine('trino', lake.path, `SELECT min(songplay_id) AS id FROM ${table}`);
    const withId = predicatesFor({
      songplayId: String(first?.id),
      from: '2018-11-10 00:00:00.000',
      to: '2018-11-12 23:59:59.999',
    });
    expect(withId).toHaveLength(predicates.length);
    await expectPredicatesKeepRows(lake.path, table, withId);
  });

  it('a lake-overview on both engines after the filters (the lake was not changed by querying it)', async () => {
    await expectSameAnswer(lake.path, `SELECT count(*) AS n FROM songplays`);
  });
});
