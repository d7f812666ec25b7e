/**
 * Inputs are checked (issue 12, item 2): a wrong input folder used to "succeed" with
 * `Ingested 0 files` and exit 0; skipped files used to vanish without a word. Gzip-compressed
 * landing files (`.json.gz`) are read, as the workers read them in AWS.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { queryLake, runCli } from '../support/cli.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('ingest-inputs');
afterAll(() => dirs.cleanup());

const LOG = 'log_data/2018/11/2018-11-05-events.json';
const SONG = 'song_data/A/A/A/TRAAAAW128F429D538.json';

/** A folder with the given files, copied from the sample or written from text. */
function inputWith(name: string, files: Record<string, string | Buffer>): string {
  const folder = join(dirs.path, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), body);
  }
  return folder;
}

const sample = (key: string) => readFileSync(join(SAMPLE_DIR, key));

describe('an input folder that is not a landing folder is a usage error with a hint', () => {
  it('one level too deep: names the parent folder', async () => {
    const run = await runCli('ingest', join(SAMPLE_DIR, 'song_data'), '--lake', join(dirs.path, 'never-a'));
    expect(run.code).toBe(2);
    expect(run.err).toContain(`did you mean the parent folder ${SAMPLE_DIR}?`);
    expect(existsSync(join(dirs.path, 'never-a'))).toBe(false);
  });

  it('deeper inside song_data/: still names the folder above it', async () => {
    const run = await runCli('ingest', join(SAMPLE_DIR, 'song_data', 'A', 'A'), '--lake', join(dirs.path, 'never-b'));
    expect(run.code).toBe(2);
    expect(run.err).toContain(`It is inside a song_data/ folder: did you mean the parent folder ${SAMPLE_DIR}?`);
  });

  it('one level too high: names the child folder that is a landing folder', async () => {
    const run = await runCli('ingest', dirname(SAMPLE_DIR), '--lake', join(dirs.path, 'never-c'));
    expect(run.code).toBe(2);
    expect(run.err).toContain(`Did you mean ${SAMPLE_DIR}?`);
  });

  it('a folder with neither song_data/ nor log_data/ says what ingest reads', async () => {
    const folder = inputWith('unrelated', { 'notes.txt': 'hello' });
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'never-d'));
    expect(run.code).toBe(2);
    expect(run.err).toContain('has neither song_data/ nor log_data/');
    expect(run.err).toContain('<input-dir>/song_data/ and <input-dir>/log_data/');
  });

  it('--only songs without a song_data/ folder', async () => {
    const folder = inputWith('logs-only', { [LOG]: sample(LOG) });
    const run = await runCli('ingest', folder, '--only', 'songs', '--lake', join(dirs.path, 'never-e'));
    expect(run.code).toBe(2);
    expect(run.err).toContain('has no song_data/ folder');
  });

  it('finding no file to ingest exits 1 and says so', async () => {
    const folder = join(dirs.path, 'empty-landing');
    mkdirSync(join(folder, 'song_data'), { recursive: true });
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-empty'));
    expect(run.code).toBe(1);
    expect(run.err).toContain('Nothing to ingest: no .json or .json.gz file under');
  });
});

