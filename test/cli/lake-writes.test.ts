/**
 * Readers are never broken by the tool's own writes (issue 12, item 5), and a lake that cannot be
 * written says so once, with advice that fits (item 8).
 *
 * Temporary files used to be written beside their target, inside partition folders, as
 * `*.partial-write`: a crash left them there forever, and a reader that takes every file of a
 * partition (Athena takes every object under a table's location) read them as data.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFailures } from '../../src/cli/ingest-report.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { markLakeFolder } from '../../src/local/lake-folder.js';
import { queryLake, runCli } from '../support/cli.js';
import { REPO_ROOT, SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('lake-writes');
afterAll(() => dirs.cleanup());

const TABLE_FOLDERS = ['base_plays', 'base_songs', 'rejects'];

/** Rows in every file under the folder, whatever its name: what Athena reads of a table location. */
async function rowsOfEveryFile(folder: string): Promise<number> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM read_parquet('${folder}/**/*')`);
  return reader.getRowsJson()[0]?.[0] as number;
}

function filesUnder(folder: string): string[] {
  return (
    readdirSync(folder, { recursive: true, withFileTypes: true }) as {
      name: string;
      parentPath: string;
      isFile(): boolean;
    }[]
  )
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

describe('temporary files never sit inside a table folder', () => {
  it('while an ingest writes, no file but a finished .parquet ever appears in a table folder', async () => {
    const lake = join(dirs.path, 'watched');
    mkdirSync(lake);
    const created = new Set<string>();
    const watcher = watch(lake, { recursive: true }, (_event, name) => {
      if (name) created.add(name.toString());
    });
    try {
      expect((await runCli('ingest', SAMPLE_DIR, '--lake', lake, '--no-summary')).code).toBe(0);
    } finally {
      watcher.close();
    }
    const inTables = [...created].filter((name) => TABLE_FOLDERS.includes(name.split(sep)[0] ?? ''));
    expect(inTables.some((name) => name.endsWith('.parquet'))).toBe(true);
    const files = inTables.filter((name) => /\.[^/=]+$/.test(name));
    expect(files.filter((name) => !name.endsWith('.parquet'))).toEqual([]);
  });
});

describe('leftovers of a crash', () => {
  const lake = join(dirs.path, 'crashed');
  const partition = join(lake, 'base_plays', 'year=2018', 'month=11');

  beforeAll(async () => {
    expect((await runCli('ingest', SAMPLE_DIR, '--lake', lake, '--no-summary', '--quiet')).code).toBe(0);
    const [file] = readdirSync(partition);
    // What a process killed between write and rename leaves: a whole Parquet body under a temporary
    // name, in _tmp/ now, and beside its target in lakes written before _tmp/ existed.
    mkdirSync(join(lake, '_tmp'), { recursive: true });
    cpSync(join(partition, file ?? ''), join(lake, '_tmp', '5f0c2a9e1d3b7a44.partial-write'));
    cpSync(join(partition, file ?? ''), join(partition, `${file}.0a1b2c3d4e5f.partial-write`));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(lake, '_tmp', '5f0c2a9e1d3b7a44.partial-write'), anHourAgo, anHourAgo);
    utimesSync(join(partition, `${file}.0a1b2c3d4e5f.partial-write`), anHourAgo, anHourAgo);
  });

  it('are never read by a query', async () => {
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM songplays')).toEqual([{ n: 6820 }]);
    expect(await queryLake(lake, 'SELECT count(*) AS n FROM base_plays')).toEqual([{ n: 6820 }]);
  });

  it('are swept by the next ingest, so a reader of every file sees the right rows again', async () => {
    expect(await rowsOfEveryFile(join(lake, 'base_plays'))).toBeGreaterThan(6820);
    const run = await runCli('ingest', SAMPLE_DIR, '--lake', lake, '--no-summary');
    expect(run.code).toBe(0);
    expect(run.err).toContain('Removed 2 temporary file(s) left in the lake by an interrupted run.');
    expect(readdirSync(join(lake, '_tmp'))).toEqual([]);
    for (const table of TABLE_FOLDERS.filter((name) => existsSync(join(lake, name)))) {
      expect(filesUnder(join(lake, table)).filter((name) => !name.endsWith('.parquet'))).toEqual([]);
    }
    expect(await rowsOfEveryFile(join(lake, 'base_plays'))).toBe(6820);
  });

  it('are swept by compact too', async () => {
    writeFileSync(join(lake, '_tmp', 'aa.partial-write'), 'x');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(lake, '_tmp', 'aa.partial-write'), old, old);
    const run = await runCli('compact', '--lake', lake);
    expect(run.code).toBe(0);
    expect(run.err).toContain('Removed 1 temporary file(s)');
  });

  it("a temporary file newer than the run is left alone: it may be another writer's", async () => {
    const store = new FsObjectStore(lake);
    writeFileSync(join(lake, '_tmp', 'fresh.partial-write'), 'x');
    expect(await store.sweepTemporaries(Date.now() - 60_000)).toBe(0);
    expect(existsSync(join(lake, '_tmp', 'fresh.partial-write'))).toBe(true);
    expect(await store.sweepTemporaries(Date.now() + 1_000)).toBe(1);
  });
});

describe('a failed write', () => {
  it('leaves its temporary file in _tmp/, where no table reads it, not beside the target', async () => {
    const root = join(dirs.path, 'failed-put');
    mkdirSync(join(root, 'table'), { recursive: true });
    writeFileSync(join(root, 'table', 'blocker'), 'a file where a folder is needed');
    await expect(new FsObjectStore(root).put('table/blocker/x.parquet', 'body')).rejects.toThrow();
    expect(filesUnder(join(root, 'table'))).toEqual(['blocker']);
    expect(readdirSync(join(root, '_tmp'))).toEqual([expect.stringMatching(/^[0-9a-f]{16}\.partial-write$/)]);
  });
});

describe('failures are bounded, and the advice fits the cause', () => {
  const failures = (count: number, error: string) =>
    Array.from({ length: count }, (_, i) => ({ sourceKey: `song_data/A/TR${i}.json`, error }));

  it('a permission problem: not "run again"', () => {
    const text = renderFailures(
      failures(101, "EACCES: permission denied, rename '/lake/_tmp/x' -> '/lake/base_songs/year=0/y.parquet'"),
    );
    expect(text).toContain('FAILED: 101 file(s) could not be processed.');
    expect(text).toContain('101 × permission denied');
    expect(text).toContain('running again will not help');
    expect(text).not.toContain('run again to retry');
    expect(text).toContain('  … and 81 more');
    expect(text.split('\n').length).toBeLessThanOrEqual(24);
  });

  it('an unknown problem: run again to retry', () => {
    expect(renderFailures(failures(2, 'socket hang up'))).toContain('run again to retry them');
  });

  it('a lake whose table folder was replaced by a file: every file fails, the output stays short', async () => {
    const lake = join(dirs.path, 'blocked');
    await markLakeFolder(lake, 'ingest');
    writeFileSync(join(lake, 'base_songs'), 'a file where the lake needs a folder');
    const run = await runCli('ingest', SAMPLE_DIR, '--only', 'songs', '--lake', lake, '--no-summary');
    expect(run.code).toBe(1);
    expect(run.err).toContain('FAILED: 71 file(s) could not be processed.');
    expect(run.err).toContain('a file stands where the lake needs a folder');
    expect(run.err).toContain('… and 51 more');
    expect(run.err.split('\n').length).toBeLessThan(30);
  });
});

// A read-only lake needs a user the permissions apply to: root ignores them, so as root the
// command runs as `nobody` (setpriv); tests that cannot do either are skipped.
const isRoot = process.getuid?.() === 0;
const canDropPrivileges = isRoot && spawnSync('setpriv', ['--version']).status === 0;
const canTestPermissions = canDropPrivileges || !isRoot;

describe.skipIf(!canTestPermissions)('a read-only lake', () => {
  const runAsUser = (args: string[]) => {
    const launcher = [process.execPath, join(REPO_ROOT, 'bin', 'sparkify-lake.mjs'), ...args];
    const command = canDropPrivileges
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...launcher]
      : launcher;
    return spawnSync(command[0] ?? '', command.slice(1), {
      cwd: dirs.path,
      encoding: 'utf8',
      env: { ...process.env, HOME: dirs.path },
    });
  };
  // mkdtemp makes the folder private to its owner.
  beforeAll(() => chmodSync(dirs.path, 0o755));

  it('fails once, before any file, saying it is a permission problem', async () => {
    const lake = join(dirs.path, 'read-only');
    expect(
      (await runCli('ingest', SAMPLE_DIR, '--only', 'songs', '--lake', lake, '--no-summary', '--quiet')).code,
    ).toBe(0);
    execFileSync('chmod', ['-R', 'a-w', lake]);
    try {
      const run = runAsUser(['ingest', SAMPLE_DIR, '--lake', lake]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`cannot write to the lake folder ${lake} (EACCES): permission denied`);
      expect(run.stderr).not.toContain('run again');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', lake]);
    }
  });

  it('a table folder that is read-only: each file fails with permission advice, listed within bounds', async () => {
    const lake = join(dirs.path, 'read-only-table');
    expect(
      (await runCli('ingest', SAMPLE_DIR, '--only', 'songs', '--lake', lake, '--no-summary', '--quiet')).code,
    ).toBe(0);
    // New songs (new content writes), and everything writable for the other user but the songs table.
    const changed = join(dirs.path, 'changed');
    expect((await runCli('generate', changed, '--songs', '30', '--events', '10', '--days', '1', '--quiet')).code).toBe(
      0,
    );
    execFileSync('chmod', ['-R', 'a+rwX', lake, changed]);
    execFileSync('chmod', ['-R', 'a-w', join(lake, 'base_songs')]);
    try {
      const run = runAsUser(['ingest', changed, '--only', 'songs', '--lake', lake, '--no-summary']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/FAILED: \d+ file\(s\) could not be processed\./);
      expect(run.stderr).toContain('permission denied: this user may not write to the lake folder');
      expect(run.stderr).toContain('running again will not help');
      expect(run.stderr.split('\n').length).toBeLessThan(30);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', join(lake, 'base_songs')]);
    }
  });
});
