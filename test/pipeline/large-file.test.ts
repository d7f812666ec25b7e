/**
 * A log file larger than the worker's whole JavaScript heap is processed as a batch of its own
 * (processBatch): the pipeline streams lines and encodes row groups as it goes instead of holding
 * the file or all its rows. The child process gets a 256 MiB heap for a ~200 MB file; slurping the
 * file (or its rows) cannot fit.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbRows } from '../support/duckdb.js';
import { REPO_ROOT, SAMPLE_DIR, tempDir } from '../support/paths.js';

const TARGET_BYTES = 200 * 1024 * 1024;
const HEAP_MIB = 256;
const KEY = 'log_data/2018/11/2018-11-big-events.json';
const dirs = tempDir('large');
let expectedPlays = 0;
let expectedUsers = 0;
let fileBytes = 0;

/** Repeats the sample's 30 days with shifted session ids (so every event stays unique) up to the target size. */
async function writeLargeLogFile(path: string): Promise<void> {
  const folder = join(SAMPLE_DIR, 'log_data/2018/11');
  const lines = readdirSync(folder)
    .sort()
    .flatMap((file) => readFileSync(join(folder, file), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '');
  const nextSongs = lines.filter((line) => line.includes('"page":"NextSong"'));
  const nextSongPerPass = nextSongs.length;
  // Every pass repeats the same users: base_user_latest holds one row per user of the file.
  expectedUsers = new Set(nextSongs.map((line) => (JSON.parse(line) as { userId: string }).userId)).size;
  const out = createWriteStream(path);
  let written = 0;
  for (let pass = 0; written < TARGET_BYTES; pass++) {
    const chunk = `${lines.map((line) => line.replace(/"sessionId":(\d+)/, (_, id: string) => `"sessionId":${Number(id) + pass * 10_000}`)).join('\n')}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
    written += Buffer.byteLength(chunk);
    expectedPlays += nextSongPerPass;
  }
  out.end();
  await once(out, 'finish');
}

beforeAll(async () => {
  mkdirSync(join(dirs.path, 'input/log_data/2018/11'), { recursive: true });
  const path = join(dirs.path, 'input', KEY);
  await writeLargeLogFile(path);
  fileBytes = statSync(path).size;
}, 120_000);
afterAll(() => dirs.cleanup());

describe('a log file larger than the heap', () => {
  it('is processed with a 256 MiB heap, every play written and committed', async () => {
    expect(fileBytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MIB}`,
        '--import',
        'tsx',
        join(REPO_ROOT, 'test/support/process-one-file.ts'),
        join(dirs.path, 'input'),
        join(dirs.path, 'lake'),
        KEY,
      ],
      { cwd: REPO_ROOT, maxBuffer: 10 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as {
      writeId: string;
      rows: Record<string, number>;
      bytesRead: number;
      objects: string[];
      committed: number;
      peakRss: number;
    };
    expect(result.bytesRead).toBe(fileBytes);
    expect(expectedUsers).toBe(96);
    expect(result.rows).toEqual({ base_plays: expectedPlays, base_user_latest: expectedUsers });
    const plays = `base_plays/year=2018/month=11/part-${result.writeId}.parquet`;
    expect([...result.objects].sort()).toEqual([
      plays,
      `base_sources/source=log_data/part-${result.writeId}.parquet`,
      `base_user_latest/part-${result.writeId}.parquet`,
    ]);
    expect(result.committed).toBe(1);
    const [written] = await duckdbRows(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT songplay_id)::INTEGER AS ids, count(DISTINCT write_id)::INTEGER AS writes FROM '${join(dirs.path, 'lake', plays)}'`,
    );
    expect(written).toEqual({ n: expectedPlays, ids: expectedPlays, writes: 1 });
    console.info(
      `large file: ${(fileBytes / 1e6).toFixed(0)} MB, ${expectedPlays} plays, peak RSS ${(result.peakRss / 1e6).toFixed(0)} MB with a ${HEAP_MIB} MiB heap`,
    );
  }, 180_000);
});
