/**
 * Issue 11: adding a column is a procedure, breaking the released schema is refused. The released
 * schema is committed (src/domain/released-schema.json, `npm run schema:release`); src/domain/tables.ts
 * may only add columns at the end of a table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  breakingChanges,
  currentSchema,
  renderSnapshot,
  type SchemaSnapshot,
  type TableShape,
} from '../../src/domain/schema-evolution.js';
import { REPO_ROOT } from '../support/paths.js';

const RELEASED_PATH = join(REPO_ROOT, 'src/domain/released-schema.json');
const released = JSON.parse(readFileSync(RELEASED_PATH, 'utf8')) as SchemaSnapshot;

describe('src/domain/tables.ts against the released schema', () => {
  it("changes nothing that Parquet files already written or analysts' queries rely on", () => {
    // A failure here names the change and what to do instead (docs/ARCHITECTURE.md, "Adding a column").
    expect(breakingChanges(released, currentSchema())).toEqual([]);
  });

  it('is committed as `npm run schema:release` writes it', () => {
    expect(readFileSync(RELEASED_PATH, 'utf8')).toBe(renderSnapshot(released));
  });
});

/** The released schema with one table changed. */
function withTable(name: string, change: (table: TableShape) => TableShape | undefined): SchemaSnapshot {
  return {
    tables: released.tables.flatMap((table) =>
      table.name === name ? [change(table)].filter((t) => t !== undefined) : [table],
    ),
  };
}

describe('breakingChanges', () => {
  it('accepts new columns at the end of a table (old files read them as NULL)', () => {
    const added = withTable('base_plays', (t) => ({
      ...t,
      columns: [...t.columns, { name: 'write_id', type: 'string' }, { name: 'device', type: 'string' }],
    }));
    expect(breakingChanges(released, added)).toEqual([]);
  });

  it.each<[string, SchemaSnapshot, RegExp]>([
    [
      'a type change',
      withTable('base_plays', (t) => ({
        ...t,
        columns: t.columns.map((c) => (c.name === 'session_id' ? { ...c, type: 'bigint' } : c)),
      })),
      /^base_plays\.session_id: type changed from int to bigint; .*add a new column \(another name if the type changes\) at the end/,
    ],
    [
      'a renamed column',
      withTable('base_songs', (t) => ({
        ...t,
        columns: t.columns.map((c) => (c.name === 'title' ? { ...c, name: 'song_title' } : c)),
      })),
      /^base_songs\.title: removed or renamed; .*Instead: keep every released column/,
    ],
    [
      'a removed column',
      withTable('rejects', (t) => ({ ...t, columns: t.columns.filter((c) => c.name !== 'raw') })),
      /^rejects\.raw: removed or renamed;/,
    ],
    [
      'a column inserted in the middle',
      withTable('base_songs', (t) => ({
        ...t,
        columns: [t.columns[0]!, { name: 'isrc', type: 'string' }, ...t.columns.slice(1)],
      })),
      /^base_songs\.title: now column 3, was column 2 \(isrc is there now\): columns were inserted before it or reordered\. New columns go at the end only/,
    ],
    [
      'reordered columns',
      withTable('users', (t) => ({ ...t, columns: [t.columns[1]!, t.columns[0]!, ...t.columns.slice(2)] })),
      /^users\.user_id: now column 2, was column 1/,
    ],
    [
      'a reordered partition key',
      withTable('base_plays', (t) => ({ ...t, partitionKeys: [...t.partitionKeys].reverse() })),
      /^base_plays: partition keys changed from \(year int, month int\) to \(month int, year int\)/,
    ],
    [
      'a removed partition key',
      withTable('base_plays', (t) => ({ ...t, partitionKeys: t.partitionKeys.slice(0, 1) })),
      /^base_plays: partition keys changed from \(year int, month int\) to \(year int\)/,
    ],
    [
      'a column moved into the partition keys',
      withTable('rejects', (t) => ({
        ...t,
        columns: t.columns.filter((c) => c.name !== 'line'),
        partitionKeys: [...t.partitionKeys, { name: 'line', type: 'int' }],
      })),
      /^rejects\.line: moved into the partition keys/,
    ],
    ['a removed table', withTable('base_songs', () => undefined), /^table base_songs was removed\. Keep it\./],
    ['a removed view', withTable('time', () => undefined), /^view time was removed\./],
  ])('refuses %s, saying what to do instead', (_, changed, message) => {
    const problems = breakingChanges(released, changed);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(message);
  });
});
