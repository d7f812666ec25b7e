import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYST_QUERIES } from '../../src/domain/analyst-queries.js';
import { markLakeFolder } from '../../src/local/lake-folder.js';
import { queryLake, runCli, runCliWith } from '../support/cli.js';
import { REPO_ROOT, SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('cli');
afterAll(() => dirs.cleanup());

describe('usage errors exit 2 and say what is wrong', () => {
  it.each([
    [['query', 'SELECT 1'], 'query needs --lake <dir>'],
    [['query', '--lake', '/tmp'], 'query needs the SQL'],
    [['ingest', '--lake', '/tmp/x'], 'ingest needs exactly one <input-dir>'],
    [['ingest', '/nonexistent-input', '--lake', '/tmp/x'], 'input folder /nonexistent-input does not exist'],
    [['ingest', SAMPLE_DIR, '--lake', '/tmp/x', '--only', 'videos'], '--only takes songs or logs, not videos'],
    [['ingest', SAMPLE_DIR, '--lake', '/tmp/x', '--bogus'], 'unknown option --bogus'],
  ])('%j', async (argv, message) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain(message);
  });
});

describe('query', () => {
  it('reports SQL errors on stderr with exit 1', async () => {
    const lake = join(dirs.path, 'empty-lake');
    await markLakeFolder(lake, 'ingest');
    const run = await runCli('query', '--lake', lake, 'SELECT nope FROM songplays');
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/query failed: .*nope/);
  });
});

describe('ingest', () => {
  it('keeps good rows, sets bad records aside with key, line and reason, and lists them in the summary and the rejects table', async () => {
    const input = join(dirs.path, 'dirty');
    const lake = join(dirs.path, 'dirty-lake');
    mkdirSync(join(input, 'log_data/2018/11'), { recursive: true });
    mkdirSync(join(input, 'song_data/A/A/A'), { recursive: true });
    const good =
      '{"page":"NextSong","ts":1541106106796,"userId":"8","sessionId":139,"itemInSession":0,"level":"free","song":"x"}';
    writeFileSync(
      join(input, 'log_data/2018/11/2018-11-01-events.json'),
      `${good}\n{"page":"NextSong",\n${good.replace('"userId":"8"', '"userId":""')}`,
    );
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
    expect(
      await queryLake(lake, 'SELECT source, source_key, line, reason, raw FROM rejects ORDER BY source, line'),
    ).toEqual([
      {
        source: 'log_data',
        source_key: 'log_data/2018/11/2018-11-01-events.json',
        line: 2,
        reason: expect.stringContaining('line 2: not valid JSON'),
        raw: '{"page":"NextSong",',
      },
      {
        source: 'log_data',
        source_key: 'log_data/2018/11/2018-11-01-events.json',
        line: 3,
        reason: 'line 3: userId: empty',
        raw: good.replace('"userId":"8"', '"userId":""'),
      },
      {
        source: 'song_data',
        source_key: 'song_data/A/A/A/TRBAD.json',
        line: null,
        reason: 'expected one JSON object, got an array',
        raw: '[{"song_id":"SO1"}]',
      },
    ]);
  });

  it('says what the read-back after the summary is doing and how long it took; --no-summary skips it (issue 12, item 10)', async () => {
    const input = join(dirs.path, 'readback-input');
    mkdirSync(join(input, 'song_data/A'), { recursive: true });
    writeFileSync(join(input, 'song_data/A/TRX.json'), '{"song_id":"SO1","artist_id":"AR1","year":1990}');
    const shown = await runCliWith({ columns: 100 }, 'ingest', input, '--lake', join(dirs.path, 'readback-lake'));
    expect(shown.code).toBe(0);
    expect(shown.terminal).toContain('Reading the lake back to count its rows (--no-summary skips this)…');
    expect(shown.out).toMatch(/The lake now holds \(read back in \d+\.\d s; --no-summary skips this\):/);
    const skipped = await runCliWith(
      { columns: 100 },
      'ingest',
      input,
      '--lake',
      join(dirs.path, 'readback-lake'),
      '--no-summary',
    );
    expect(skipped.code).toBe(0);
    expect(skipped.out).not.toContain('The lake now holds');
    expect(skipped.terminal).not.toContain('Reading the lake back');
  });

  it('exits 1 and names the file when a file cannot be processed at all', async () => {
    const input = join(dirs.path, 'blocked-input');
    const lake = join(dirs.path, 'blocked-lake');
    mkdirSync(join(input, 'song_data/A'), { recursive: true });
    writeFileSync(join(input, 'song_data/A/TRX.json'), '{"song_id":"SO1","artist_id":"AR1","year":1990}');
    await markLakeFolder(lake, 'ingest');
    writeFileSync(join(lake, 'base_songs'), 'a file where the lake needs a folder');
    const run = await runCli('ingest', input, '--lake', lake);
    expect(run.code).toBe(1);
    expect(run.err).toContain('FAILED: 1 file(s) could not be processed');
    expect(run.err).toContain('song_data/A/TRX.json:');
  });
});

describe('npm start (the demo, through the real launcher)', () => {
  it('ingests the sample into a fresh lake and prints every standard question with its answer', async () => {
    const lake = join(dirs.path, 'demo-lake');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'sparkify-lake.mjs'), 'demo', '--lake', lake],
      { cwd: REPO_ROOT },
    );
    // The hint is pasteable and never goes through npx (issue 12, item 6).
    expect(stderr).toContain(
      `Explore further: node bin/sparkify-lake.mjs query --lake ${lake} "SELECT * FROM users LIMIT 5"`,
    );
    expect(stdout + stderr).not.toContain('npx');
    expect(stdout).toContain('Ingested 101 files');
    expect(stdout).toContain('Log events read: 8056 (6820 NextSong)');
    for (const query of ANALYST_QUERIES) expect(stdout).toContain(`== ${query.title} [${query.name}]`);
    expect(stdout).toMatch(/songplays\s+6820\s+1/);
    expect(stdout).toMatch(/Setanta matins\s+Elena\s+1/);
    expect(stdout).toMatch(/paid\s+5591\s+22\s+22/);
  });
});
