/**
 * The benchmark (bench/run.ts, `npm run bench`) still runs, end to end, on a tiny dataset: it exits
 * 0, prints its ratio line last, and both engines it compares produced the same number of plays and
 * songs from the same input. No timing is asserted: speed on a shared machine is not a test result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

interface QuickReport {
  readonly dataset: { readonly plays: number; readonly songs: number };
  readonly counts: Readonly<Record<string, { readonly plays: number; readonly songs: number }>>;
}

let workDir: string;
let run: { code: number | null; stdout: string; stderr: string };
let report: QuickReport;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'sparkify-bench-smoke-'));
  const reportFile = join(workDir, 'report.json');
  run = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--work-dir', workDir, '--report', reportFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (run.code === 0) report = JSON.parse(await readFile(reportFile, 'utf8')) as QuickReport;
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('bench/run.ts --quick', () => {
  it('exits 0', () => {
    expect(run.code, run.stderr).toBe(0);
  });

  it('prints the ratio to DuckDB as its last line, with two decimals', () => {
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^ratio to DuckDB: \d+\.\d{2}$/);
  });

  it("our lake and DuckDB's hold the same number of plays and songs, those the generator counted", () => {
    const { ours, duckdb } = report.counts;
    expect(ours).toEqual({ plays: report.dataset.plays, songs: report.dataset.songs });
    expect(duckdb).toEqual(ours);
    expect(report.dataset.plays).toBeGreaterThan(0);
    expect(report.dataset.songs).toBeGreaterThan(0);
  });
});
