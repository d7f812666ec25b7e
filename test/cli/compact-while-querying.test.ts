/**
 * Issue 12, finding 4: `compact` is documented as safe at any time, yet queries running during it
 * failed ("Cannot open file … No such file or directory", 3 of 8) because it deleted the files it
 * had merged at once. Now a replaced file stays readable for a grace period and a later run deletes
 * it: queries running through a compaction all answer, and always the same.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder } from '../../src/local/ingest.js';
import { queryLake, runCli } from '../support/cli.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';

const dirs = tempDir('compact-while-querying');
const lake = join(dirs.path, 'lake');
const PLAYS = join(lake, 'base_plays', 'year=2018', 'month=11');
const ANSWER = 'SELECT count(*) AS plays, count(DISTINCT user_id) AS users FROM songplays';

beforeAll(async () => {
  // One batch per file: 30 small play files to merge, as a trickle of events leaves them.
  await ingestFolder(SAMPLE_DIR, lake, { batchFiles: 1 });
});
afterAll(() => dirs.cleanup());

/** Keeps `lanes` queries running, one after another each, until `until` settles; every answer they gave. */
async function queriesDuring<T>(
  until: Promise<T>,
  lanes: number,
): Promise<{ answers: unknown[]; errors: string[]; result: T }> {
  const answers: unknown[] = [];
  const errors: string[] = [];
  let running = true;
  const result = until.finally(() => (running = false));
  const lane = async () => {
    do {
      const run = await runCli('query', '--quiet', '--lake', lake, '--json', ANSWER);
      if (run.code === 0) answers.push(JSON.parse(run.out));
      else errors.push(run.err);
    } while (running);
  };
  await Promise.all([result, ...Array.from({ length: lanes }, lane)]);
  return { answers, errors, result: await result };
}

describe('queries running while compact runs', () => {
  it('all answer, and the same, through the merge and through the run that deletes the replaced files', async () => {
    const expected = (await queryLake(lake, ANSWER))[0];
    expect(expected).toEqual({ plays: 6820, users: 96 });
    expect(readdirSync(PLAYS)).toHaveLength(30);

    const merging = await queriesDuring(runCli('compact', '--lake', lake), 8);
    expect(merging.result.code).toBe(0);
    expect(merging.errors).toEqual([]);
    expect(merging.answers.length).toBeGreaterThanOrEqual(8);
    expect(new Set(merging.answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify(expected)]));
    // The 30 small files are still there, beside the merged one: a query that listed them can read them.
    expect(readdirSync(PLAYS)).toHaveLength(31);

    // A run inside the grace period deletes nothing, and queries running through it all answer too;
    // a run after it (here: a grace of 0) deletes the replaced files.
    const within = await queriesDuring(runCli('compact', '--lake', lake), 8);
    expect(within.result.out).toContain('deleted 0 file(s)');
    expect(within.errors).toEqual([]);
    expect(readdirSync(PLAYS)).toHaveLength(31);
    expect((await runCli('compact', '--lake', lake, '--grace-minutes', '0')).out).toMatch(/deleted [1-9]\d* file\(s\)/);
    expect(readdirSync(PLAYS)).toHaveLength(1);
    expect((await queryLake(lake, ANSWER))[0]).toEqual(expected);
  });
});