describe('skipped files are counted and named', () => {
  it('names compressed, non-JSON and symlinked files and folders with the reason, and ingests the rest', async () => {
    const elsewhere = inputWith('elsewhere', { 'TRLINKED.json': sample(SONG), 'folder/TRINFOLDER.json': sample(SONG) });
    const folder = inputWith('mixed', {
      [SONG]: sample(SONG),
      'song_data/A/A/B/TRX.json.bz2': 'bz',
      'song_data/A/A/B/notes.txt': 'n',
      'log_data/2018/11/2018-11-06-events.json.zst': 'zs',
      'log_data/2018/11/old.gz': 'gz',
    });
    symlinkSync(join(elsewhere, 'TRLINKED.json'), join(folder, 'song_data/A/A/B/TRLINKED.json'));
    symlinkSync(join(elsewhere, 'folder'), join(folder, 'song_data/A/A/C'));
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-mixed'), '--no-summary');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Ingested 1 files');
    expect(run.out).toContain('Skipped 6 file(s), not read:');
    expect(run.out).toContain('song_data/A/A/B/TRX.json.bz2: compressed (only .json.gz is read)');
    expect(run.out).toContain('song_data/A/A/B/notes.txt: not a .json or .json.gz file');
    expect(run.out).toContain('song_data/A/A/B/TRLINKED.json: symbolic link, not followed (to a file)');
    expect(run.out).toContain('song_data/A/A/C: symbolic link, not followed (to a folder)');
    expect(run.out).toContain('log_data/2018/11/2018-11-06-events.json.zst: compressed (only .json.gz is read)');
    expect(run.out).toContain('log_data/2018/11/old.gz: gzip, but not a .json.gz file');
  });

  it('only symlinks: nothing ingested, exit 1, and the links are named', async () => {
    const folder = join(dirs.path, 'links-only');
    mkdirSync(join(folder, 'song_data'), { recursive: true });
    symlinkSync(join(SAMPLE_DIR, 'song_data', 'A'), join(folder, 'song_data', 'A'));
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-links'));
    expect(run.code).toBe(1);
    expect(run.out).toContain('song_data/A: symbolic link, not followed (to a folder)');
    expect(run.err).toContain('Nothing to ingest');
  });

  it('follows a symlinked song_data/ itself: it is the folder the user gave', async () => {
    const folder = join(dirs.path, 'linked-top');
    mkdirSync(folder);
    symlinkSync(join(SAMPLE_DIR, 'song_data'), join(folder, 'song_data'));
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-linked-top'), '--no-summary');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Ingested 71 files');
  });
});

describe('.json.gz landing files are read', () => {
  it('a gzipped log and song file give the same rows as the plain files', async () => {
    const plain = inputWith('plain', { [LOG]: sample(LOG), [SONG]: sample(SONG) });
    const gzipped = inputWith('gzipped', {
      [`${LOG}.gz`]: gzipSync(sample(LOG)),
      [`${SONG}.gz`]: gzipSync(sample(SONG)),
    });
    const plainRun = await runCli('ingest', plain, '--lake', join(dirs.path, 'lake-plain'), '--no-summary');
    const gzRun = await runCli('ingest', gzipped, '--lake', join(dirs.path, 'lake-gz'), '--no-summary');
    expect(gzRun.code).toBe(0);
    expect(gzRun.out).toContain('Ingested 2 files');
    expect(gzRun.out).toContain('2 processed');
    expect(gzRun.out).not.toContain('Skipped');
    const figures = `SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT sum(session_id) FROM songplays) AS sessions,
      (SELECT count(*) FROM users) AS users, (SELECT string_agg(title, ',') FROM songs) AS titles`;
    const expected = await queryLake(join(dirs.path, 'lake-plain'), figures);
    expect(plainRun.code).toBe(0);
    expect(expected[0]?.plays).toBeGreaterThan(100);
    expect(await queryLake(join(dirs.path, 'lake-gz'), figures)).toEqual(expected);
    const sources = await queryLake(join(dirs.path, 'lake-gz'), 'SELECT DISTINCT source_key FROM base_plays');
    expect(sources).toEqual([{ source_key: `${LOG}.gz` }]);
    expect(readdirSync(join(dirs.path, 'lake-gz', 'base_plays', 'year=2018', 'month=11'))[0]).toMatch(
      /^part-\d{8}T\d{9}Z-[0-9a-f]{12}\.parquet$/,
    );
  });

  it('a corrupt .json.gz fails that file (exit 1, named) and not the others', async () => {
    const folder = inputWith('corrupt-gz', { [`${LOG}.gz`]: 'not gzip at all', [SONG]: sample(SONG) });
    const run = await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-corrupt'), '--no-summary');
    expect(run.code).toBe(1);
    expect(run.out).toContain('1 processed');
    expect(run.err).toContain(`${LOG}.gz: incorrect header check`);
  });

  it('reads a file of concatenated gzip members whole, as gunzip does', async () => {
    const text = sample(LOG).toString('utf8');
    const half = text.indexOf('\n', text.length / 2) + 1;
    const folder = inputWith('members', {
      [`${LOG}.gz`]: Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]),
    });
    expect((await runCli('ingest', folder, '--lake', join(dirs.path, 'lake-members'), '--no-summary')).code).toBe(0);
    const plainPlays = (await queryLake(join(dirs.path, 'lake-plain'), 'SELECT count(*) AS n FROM songplays'))[0];
    expect(await queryLake(join(dirs.path, 'lake-members'), 'SELECT count(*) AS n FROM songplays')).toEqual([
      plainPlays,
    ]);
  });
});

