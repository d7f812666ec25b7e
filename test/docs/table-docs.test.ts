import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTableDocs } from '../../src/docs/table-docs.js';
import { ANALYST_VIEWS, BASE_TABLES } from '../../src/domain/tables.js';
import { REPO_ROOT } from '../support/paths.js';

describe('docs/TABLES.md', () => {
  it('is what the schema source generates (run `npm run docs` after changing a table)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'TABLES.md'), 'utf8')).toBe(renderTableDocs());
  });

  it('documents every column of every table', () => {
    const docs = renderTableDocs();
    for (const table of [...ANALYST_VIEWS, ...BASE_TABLES]) {
      expect(docs).toContain(`### ${table.name}\n`);
      for (const column of table.columns) expect(docs).toContain(`| ${column.name} |`);
    }
    expect(docs).toContain('| start_time | timestamp(3) |');
    expect(docs).toContain('| start_time | timestamp | INT64 (TIMESTAMP_MILLIS) | TIMESTAMP |');
  });
});
