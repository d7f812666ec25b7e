/**
 * The benchmark (bench/run.ts, `npm run bench`) still runs, end to end, on a tiny dataset: it exits
 * 0, prints its ratio line last, both engines it compares produced the same number of plays and
 * songs from the same input, and the figures that are counts rather than timings hold: S3
 * requests per song file at the stack's settings, and compaction of many small objects behind the
 * simulated-latency store converging. No timing is asserted: speed on a shared machine is not a
 * test result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

interface QuickReport {
  readonly dataset: { readonly plays: number; readonly songs: number; readonly songFiles: number };
  readonly realShape: {
    readonly counts: Readonly<Record<'ours' | 'duckdb', { readonly plays: number; readonly songs: number }>>;
  };
  readonly requests: {
    readonly perSongFile: number;
    readonly batchSize: number;
    readonly songFiles: number;
    readonly source: { readonly GET: number };
  };
  readonly compactionAtScale: {
    readonly smallObjects: number;
    readonly monotonic: boolean;
    readonly runsToMerge?: number;
    readonly runsToClean?: number;
  };
}

/** The quick run takes well under a minute on an idle 2-core machine; the margin is for a shared one. */
const QUICK_RUN_TIMEOUT_MS = 240_000;

let workDir: string;
let run: { code: number | null; stdout: string; stderr: string };
let report: QuickReport;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'sparkify-bench-smoke-'));
  const reportFile = join(workDir, 'report.json');
  run = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--work-dir', workDir, '--report', reportFile],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (run.code === 0) report = JSON.parse(await readFile(reportFile, 'utf8')) as QuickReport;
}, QUICK_RUN_TIMEOUT_MS);

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
    const { ours, duckdb } = report.realShape.counts;
    expect(ours).toEqual({ plays: report.dataset.plays, songs: report.dataset.songs });
    expect(duckdb).toEqual(ours);
    expect(report.dataset.plays).toBeGreaterThan(0);
    expect(report.dataset.songs).toBeGreaterThan(0);
  });

  it('reports S3 requests per song file at the stack’s settings, at most 1.5, the GET of every source included', () => {
    expect(run.stdout).toMatch(/requests per song file: \d+\.\d{3}/);
    const { requests, dataset } = report;
    expect(requests.songFiles).toBe(dataset.songFiles);
    // One full batch at the stack's batch size: the count means what it means at scale.
    expect(requests.songFiles).toBeGreaterThanOrEqual(requests.batchSize);
    expect(requests.source.GET).toBe(requests.songFiles);
    expect(requests.perSongFile).toBeGreaterThan(1);
    expect(requests.perSongFile).toBeLessThanOrEqual(1.5);
  });

  it('compacts the small-object lake behind the simulated-latency store: merged, then deleted, never going backwards', () => {
    const scale = report.compactionAtScale;
    expect(scale.smallObjects).toBeGreaterThan(0);
    expect(scale.monotonic).toBe(true);
    expect(scale.runsToMerge).toBeDefined();
    expect(scale.runsToClean).toBeDefined();
  });
});
