/**
 * The local run: every landing file under an input folder goes through the same batch code as the
 * Lambda workers, into a lake folder. Incremental: the ledger says which files are already current
 * (same bytes, same rules), and only new or changed files are written; with `mirror`, files that
 * left the input folder leave the lake too.
 */
import { sourceKindOf, type SourceKind } from '../domain/layout.js';
import type { RejectRow } from '../domain/rows.js';
import type { BaseTableName } from '../domain/tables.js';
import { localSequencerClock } from '../domain/versions.js';
import { entryOf, Ledger } from '../pipeline/ledger.js';
import { processBatch, type FileOutcome, type FileStatus, type LandingEvent } from '../pipeline/process-batch.js';
import { boundedChunks } from '../pipeline/work-limits.js';
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
  /** Files read and transformed at once. */
  readonly concurrency?: number;
  /** Remove from the lake the files of these kinds that are no longer in the input folder. */
  readonly mirror?: boolean;
  /** Bounds of one batch (one Parquet object per partition each): files, and bytes of input. */
  readonly batchFiles?: number;
  readonly batchBytes?: number;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/**
 * A local batch holds up to 5,000 files or 16 MiB of input: few enough objects that a fresh lake
 * answers its first query fast (a catalogue of 15,000 one-song files becomes a few hundred
 * objects, not 15,000), and a bounded amount of encoded Parquet held in memory until it is written.
 */
export const LOCAL_BATCH_FILES = 5_000;
export const LOCAL_BATCH_BYTES = 16 * 1024 * 1024;

export interface FileFailure {
  readonly sourceKey: string;
  readonly error: string;
}

export interface IngestSummary {
  readonly files: number;
  readonly byStatus: Readonly<Record<Exclude<FileStatus, 'failed'>, number>>;
  readonly rowsWritten: Readonly<Partial<Record<BaseTableName, number>>>;
  readonly bytesRead: number;
  /** Log events read (valid JSON lines, any page) and how many of them were NextSong events. */
  readonly logEvents: { readonly all: number; readonly nextSong: number };
  /** Fields the schema does not know, kept in rescued_data (nothing the app sends is dropped). */
  readonly rescuedFields: number;
  readonly rejects: readonly RejectRow[];
  /** Files that could not be processed at all (I/O errors, bugs): the only cause of a non-zero exit. */
  readonly failures: readonly FileFailure[];
  /** Lake objects written (Parquet files, ledger included). */
  readonly objectsWritten: number;
  /** Landing keys whose rows left the lake because the file left the input folder (`mirror`). */
  readonly removed: readonly string[];
  /** Files under song_data/ and log_data/ that were not read (not .json/.json.gz, symlinks), and why. */
  readonly skipped: readonly SkippedFile[];
  readonly seconds: number;
}

export async function ingestFolder(
  inputDir: string,
  lakeDir: string,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const started = performance.now();
  const source = new FsObjectStore(inputDir);
  const lake = new FsObjectStore(lakeDir);
  await markLakeFolder(lakeDir, 'ingest');
  const kinds = options.kinds ?? (['song', 'log'] as const);
  const ledger = await Ledger.read(lake);
  const { files, skipped } = await findInputFiles(inputDir, kinds);
  const inputs = [...files];
  if (options.mirror) {
    const present = new Set(inputs.map((input) => input.key));
    for (const key of ledger.presentKeys()) {
      const kind = sourceKindOf(key);
      if (kind && kinds.includes(kind) && !present.has(key)) inputs.push({ key, size: 0 });
    }
  }

  const nextSeq = localSequencerClock();
  const outcomes: FileOutcome[] = [];
  const failures: FileFailure[] = [];
  let objectsWritten = 0;
  let done = 0;
  for (const batch of boundedChunks(
    inputs,
    options.batchFiles ?? LOCAL_BATCH_FILES,
    options.batchBytes ?? LOCAL_BATCH_BYTES,
  )) {
    const events: LandingEvent[] = batch.map((input) => ({ key: input.key, seq: nextSeq() }));
    try {
      const result = await processBatch(
        events,
        { source, lake },
        {
          concurrency: options.concurrency ?? 8,
          currentContent: (key) => ledger.currentContent(key),
          onFile: (outcome) => options.onProgress?.({ done: ++done, total: inputs.length, current: outcome.sourceKey }),
        },
      );
      ledger.apply(result.committed.map((row) => entryOf(row, row.source, lakeDir)));
      objectsWritten += result.objectsWritten.length;
      for (const outcome of result.outcomes) {
        if (outcome.status === 'failed')
          failures.push({ sourceKey: outcome.sourceKey, error: outcome.error?.message ?? 'unknown error' });
        else outcomes.push(outcome);
      }
    } catch (error) {
      // The batch could not be written or committed: none of its files made it into the lake.
      for (const input of batch) failures.push({ sourceKey: input.key, error: (error as Error).message });
    }
  }
  return {
    ...summarise(inputs.length, outcomes, failures, objectsWritten, (performance.now() - started) / 1000),
    skipped,
  };
}

function summarise(
  files: number,
  outcomes: readonly FileOutcome[],
  failures: readonly FileFailure[],
  objectsWritten: number,
  seconds: number,
): Omit<IngestSummary, 'skipped'> {
  const byStatus: Record<Exclude<FileStatus, 'failed'>, number> = {
    processed: 0,
    rejected: 0,
    unchanged: 0,
    removed: 0,
    ignored: 0,
  };
  const rowsWritten: Partial<Record<BaseTableName, number>> = {};
  const rejects: RejectRow[] = [];
  let bytesRead = 0;
  const logEvents = { all: 0, nextSong: 0 };
  let rescuedFields = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') continue;
    byStatus[outcome.status] += 1;
    bytesRead += outcome.bytesRead;
    logEvents.all += outcome.logStats?.events ?? 0;
    logEvents.nextSong += outcome.logStats?.nextSongEvents ?? 0;
    rejects.push(...outcome.rejects);
    rescuedFields += outcome.rescuedFields;
    for (const [table, rows] of Object.entries(outcome.rows) as [BaseTableName, number][]) {
      rowsWritten[table] = (rowsWritten[table] ?? 0) + rows;
    }
  }
  rejects.sort((a, b) => a.source_key.localeCompare(b.source_key) || (a.line ?? 0) - (b.line ?? 0));
  const removed = outcomes
    .filter((outcome) => outcome.status === 'removed')
    .map((outcome) => outcome.sourceKey)
    .sort();
  return {
    files,
    byStatus,
    rowsWritten,
    bytesRead,
    logEvents,
    rescuedFields,
    rejects,
    failures,
    objectsWritten,
    removed,
    seconds,
  };
}