describe('the lake folder ingest writes to', () => {
  it('refuses a non-empty folder that is not a lake, writing nothing into it', async () => {
    const folder = inputWith('my-documents', { 'thesis.txt': 'keep' });
    const run = await runCli('ingest', SAMPLE_DIR, '--lake', folder);
    expect(run.code).toBe(2);
    expect(run.err).toContain('is not empty and is not a lake');
    expect(readdirSync(folder)).toEqual(['thesis.txt']);
  });

  it('refuses an input folder given as the lake (it would scatter table folders into it)', async () => {
    const copy = join(dirs.path, 'sample-copy');
    cpSync(SAMPLE_DIR, copy, { recursive: true });
    const run = await runCli('ingest', copy, '--lake', copy);
    expect(run.code).toBe(2);
    expect(run.err).toContain('it holds song_data/ and log_data/, so it looks like an input folder');
    expect(readdirSync(copy).sort()).toEqual(['log_data', 'song_data']);
  });

  it('accepts a lake made before lake markers existed (it holds a base table folder)', async () => {
    const old = inputWith('old-lake', { 'base_songs/year=0/x.txt': 'x' });
    const run = await runCli('ingest', inputWith('one-song', { [SONG]: sample(SONG) }), '--lake', old, '--no-summary');
    expect(run.code).toBe(0);
  });
});

describe('ingest --mirror (issue 10, item 6)', () => {
  it('without it a file gone from the input stays in the lake; with it, its rows leave and the summary names it', async () => {
    const input = inputWith('mirror', { [LOG]: sample(LOG), [SONG]: sample(SONG) });
    const lake = join(dirs.path, 'mirror-lake');
    expect((await runCli('ingest', input, '--lake', lake)).code).toBe(0);
    const plays = async () => (await queryLake(lake, 'SELECT count(*) AS n FROM songplays'))[0]?.n;
    expect(await plays()).toBeGreaterThan(0);
    rmSync(join(input, LOG));

    const adding = await runCli('ingest', input, '--lake', lake);
    expect(adding.code).toBe(0);
    expect(adding.out).not.toContain('Removed from the lake');
    expect(await plays()).toBeGreaterThan(0);

    const mirroring = await runCli('ingest', input, '--lake', lake, '--mirror');
    expect(mirroring.code).toBe(0);
    expect(mirroring.out).toContain(`Removed from the lake (no longer in the input folder): 1\n  ${LOG}`);
    expect(await plays()).toBe(0);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM songs')).toEqual([{ n: 1 }]);
  });
});

describe('the read-back after an ingest (issue 12, item 4)', () => {
  it('a lake that cannot be read back fails the command, though the ingest committed', async () => {
    const input = inputWith('read-back', { [LOG]: sample(LOG) });
    const lake = join(dirs.path, 'read-back-lake');
    expect((await runCli('ingest', input, '--lake', lake)).code).toBe(0);
    // Not a Parquet file, where the views read every file: the next read of base_plays fails.
    const partition = join(lake, 'base_plays', 'year=2018', 'month=11');
    writeFileSync(join(partition, 'part-not-parquet.parquet'), 'not parquet');
    inputWith('read-back', { [SONG]: sample(SONG) });

    const run = await runCli('ingest', input, '--lake', lake);
    expect(run.out).toContain('1 processed, 1 unchanged');
    expect(run.err).toContain('the ingest committed, but the lake could not be read back');
    expect(run.code).toBe(1);
    const quiet = await runCli('ingest', input, '--lake', lake, '--no-summary');
    expect(quiet.code).toBe(0);
  });
});
