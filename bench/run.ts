/**
 * `npm run bench`: our pipeline against DuckDB's native JSON → Parquet conversion on a real-shape
 * seeded dataset (15,000 one-song files, 30 daily logs), the log path alone, S3 requests per song
 * file at the stack's settings, compaction (locally, and at scale over a simulated-latency store),
 * query-visibility latency, and the Lambda bundles. See docs/BENCHMARK.md for what each figure
 * means and how it is measured.
 *
 *   tsx bench/run.ts [--songs N] [--events N] [--days N] [--runs N] [--seed N] [--quick]
 *                    [--work-dir DIR] [--report FILE] [--latency-files K] [--init-runs N]
 *                    [--compaction-files N] [--compaction-clock virtual|real] [--compaction-runs N]
 *                    [--skip section,…] [--profile]
 *
 * The last line printed is always `ratio to DuckDB: <x.xx>`: DuckDB's wall time ÷ ours for the
 * whole real-shape ingest.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad, out } from './output.js';
import { awsEstimateSection } from './sections/aws-estimate.js';
import { bundlesSection } from './sections/bundles.js';
import { compactionAtScaleSection } from './sections/compaction-at-scale.js';
import { compactionSection } from './sections/compaction.js';
import type { BenchContext } from './sections/context.js';
import { datasetSection } from './sections/dataset.js';
import { filesWrittenSection, sameTablesSection } from './sections/lakes.js';
import { latencySection } from './sections/latency.js';
import { logPathSection } from './sections/log-path.js';
import { profileSection } from './sections/profile.js';
import { realShapeIngestSection } from './sections/real-shape.js';
import { requestsSection } from './sections/requests.js';
import { summarySection } from './sections/summary.js';
import { parseSettings, type Settings, type Skippable } from './settings.js';
import { fmtInt } from './support.js';
import { Verifier } from './verify.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A section after the headline that failed; the others still run, and the exit code is 1. */
interface SectionFailure {
  readonly section: string;
  readonly error: string;
}

class Sections {
  readonly failures: SectionFailure[] = [];

  constructor(private readonly settings: Settings) {}

  /** Runs an optional section unless skipped; a failure is reported, not thrown. */
  async run<T>(name: Skippable | 'files written' | 'same tables', work: () => Promise<T>): Promise<T | undefined> {
    if ((this.settings.skip as ReadonlySet<string>).has(name)) return undefined;
    try {
      return await work();
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      this.failures.push({ section: name, error: message });
      out(`  FAILED: ${message.split('\n').slice(0, 6).join('\n  ')}`);
      return undefined;
    }
  }
}

function printHeader(settings: Settings, loadAtStart: string): void {
  out(`sparkify-lake benchmark — ${new Date().toISOString()}`);
  out(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`,
  );
  out(`load at start: ${loadAtStart}`);
  out(
    `settings: songs ${fmtInt(settings.songs)}, events ${fmtInt(settings.events)}, days ${settings.days}, runs ${settings.runs}, seed ${settings.seed}, ` +
      `compaction at scale ${fmtInt(settings.compactionFiles)} one-song batches (${settings.compactionClock} clock)` +
      `${settings.quick ? ' (--quick)' : ''}${settings.skip.size > 0 ? `; skipped: ${[...settings.skip].join(', ')}` : ''}; work dir ${settings.workDir}`,
  );
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2), REPO_ROOT);
  await mkdir(settings.workDir, { recursive: true });
  const loadAtStart = machineLoad();
  printHeader(settings, loadAtStart);
  const data = await datasetSection(settings);
  const verifier = await Verifier.open();
  const context: BenchContext = { repoRoot: REPO_ROOT, settings, data, verifier };
  if (settings.profile) {
    await profileSection(context);
    verifier.dispose();
    return;
  }

  const realShape = await realShapeIngestSection(context);
  const sections = new Sections(settings);
  const logPath = await sections.run('log-path', () => logPathSection(context));
  const files = await sections.run('files written', () => filesWrittenSection(context));
  const identity = await sections.run('same tables', () => sameTablesSection(context));
  const requests = await sections.run('requests', () => requestsSection(context));
  const compaction = await sections.run('compaction', () => compactionSection(context));
  const compactionAtScale = await sections.run('compaction-at-scale', () => compactionAtScaleSection(context));
  const latency = await sections.run('latency', () => latencySection(context, compaction !== undefined));
  const bundles = await sections.run('bundles', () => bundlesSection(context));
  const logInit = bundles?.find((b) => b.entry.includes('log-worker'))?.initWithSourceMaps.medianMs ?? Number.NaN;
  await awsEstimateSection(latency?.process.p50 ?? Number.NaN, logInit);
  const targets = summarySection({ realShape, logPath, requests, compactionAtScale, loadAtStart });
  verifier.dispose();

  if (settings.report) {
    const report = {
      settings: { ...settings, skip: [...settings.skip] },
      dataset: data,
      realShape,
      logPath,
      files,
      identity,
      requests,
      compaction,
      compactionAtScale,
      latency,
      bundles,
      targets,
      failures: sections.failures,
    };
    await mkdir(dirname(settings.report), { recursive: true });
    await writeFile(settings.report, JSON.stringify({ ...report, ratio: Number(realShape.ratio.toFixed(2)) }, null, 2));
  }
  if (sections.failures.length > 0)
    out(`  FAILED sections: ${sections.failures.map((f) => f.section).join(', ')} (exit code 1)`);
  // Must stay the last line.
  out(`ratio to DuckDB: ${realShape.ratio.toFixed(2)}`);
  if (sections.failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
