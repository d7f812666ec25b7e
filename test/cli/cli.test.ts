import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYST_QUERIES } from '../../src/domain/analyst-queries.js';
import { queryLake, runCli } from '../support/cli.js';
import { REPO_ROOT, SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('cli');
afterAll(() => dirs.cleanup());

describe('usage errors exit 2 and say what is wrong', () => {
  it.each([
    [[], 'Usage:'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['query', 'SELECT 1'], 'query needs --lake <dir>'],
    [['query', '--lake', '/tmp'], 'query needs exactly one SQL statement'],
    [['ingest', '--lake', '/tmp/x'], 'ingest needs exactly one <input-dir>'],
    [['ingest', '/nonexistent-input', '--lake', '/tmp/x'], 'input folder /nonexistent-input does not exist'],
    [['ingest', SAMPLE_DIR, '--lake', '/tmp/x', '--only', 'videos'], '--only takes songs or logs, not videos'],
    [['ingest', SAMPLE_DIR, '--lake', '/tmp/x', '--bogus'], "Unknown option '--bogus'"],
  ])('%j', async (argv, message) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.out + run.err).toContain(message);
  });
});

describe('query', () => {
  it('fails with exit 1 and a hint when there is no lake', async () => {
    const run = await runCli('query', '--lake', join(dirs.path, 'missing'), 'SELECT 1');
    expect(run.code).toBe(1);
    expect(run.err).toContain('no lake at');
    expect(run.err).toContain('sparkify-lake ingest');
  });

  it('works on an empty lake folder: every table exists, typed, with no rows', async () => {
    const empty = join(dirs.path, 'empty');
    mkdirSync(empty);
    expect(await queryLake(empty, `SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM "time") AS times`)).toEqual([{ plays: 0, users: 0, times: 0 }]);
  });

  it('reports SQL errors with exit 1', async () => {
    const empty = join(dirs.path, 'empty-2');
    mkdirSync(empty);
    const run = await runCli('query', '--lake', empty, 'SELECT nope FROM songplays');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/query failed: .*nope/);
  });
});

describe('ingest', () => {
  it('keeps good rows, sets bad records aside with key, line and reason, and lists them in the summary and the rejects table', async () => {
    const input = join(dirs.path, 'dirty');
    const lake = join(dirs.path, 'dirty-lake');
    mkdirSync(join(input, 'log_data/2018/11'), { recursive: true });
    mkdirSync(join(input, 'song_data/A/A/A'), { recursive: true });
    const good = '{"page":"NextSong","ts":1541106106796,"userId":"8","sessionId":139,"itemInSession":0,"level":"free","song":"x"}';
    writeFileSync(join(input, 'log_data/2018/11/2018-11-01-events.json'), `${good}\n{"page":"NextSong",\n${good.replace('"userId":"8"', '"userId":""')}`);
    writeFileSync(join(input, 'song_data/A/A/A/TRBAD.json'), '[{"song_id":"SO1"}]');
    const run = await runCli('ingest', input, '--lake', lake);
    expect(run.code).toBe(0);
    expect(run.out).toContain('2 files');
    expect(run.out).toContain('1 processed, 1 rejected');
    expect(run.out).toContain('Set aside (3;');
    expect(run.out).toContain('log_data/2018/11/2018-11-01-events.json: line 2: not valid JSON');
    expect(run.out).toContain('log_data/2018/11/2018-11-01-events.json: line 3: userId: empty');
    expect(run.out).toContain('song_data/A/A/A/TRBAD.json: expected one JSON object, got an array');
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM songplays')).toEqual([{ n: 1 }]);
    expect(await queryLake(lake, 'SELECT source, source_key, line, reason, raw FROM rejects ORDER BY source, line')).toEqual([
      { source: 'log_data', source_key: 'log_data/2018/11/2018-11-01-events.json', line: 2, reason: expect.stringContaining('line 2: not valid JSON'), raw: '{"page":"NextSong",' },
      { source: 'log_data', source_key: 'log_data/2018/11/2018-11-01-events.json', line: 3, reason: 'line 3: userId: empty', raw: good.replace('"userId":"8"', '"userId":""') },
      { source: 'song_data', source_key: 'song_data/A/A/A/TRBAD.json', line: null, reason: 'expected one JSON object, got an array', raw: '[{"song_id":"SO1"}]' },
    ]);
  });

  it('exits 1 and names the file when a file cannot be processed at all', async () => {
    const input = join(dirs.path, 'blocked-input');
    const lake = join(dirs.path, 'blocked-lake');
    mkdirSync(join(input, 'song_data/A'), { recursive: true });
    writeFileSync(join(input, 'song_data/A/TRX.json'), '{"song_id":"SO1","artist_id":"AR1","year":1990}');
    mkdirSync(lake);
    writeFileSync(join(lake, 'base_songs'), 'a file where the lake needs a folder');
    const run = await runCli('ingest', input, '--lake', lake);
    expect(run.code).toBe(1);
    expect(run.out).toContain('FAILED (1 files could not be processed');
    expect(run.out).toContain('song_data/A/TRX.json:');
  });
});

describe('npm start (the demo, through the real launcher)', () => {
  it('ingests the sample into a fresh lake and prints every standard question with its answer', async () => {
    const lake = join(dirs.path, 'demo-lake');
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin', 'sparkify-lake.mjs'), 'demo', '--lake', lake], { cwd: REPO_ROOT });
    expect(stdout).toContain('Ingested 101 files');
    expect(stdout).toContain('Log events read: 8056 (6820 NextSong)');
    for (const query of ANALYST_QUERIES) expect(stdout).toContain(`== ${query.title} [${query.name}]`);
    expect(stdout).toMatch(/songplays\s+6820\s+1/);
    expect(stdout).toMatch(/Setanta matins\s+Elena\s+1/);
    expect(stdout).toMatch(/paid\s+5591\s+22\s+22/);
  });
});
