/**
 * What `ingest` prints: the summary (stdout), and the files that could not be processed (stderr),
 * bounded, grouped by cause, with advice that fits the cause: running again fixes a passing
 * problem, not a permission.
 */
import type { FileFailure, IngestSummary } from '../local/ingest.js';
import type { SkippedFile } from '../local/input-files.js';

/** Lines listed per kind of problem before "… and N more". */
export const LISTED = 20;

export function renderSummary(summary: IngestSummary): string {
  const lines = [
    `Ingested ${summary.files} files (${(summary.bytesRead / 1e6).toFixed(1)} MB) in ${summary.seconds.toFixed(1)} s` +
      (summary.files > 0
        ? `: ${Object.entries(summary.byStatus)
            .filter(([, count]) => count > 0)
            .map(([status, count]) => `${count} ${status}`)
            .join(', ')}`
        : ''),
    `Log events read: ${summary.logEvents.all} (${summary.logEvents.nextSong} NextSong)`,
    `Rows written: ${
      Object.entries(summary.rowsWritten)
        .map(([table, rows]) => `${table} ${rows}`)
        .join(', ') || 'none'
    } (${summary.objectsWritten} Parquet object${summary.objectsWritten === 1 ? '' : 's'}, the ledger's included)`,
  ];
  if (summary.rescuedFields > 0) {
    lines.push(
      `Fields the schema does not know: ${summary.rescuedFields}, kept in the rescued_data column (see docs/TABLES.md)`,
    );
  }
  if (summary.removed.length > 0) {
    lines.push(`Removed from the lake (no longer in the input folder): ${summary.removed.length}`);
    lines.push(...bounded(summary.removed.map((key) => `  ${key}`)));
  }
  lines.push(...renderSkipped(summary.skipped));
  if (summary.rejects.length > 0) {
    lines.push(`Set aside (${summary.rejects.length}; query them with: SELECT * FROM rejects):`);
    lines.push(...bounded(summary.rejects.map((reject) => `  ${reject.source_key}: ${reject.reason}`)));
  }
  return lines.join('\n');
}

export function renderSkipped(skipped: readonly SkippedFile[]): string[] {
  if (skipped.length === 0) return [];
  return [
    `Skipped ${skipped.length} file(s), not read:`,
    ...bounded(skipped.map((file) => `  ${file.key}: ${file.reason}`)),
  ];
}

/** The failures for stderr: how many, each cause with its advice, then the first files. */
export function renderFailures(failures: readonly FileFailure[]): string {
  const byCause = new Map<string, number>();
  for (const failure of failures) {
    const cause = causeOf(failure.error);
    byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  }
  const lines = [`FAILED: ${failures.length} file(s) could not be processed.`];
  for (const [cause, count] of byCause) lines.push(`  ${count} × ${ADVICE[cause] ?? ADVICE.other}`);
  lines.push(...bounded(failures.map((failure) => `  ${failure.sourceKey}: ${failure.error}`)));
  return lines.join('\n');
}

/** The system error code a failure's message starts with (`EACCES: permission denied, …`), if any. */
function causeOf(message: string): string {
  const code = /^(E[A-Z]+)\b/.exec(message)?.[1];
  return code && code in ADVICE ? code : 'other';
}

const PERMISSION =
  'permission denied: this user may not write to the lake folder. Fix its owner or permissions; running again will not help until then.';

const ADVICE: Record<string, string> = {
  EACCES: PERMISSION,
  EPERM: PERMISSION,
  EROFS: 'the lake is on a read-only file system: choose another --lake.',
  ENOSPC: 'the disk is full: free some space, then run again (files already in the lake are not redone).',
  EMFILE: 'too many open files: run again with a lower --concurrency.',
  ENOTDIR:
    'a file stands where the lake needs a folder: the lake folder was changed by hand; use a new --lake or restore it.',
  EEXIST:
    'a file stands where the lake needs a folder: the lake folder was changed by hand; use a new --lake or restore it.',
  EISDIR:
    'a folder stands where the lake needs a file: the lake folder was changed by hand; use a new --lake or restore it.',
  other: 'could not be processed: run again to retry them (files already in the lake are not redone).',
};

function bounded(lines: readonly string[]): string[] {
  return lines.length <= LISTED ? [...lines] : [...lines.slice(0, LISTED), `  … and ${lines.length - LISTED} more`];
}
