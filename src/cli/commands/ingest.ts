import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ingestFolder, type IngestSummary } from '../../local/ingest.js';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { ANALYST_QUERIES } from '../../domain/analyst-queries.js';
import type { SourceKind } from '../../domain/layout.js';
import { renderSummary, renderTable } from '../format.js';
import { progressBar } from '../progress.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const INGEST_USAGE = `sparkify-lake ingest <input-dir> --lake <dir> [--only songs|logs] [--concurrency N] [--mirror]
  Processes every file under <input-dir>/song_data/ and <input-dir>/log_data/ into the lake folder,
  through the same code as the Lambda workers. Incremental: run it again with new or changed files
  to add them (unchanged files are skipped). With --mirror, files that are no longer in the input
  folder leave the lake too (off by default, so several input folders can feed one lake).`;

export async function ingestCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { lake: { type: 'string' }, only: { type: 'string' }, concurrency: { type: 'string' }, mirror: { type: 'boolean', default: false } },
  });
  const [inputDir, ...extra] = positionals;
  if (!inputDir || extra.length > 0) throw new UsageError('ingest needs exactly one <input-dir>');
  if (!values.lake) throw new UsageError('ingest needs --lake <dir>');
  if (!existsSync(inputDir)) throw new UsageError(`input folder ${inputDir} does not exist`);
  const kinds = kindsOf(values.only);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError('--concurrency must be a positive integer');
  const summary = await runIngest(resolve(inputDir), resolve(values.lake), io, { kinds, concurrency, mirror: values.mirror });
  return summary.failures.length > 0 ? 1 : 0;
}

export async function runIngest(
  inputDir: string,
  lakeDir: string,
  io: CommandIo,
  options: { kinds?: readonly SourceKind[]; concurrency?: number; mirror?: boolean; showLakeCounts?: boolean } = {},
): Promise<IngestSummary> {
  const bar = progressBar();
  const summary = await ingestFolder(inputDir, lakeDir, { ...options, onProgress: bar.update });
  bar.done();
  io.out(renderSummary(summary));
  if (options.showLakeCounts !== false) await printLakeCounts(lakeDir, io);
  return summary;
}

async function printLakeCounts(lakeDir: string, io: CommandIo): Promise<void> {
  const overview = ANALYST_QUERIES.find((query) => query.name === 'lake-overview');
  if (!overview || !existsSync(lakeDir)) return;
  try {
    const counts = await withLakeSql(lakeDir, new FsObjectStore(lakeDir), (sql) => sql.query(overview.sql));
    io.out(`The lake now holds:\n${renderTable(counts)}`);
  } catch (error) {
    io.err(`could not read the lake back: ${(error as Error).message}`);
  }
}

function kindsOf(only: string | undefined): readonly SourceKind[] | undefined {
  if (only === undefined) return undefined;
  if (only === 'songs') return ['song'];
  if (only === 'logs') return ['log'];
  throw new UsageError(`--only takes songs or logs, not ${only}`);
}
