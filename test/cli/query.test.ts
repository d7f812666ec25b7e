/**
 * `query` (issue 12, items 8 and 9): bounded table output, CSV and JSON for programs, SQL from a
 * file or standard input, leading comments, several statements, lake paths with glob characters,
 * and a folder that is not a lake is an error instead of an empty answer.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markLakeFolder } from '../../src/local/lake-folder.js';
import { queryLake, runCli, runCliWith } from '../support/cli.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('query');
const lake = join(dirs.path, 'lake');

beforeAll(async () => {
  const run = await runCli('ingest', SAMPLE_DIR, '--lake', lake, '--no-summary', '--quiet');
  if (run.code !== 0) throw new Error(run.err);
});
afterAll(() => dirs.cleanup());

const query = (...args: string[]) => runCli('query', '--lake', lake, ...args);

describe('output formats', () => {
  it('a table shows 40 rows by default and says how many it left out', async () => {
    const run = await query('SELECT songplay_id FROM songplays ORDER BY 1');
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    expect(lines).toHaveLength(2 + 40 + 1);
    expect(lines.at(-1)).toBe('(6820 rows; 6780 more not shown: --limit N shows more, --limit 0 all)');
  });

  it('--limit N and --limit 0 (all) change that', async () => {
    expect((await query('--limit', '5', 'SELECT * FROM users')).out.split('\n')).toHaveLength(2 + 5 + 1);
    expect((await query('--limit', '0', 'SELECT * FROM users')).out.split('\n')).toHaveLength(2 + 96 + 1);
    expect((await query('--limit', '-1', 'SELECT 1')).code).toBe(2);
  });

  it('cuts long values in a table, and says so; json and csv keep them whole', async () => {
    const table = await query('SELECT user_agent FROM songplays WHERE length(user_agent) > 100 LIMIT 1');
    expect(
      Math.max(
        ...table.out
          .split('\n')
          .slice(0, -1)
          .map((line) => line.length),
      ),
    ).toBeLessThanOrEqual(60);
    expect(table.out).toContain('values longer than 60 characters cut: --format csv or json prints them whole');
    const json = await query('--json', 'SELECT user_agent FROM songplays WHERE length(user_agent) > 100 LIMIT 1');
    expect((JSON.parse(json.out) as { user_agent: string }).user_agent.length).toBeGreaterThan(100);
  });

  it('--format csv: a header, RFC 4180 quoting, NULL empty and the empty string quoted', async () => {
    const run = await query(
      '--format',
      'csv',
      `SELECT 1 AS n, 'a,"b"' AS quoted, NULL AS missing, '' AS empty, 'two\nlines' AS multi`,
    );
    expect(run.code).toBe(0);
    expect(run.out).toBe('n,quoted,missing,empty,multi\n1,"a,""b""",,"","two\nlines"');
  });

  it('csv and json print every row unless --limit says otherwise, and then say so on stderr', async () => {
    const csv = await query('--format', 'csv', 'SELECT user_id FROM users');
    expect(csv.out.split('\n')).toHaveLength(97);
    const json = await query('--format', 'json', '--limit', '3', 'SELECT user_id FROM users');
    expect(json.out.split('\n')).toHaveLength(3);
    expect(json.err).toContain('93 more row(s) not printed (--limit)');
  });

  it('--json is --format json; conflicting or unknown formats are usage errors', async () => {
    expect((await query('--json', 'SELECT 1 AS x')).out).toBe('{"x":1}');
    expect((await query('--format', 'json', 'SELECT 1 AS x')).out).toBe('{"x":1}');
    expect((await query('--json', '--format', 'csv', 'SELECT 1')).code).toBe(2);
    const xml = await query('--format', 'xml', 'SELECT 1');
    expect(xml.code).toBe(2);
    expect(xml.err).toContain('--format takes table, json, csv, not xml');
  });
});

describe('where the SQL comes from', () => {
  it('--file <path>', async () => {
    const file = join(dirs.path, 'plays.sql');
    writeFileSync(
      file,
      '-- plays per level\nSELECT level, count(*) AS plays FROM songplays GROUP BY level ORDER BY level;\n',
    );
    const run = await query('--format', 'csv', '--file', file);
    expect(run.out).toBe('level,plays\nfree,1229\npaid,5591');
    expect((await query('--file', join(dirs.path, 'missing.sql'))).err).toContain('SQL file');
  });

  it('- and --file - read standard input', async () => {
    for (const source of [['-'], ['--file', '-']]) {
      const run = await runCliWith(
        { stdin: 'SELECT count(*) AS n FROM songs' },
        'query',
        '--lake',
        lake,
        '--json',
        ...source,
      );
      expect(run.code).toBe(0);
      expect(run.out).toBe('{"n":71}');
    }
  });

  it('SQL that starts with a -- comment is SQL, not an option', async () => {
    const run = await query('--json', '-- how many users\nSELECT count(*) AS n FROM users');
    expect(run.code).toBe(0);
    expect(run.out).toBe('{"n":96}');
    expect((await query('--json', '--no space comment\nSELECT 2 AS n')).out).toBe('{"n":2}');
  });

  it('refuses SQL split over several arguments, none, only comments, or two sources', async () => {
    const split = await query('SELECT', '1');
    expect(split.code).toBe(2);
    expect(split.err).toContain('quote the whole SQL');
    expect((await query()).err).toContain('query needs the SQL');
    const blank = await query('-- nothing here\n;');
    expect(blank.code).toBe(2);
    expect(blank.err).toContain('no SQL statement to run');
    expect((await query('--file', 'x.sql', 'SELECT 1')).err).toContain('not both');
  });
});

describe('several statements', () => {
  it('all run in order in one session; each result set is printed', async () => {
    const run = await query(
      '--format',
      'csv',
      `CREATE TEMP VIEW paid AS SELECT * FROM users WHERE level = 'paid'; SET threads = 1; SELECT count(*) AS n FROM paid; SELECT 'x' AS y`,
    );
    expect(run.code).toBe(0);
    expect(run.out).toBe('n\n22\n\ny\nx');
  });

  it('a failing statement stops the run: what ran before is printed, the error names the statement, exit 1', async () => {
    const run = await query('--json', 'SELECT 1 AS a; SELECT nope FROM users; SELECT 3 AS c');
    expect(run.code).toBe(1);
    expect(run.out).toBe('{"a":1}');
    expect(run.err).toContain('statement 2 of 3 failed (statement 1 ran)');
  });

  it('a syntax error anywhere refuses the whole text before anything runs', async () => {
    const run = await query('--json', 'SELECT 1 AS a; SELEC 2');
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toContain('syntax error');
  });
});

describe('the lake path', () => {
  it('a missing folder is an error saying how to make a lake', async () => {
    const run = await runCli('query', '--lake', join(dirs.path, 'missing'), 'SELECT 1');
    expect(run.code).toBe(2);
    expect(run.err).toContain('no lake at');
    expect(run.err).toContain('sparkify-lake ingest <input-dir> --lake');
  });

  it('an empty folder is not a lake', async () => {
    const empty = join(dirs.path, 'empty');
    mkdirSync(empty);
    const run = await runCli('query', '--lake', empty, 'SELECT count(*) FROM songplays');
    expect(run.code).toBe(2);
    expect(run.err).toContain('is an empty folder, not a lake');
  });

  it('an input folder is not a lake: --lake data/sample used to return 0 rows', async () => {
    const run = await runCli('query', '--lake', SAMPLE_DIR, 'SELECT count(*) FROM songplays');
    expect(run.code).toBe(2);
    expect(run.err).toContain('so it looks like an input folder');
  });

  it('a lake with nothing in it yet has every table, typed and empty', async () => {
    const fresh = join(dirs.path, 'fresh');
    await markLakeFolder(fresh, 'ingest');
    expect(
      await queryLake(
        fresh,
        'SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT count(*) FROM "time") AS times',
      ),
    ).toEqual([{ plays: 0, times: 0 }]);
  });

  it("works under a path with [ ] * ? and ', and reads nothing from a folder such a glob would also match", async () => {
    const odd = join(dirs.path, "odd [1] *?'s", 'lake');
    const decoy = join(dirs.path, "odd 1 XY's", 'lake');
    cpSync(lake, odd, { recursive: true });
    // The decoy differs (no plays): a glob read unescaped would give its figures, or both lakes'.
    cpSync(lake, decoy, { recursive: true });
    rmSync(join(decoy, 'base_plays'), { recursive: true });
    const figures = 'SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT count(*) FROM songs) AS songs';
    expect(await queryLake(odd, figures)).toEqual([{ plays: 6820, songs: 71 }]);
    expect(await queryLake(decoy, figures)).toEqual([{ plays: 0, songs: 71 }]);
  });

  it('a lake path with a backslash works too', async () => {
    const slash = join(dirs.path, 'back\\slash', 'lake');
    cpSync(lake, slash, { recursive: true });
    expect(await queryLake(slash, 'SELECT count(*) AS n FROM users')).toEqual([{ n: 96 }]);
  });
});

describe('a lake of many small files suggests compact (issue 12, item 10)', () => {
  it('notes it on stderr, not with --quiet, and not once compacted', async () => {
    const many = join(dirs.path, 'many');
    cpSync(lake, many, { recursive: true });
    const partition = join(many, 'base_songs', 'year=0');
    const [first] = readdirSync(partition);
    for (let i = 0; i < 200; i++) cpSync(join(partition, first ?? ''), join(partition, `copy-${i}.parquet`));
    const noisy = await runCli('query', '--lake', many, 'SELECT 1');
    expect(noisy.code).toBe(0);
    expect(noisy.err).toMatch(/Note: this lake has \d+ Parquet files, \d+ of them small enough to merge/);
    expect(noisy.err).toContain(`sparkify-lake compact --lake ${many}`);
    expect((await runCli('query', '--quiet', '--lake', many, 'SELECT 1')).err).toBe('');
    expect((await runCli('query', '--lake', lake, 'SELECT 1')).err).toBe('');
    expect((await runCli('compact', '--lake', many)).code).toBe(0);
    expect((await runCli('query', '--lake', many, 'SELECT 1')).err).toBe('');
  });
});
