/**
 * S3 requests per song file at the stack's settings: the song worker's handler over every song
 * file of the dataset, in SQS batches of the stack's batch size, every request to the landing
 * bucket and the lake counted as S3 bills it. A count, not a timing: the machine's load does not
 * change it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { runChild } from '../fork.js';
import { out, section } from '../output.js';
import type { BatchRequests, RequestsResult } from '../protocol.js';
import { totalRequests, type RequestCounts } from '../stores.js';
import { fmtInt, median, percentile, table } from '../support.js';
import { lakeOf, type BenchContext } from './context.js';

export interface RequestsReport {
  readonly batchSize: number;
  readonly fileConcurrency: number;
  readonly songFiles: number;
  readonly source: RequestCounts;
  readonly lake: RequestCounts;
  /** All requests (the GET of each source file included) ÷ song files. */
  readonly perSongFile: number;
  readonly batches: number;
  readonly partitionsPerBatch: { readonly min: number; readonly p50: number; readonly max: number };
}

/** Target of issue 9: at most 1.5 S3 requests per song file on average. */
export const REQUESTS_PER_SONG_FILE_TARGET = 1.5;

export async function requestsSection(context: BenchContext): Promise<RequestsReport> {
  section(
    'S3 requests per song file at the stack’s settings (song worker handler, counting store; a count, not a timing)',
  );
  const lakeDir = lakeOf(context, 'requests');
  await rm(lakeDir, { recursive: true, force: true });
  await mkdir(lakeDir, { recursive: true });
  const { result } = await runChild(context.repoRoot, { mode: 'requests', dataDir: context.data.dir, lakeDir });
  if (result.failures.length > 0)
    throw new Error(`song handler: ${result.failures.length} messages failed, e.g. ${result.failures[0]}`);
  const report = summarise(result);
  printRequests(report, result);
  return report;
}

function summarise(result: RequestsResult): RequestsReport {
  const partitions = result.batches.map((batch) => batch.songPartitions);
  return {
    batchSize: result.batchSize,
    fileConcurrency: result.fileConcurrency,
    songFiles: result.songFiles,
    source: result.source,
    lake: result.lake,
    perSongFile: (totalRequests(result.source) + totalRequests(result.lake)) / result.songFiles,
    batches: result.batches.length,
    partitionsPerBatch: { min: Math.min(...partitions), p50: median(partitions), max: Math.max(...partitions) },
  };
}

function printRequests(report: RequestsReport, result: RequestsResult): void {
  const row = (name: string, c: RequestCounts) => [
    name,
    fmtInt(c.GET),
    fmtInt(c.PUT),
    fmtInt(c.LIST),
    fmtInt(c.DELETE),
    fmtInt(totalRequests(c)),
    (totalRequests(c) / report.songFiles).toFixed(3),
  ];
  const all: RequestCounts = {
    GET: report.source.GET + report.lake.GET,
    PUT: report.source.PUT + report.lake.PUT,
    LIST: report.source.LIST + report.lake.LIST,
    DELETE: report.source.DELETE + report.lake.DELETE,
  };
  out(
    `  ${fmtInt(report.songFiles)} song files in ${report.batches} invocations of up to ${fmtInt(report.batchSize)} messages, fileConcurrency ${report.fileConcurrency} (lib/settings.ts)`,
  );
  out(
    table([
      ['store', 'GET', 'PUT', 'LIST', 'DELETE', 'all', 'per song file'],
      row('landing (source)', report.source),
      row('lake', report.lake),
      row('both', all),
    ]),
  );
  out(
    `  requests per song file: ${report.perSongFile.toFixed(3)}  (target ≤ ${REQUESTS_PER_SONG_FILE_TARGET}; the GET of the source included)`,
  );
  out(batchDistribution(result.batches, report));
  out(
    '  Glue BatchCreatePartition calls (only for partitions new to a warm container) and SQS calls are not S3 requests and are not counted.',
  );
}

function batchDistribution(batches: readonly BatchRequests[], report: RequestsReport): string {
  const puts = batches.map((batch) => batch.counts.PUT);
  const files = batches.map((batch) => batch.files);
  return [
    `  base_songs partitions per batch (one PUT each): min ${report.partitionsPerBatch.min}, median ${report.partitionsPerBatch.p50}, max ${report.partitionsPerBatch.max};` +
      ` lake PUTs per batch: median ${median(puts)}, p95 ${percentile(puts, 95)}; files per batch: median ${median(files)}, min ${Math.min(...files)}`,
    `  per batch: ${batches.length <= 20 ? batches.map((b) => `${b.files} files → ${b.counts.PUT} PUTs`).join('; ') : `${batches.length} batches (see --report)`}`,
  ].join('\n');
}
