import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ingestFolder, type IngestSummary } from '../../local/ingest.js';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { ANALYST_QUERIES } from '../../domain/analyst-queries.js';
import type { SourceKind } from '../../domain/layout.js';
import { renderTable } from '../format.js';
import { renderFailures, renderSummary } from '../ingest-report.js';
import { checkInput, prepareLakeToWrite, sweepLeftovers } from '../lake-paths.js';
import { QUIET_OPTION } from '../options.js';
import { progressBar, statusLine } from '../progress.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const INGEST_USAGE = `sparkify-lake ingest <input-dir> --lake <dir> [--only songs|logs] [--concurrency N] [--mirror] [--no-summary] [-q]
  Processes every .json and .json.gz file under <input-dir>/song_data/ and <input-dir>/log_data/
  into the lake folder, through the same code as the Lambda workers. Incremental: run it again with
  new or changed files to add them (unchanged files are skipped). With --mirror, files that are no
  longer in the input folder leave the lake too (off by default, so several input folders can feed
  one lake). Other files and symbolic links are skipped and named in the summary.
  --lake must be a new or empty folder or an existing lake. After the summary the lake is read back
  to count its rows (seconds on a large lake): --no-summary skips that. -q, --quiet: no progress
  bar and no read-back. Exit 1 when a file could not be processed, no file was found, or the lake
  could not be read back.`;

export const INGEST_OPTIONS = {
  lake: { type: 'string' },
  only: { type: 'string' },
  concurrency: { type: 'string' },
  mirror: { type: 'boolean', default: false },
  'no-summary': { type: 'boolean', default: false },
  ...QUIET_OPTION,
} as const;

export async function ingestCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: INGEST_OPTIONS });
  const [inputDir, ...extra] = positionals;
  if (!inputDir || extra.length > 0) throw new UsageError('ingest needs exactly one <input-dir>');
  if (!values.lake) throw new UsageError('ingest needs --lake <dir>');
  const kinds = kindsOf(values.only);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new UsageError('--concurrency must be a positive integer');
  await checkInput(resolve(inputDir), kinds);
  const summary = await runIngest(resolve(inputDir), resolve(values.lake), io, {
    kinds,
    ...(concurrency === undefined ? {} : { concurrency }),
    mirror: values.mirror,
    quiet: values.quiet,
    showLakeCounts: !values['no-summary'] && !values.quiet,
  });
  return summary.failures.length > 0 || summary.files === 0 || summary.lakeReadBack === 'failed' ? 1 : 0;
}

export interface RunIngestOptions {
  readonly kinds?: readonly SourceKind[];
  readonly concurrency?: number;
  /** Remove from the lake the files that are no longer in the input folder. */
  readonly mirror?: boolean;
  readonly quiet?: boolean;
  /** Read the lake back and print its row counts (default true). */
  readonly showLakeCounts?: boolean;
}

export interface IngestRun extends IngestSummary {
  /** Whether the lake could be read back after the ingest (a failure there fails the command). */
  readonly lakeReadBack: 'ok' | 'failed' | 'skipped';
}

export async function runIngest(
  inputDir: string,
  lakeDir: string,
  io: CommandIo,
  options: RunIngestOptions = {},
): Promise<IngestRun> {
  const started = Date.now();
  await prepareLakeToWrite(lakeDir);
  await sweepLeftovers(lakeDir, started, io, options.quiet ?? false);
  const bar = progressBar(options.quiet ? undefined : io.terminal);
  const kinds = options.kinds ?? ['song', 'log'];
  const summary = await ingestFolder(inputDir, lakeDir, {
    kinds,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.mirror ? { mirror: true } : {}),
    onProgress: bar.update,
  });
  bar.done();
  io.out(renderSummary(summary));
  if (summary.failures.length > 0) io.err(renderFailures(summary.failures));
  if (summary.files === 0) {
    const folders = kinds.map((kind) => `${inputDir}/${kind === 'song' ? 'song_data' : 'log_data'}/`).join(' or ');
    io.err(
      `Nothing to ingest: no .json or .json.gz file under ${folders}${summary.skipped.length > 0 ? ' (the skipped files are listed above)' : ''}.`,
    );
  }
  const lakeReadBack =
    options.showLakeCounts !== false && summary.files > 0
      ? await printLakeCounts(lakeDir, io, options.quiet ?? false)
      : 'skipped';
  return { ...summary, lakeReadBack };
}

/** The lake overview after an ingest: it reads every file's metadata, so it says that it is working. */
async function printLakeCounts(lakeDir: string, io: CommandIo, quiet: boolean): Promise<'ok' | 'failed'> {
  const overview = ANALYST_QUERIES.find((query) => query.name === 'lake-overview');
  if (!overview) throw new Error('the lake-overview query is missing from ANALYST_QUERIES');
  const started = performance.now();
  const status = statusLine(
    quiet ? undefined : io.terminal,
    'Reading the lake back to count its rows (--no-summary skips this)…',
  );
  try {
    const counts = await withLakeSql(lakeDir, new FsObjectStore(lakeDir), (sql) => sql.query(overview.sql));
    status.done();
    io.out(
      `The lake now holds (read back in ${((performance.now() - started) / 1000).toFixed(1)} s; --no-summary skips this):\n${renderTable(counts)}`,
    );
    return 'ok';
  } catch (error) {
    status.done();
    // The ingest committed; what failed is the check after it, and a script must still hear of it.
    io.err(
      `the ingest committed, but the lake could not be read back: ${(error as Error).message}\nrun \`sparkify-lake query --lake ${lakeDir} "SELECT 1"\` to see whether the lake can be read`,
    );
    return 'failed';
  }
}

function kindsOf(only: string | undefined): readonly SourceKind[] {
  if (only === undefined) return ['song', 'log'];
  if (only === 'songs') return ['song'];
  if (only === 'logs') return ['log'];
  throw new UsageError(`--only takes songs or logs, not ${only}`);
}
