import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clearLakeFolder,
  LAKE_MARKER_FILE,
  markLakeFolder,
  readLakeMarker,
  RefusedToClearError,
} from '../../src/local/lake-folder.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/paths.js';

const dirs = tempDir('lake-folder');
afterAll(() => dirs.cleanup());

function folderWith(name: string, files: Record<string, string>): string {
  const folder = join(dirs.path, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  return folder;
}

describe('clearing a lake folder refuses everything the tool did not make', () => {
  it('refuses a non-empty folder without a marker and leaves every file in place', async () => {
    const folder = folderWith('notes', { 'notes/important.txt': 'keep me' });
    await expect(clearLakeFolder(folder, 'demo')).rejects.toThrow(RefusedToClearError);
    await expect(clearLakeFolder(folder, 'demo')).rejects.toThrow(
      /is not empty and is not a lake made by sparkify-lake/,
    );
    expect(readFileSync(join(folder, 'notes/important.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses a lake that ingest made: demo only replaces its own lakes', async () => {
    const folder = join(dirs.path, 'my-lake');
    await markLakeFolder(folder, 'ingest');
    writeFileSync(join(folder, 'data.parquet'), 'mine');
    await expect(clearLakeFolder(folder, 'demo')).rejects.toThrow(
      /made by `sparkify-lake ingest`, which `demo` never replaces/,
    );
    expect(existsSync(join(folder, 'data.parquet'))).toBe(true);
  });

  it('refuses the current directory and its parents, even with a demo marker in them', async () => {
    const outer = join(dirs.path, 'outer');
    const inner = join(outer, 'inner');
    mkdirSync(inner, { recursive: true });
    await markLakeFolder(outer, 'demo');
    await expect(clearLakeFolder(outer, 'demo', outer)).rejects.toThrow(/it is the current directory/);
    await expect(clearLakeFolder('.', 'demo', outer)).rejects.toThrow(/it is the current directory/);
    await expect(clearLakeFolder(outer, 'demo', inner)).rejects.toThrow(/the current directory is inside it/);
    await expect(clearLakeFolder('..', 'demo', inner)).rejects.toThrow(/the current directory is inside it/);
    expect(existsSync(inner)).toBe(true);
  });

  it('refuses a git work tree even when it carries a demo marker', async () => {
    const clone = join(dirs.path, 'clone');
    mkdirSync(join(clone, '.git'), { recursive: true });
    await markLakeFolder(clone, 'demo');
    await expect(clearLakeFolder(clone, 'demo', dirs.path)).rejects.toThrow(/it is a git work tree/);
    expect(existsSync(join(clone, '.git'))).toBe(true);
  });

  it('refuses the root of the file system and a file in place of a folder', async () => {
    await expect(clearLakeFolder('/', 'demo', dirs.path)).rejects.toThrow(/root of the file system/);
    const file = folderWith('plain', { 'a-file': 'x' });
    await expect(clearLakeFolder(join(file, 'a-file'), 'demo', dirs.path)).rejects.toThrow(
      /is a file, not a lake folder/,
    );
  });

  it('follows a symlink to what it points at before deciding', async () => {
    const real = folderWith('real-notes', { 'important.txt': 'keep me' });
    const link = join(dirs.path, 'link-to-notes');
    symlinkSync(real, link);
    await expect(clearLakeFolder(link, 'demo', dirs.path)).rejects.toThrow(RefusedToClearError);
    expect(existsSync(join(real, 'important.txt'))).toBe(true);
  });

  it('clears a missing folder, an empty folder, and a lake an earlier demo made', async () => {
    await clearLakeFolder(join(dirs.path, 'never-made'), 'demo', dirs.path);
    const empty = join(dirs.path, 'empty');
    mkdirSync(empty);
    await clearLakeFolder(empty, 'demo', dirs.path);
    const demoLake = join(dirs.path, 'demo-lake');
    await markLakeFolder(demoLake, 'demo');
    writeFileSync(join(demoLake, 'x.parquet'), 'old demo output');
    await clearLakeFolder(demoLake, 'demo', dirs.path);
    expect(existsSync(demoLake)).toBe(false);
  });

  it('keeps the purpose of an existing marker: ingesting into a demo lake does not make it a user lake', async () => {
    const folder = join(dirs.path, 'marked');
    await markLakeFolder(folder, 'demo');
    await markLakeFolder(folder, 'ingest');
    expect((await readLakeMarker(folder))?.purpose).toBe('demo');
    expect(existsSync(join(folder, LAKE_MARKER_FILE))).toBe(true);
  });
});

describe('sparkify-lake demo never deletes what it did not make', () => {
  it('exits 1 with the reason and deletes nothing when --lake holds unrelated files', async () => {
    const folder = folderWith('user-stuff', { 'notes/important.txt': 'keep me' });
    const run = await runCli('demo', '--lake', folder);
    expect(run.code).toBe(1);
    expect(run.err).toContain('nothing was deleted');
    expect(readFileSync(join(folder, 'notes/important.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses a lake the user built with ingest', async () => {
    const input = folderWith('input', {
      'song_data/A/A/A/TRX.json': '{"song_id":"SO1","artist_id":"AR1","year":1990}',
    });
    const lake = join(dirs.path, 'users-lake');
    expect((await runCli('ingest', input, '--lake', lake)).code).toBe(0);
    const run = await runCli('demo', '--lake', lake);
    expect(run.code).toBe(1);
    expect(run.err).toContain('made by `sparkify-lake ingest`');
    expect(existsSync(join(lake, 'base_songs'))).toBe(true);
  });
});
