import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { compactLake, DEFAULT_COMPACTION } from '../../pipeline/compact.js';
import { checkLakeWritable } from '../../local/lake-check.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { QUIET_OPTION } from '../options.js';
import { openLakeToRead, sweepLeftovers } from '../lake-paths.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const COMPACT_USAGE = `sparkify-lake compact --lake <dir> [--target-mb N] [--min-files N] [-q]
  Rewrites each partition's small Parquet files into few large, sorted ones (what the scheduled
  compaction worker does in AWS). Safe to run at any time and to run again. Temporary files left
  by an interrupted run are removed first.`;

export const COMPACT_OPTIONS = {
  lake: { type: 'string' },
  'target-mb': { type: 'string' },
  'min-files': { type: 'string' },
  ...QUIET_OPTION,
} as const;

export async function compactCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: COMPACT_OPTIONS });
  if (!values.lake) throw new UsageError('compact needs --lake <dir>');
  const lakeDir = resolve(values.lake);
  const targetMb = positive(values['target-mb'], DEFAULT_COMPACTION.targetFileBytes / 1024 / 1024, '--target-mb');
  const minFiles = positive(values['min-files'], DEFAULT_COMPACTION.minFiles, '--min-files');
  await openLakeToRead(lakeDir);
  await checkLakeWritable(lakeDir);
  const started = performance.now();
  await sweepLeftovers(lakeDir, Date.now(), io, values.quiet);
  const results = await compactLake(new FsObjectStore(lakeDir), { ...DEFAULT_COMPACTION, targetFileBytes: targetMb * 1024 * 1024, minFiles }, (result) =>
    io.out(
      `${result.partition}: merged ${result.filesMerged} of ${result.filesBefore} files (${kib(result.bytesBefore)}) → ${result.filesAfter} (${kib(result.bytesAfter)}), ${result.rows} rows` +
        (result.droppedRows > 0 ? `, ${result.droppedRows} leftover rows dropped` : ''),
    ),
  );
  io.out(`Compacted ${results.length} partition(s) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer`);
  return value;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
