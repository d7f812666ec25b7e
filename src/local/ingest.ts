/**
 * The local run: every landing file under an input folder goes through the same per-file worker
 * code as in Lambda, into a lake folder. Incremental by construction: outputs are named after their
 * source, so a second run adds new files and rewrites (identically) the ones already there.
 */
import type { SourceKind } from '../domain/layout.js';
import type { BaseTableName } from '../domain/tables.js';
import type { RejectRow } from '../domain/rows.js';
import { processSourceObject, type FileOutcome, type FileStatus } from '../pipeline/process-source-object.js';
import { FsObjectStore } from '../storage/fs-store.js';
import { findInputFiles, type SkippedFile } from './input-files.js';
import { markLakeFolder } from './lake-folder.js';

export interface IngestProgress {
  readonly done: number;
  readonly total: number;
  readonly current: string;
}

export interface IngestOptions {
  /** Which kinds of landing file to take, in this order (default: songs, then logs). */
  readonly kinds?: readonly SourceKind[];
  /** Files processed at once. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: IngestProgress) => void;
}

export interface FileFailure {
  readonly sourceKey: string;
  readonly error: string;
}

export interface IngestSummary {
  readonly files: number;
  readonly byStatus: Readonly<Record<FileStatus, number>>;
  readonly rowsWritten: Readonly<Partial<Record<BaseTableName, number>>>;
  readonly bytesRead: number;
  /** Log events read (valid JSON lines, any page) and how many of them were NextSong events. */
  readonly logEvents: { readonly all: number; readonly nextSong: number };
  readonly rejects: readonly RejectRow[];
  /** Files that could not be processed at all (I/O errors, bugs): the only cause of a non-zero exit. */
  readonly failures: readonly FileFailure[];
  /** Files under song_data/ and log_data/ that were not read (not .json/.json.gz, symlinks), and why. */
  readonly skipped: readonly SkippedFile[];
  readonly seconds: number;
}

export async function ingestFolder(inputDir: string, lakeDir: string, options: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const source = new FsObjectStore(inputDir);
  const lake = new FsObjectStore(lakeDir);
  await markLakeFolder(lakeDir, 'ingest');
  const { keys, skipped } = await findInputFiles(inputDir, options.kinds ?? ['song', 'log']);
  const outcomes: FileOutcome[] = [];
  const failures: FileFailure[] = [];
  let done = 0;
  await forEachConcurrently(keys, options.concurrency ?? 4, async (key) => {
    try {
      outcomes.push(await processSourceObject(key, { source, lake }));
    } catch (error) {
      failures.push({ sourceKey: key, error: (error as Error).message });
    }
    options.onProgress?.({ done: ++done, total: keys.length, current: key });
  });
  return { ...summarise(keys.length, outcomes, failures, (performance.now() - started) / 1000), skipped };
}

function summarise(files: number, outcomes: readonly FileOutcome[], failures: readonly FileFailure[], seconds: number): Omit<IngestSummary, 'skipped'> {
  const byStatus: Record<FileStatus, number> = { processed: 0, rejected: 0, unchanged: 0, removed: 0, ignored: 0 };
  const rowsWritten: Partial<Record<BaseTableName, number>> = {};
  const rejects: RejectRow[] = [];
  let bytesRead = 0;
  const logEvents = { all: 0, nextSong: 0 };
  for (const outcome of outcomes) {
    byStatus[outcome.status] += 1;
    bytesRead += outcome.bytesRead;
    logEvents.all += outcome.logStats?.events ?? 0;
    logEvents.nextSong += outcome.logStats?.nextSongEvents ?? 0;
    rejects.push(...outcome.rejects);
    if (outcome.status === 'unchanged') continue;
    for (const [table, rows] of Object.entries(outcome.rows) as [BaseTableName, number][]) {
      rowsWritten[table] = (rowsWritten[table] ?? 0) + rows;
    }
  }
  rejects.sort((a, b) => a.source_key.localeCompare(b.source_key) || (a.line ?? 0) - (b.line ?? 0));
  return { files, byStatus, rowsWritten, bytesRead, logEvents, rejects, failures, seconds };
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}
