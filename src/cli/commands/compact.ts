import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { compactLake, DEFAULT_COMPACTION } from '../../pipeline/compact.js';
import { checkLakeWritable } from '../../local/lake-check.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { QUIET_OPTION } from '../options.js';
import { openLakeToRead, sweepLeftovers } from '../lake-paths.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const COMPACT_USAGE = `sparkify-lake compact --lake <dir> [--target-mb N] [--min-files N] [--grace-minutes N] [-q]
  Rewrites each partition's small Parquet files into few large, sorted ones and drops rows no table
  shows any more (what the scheduled compaction worker does in AWS). Safe to run at any time, also
  while queries run: a replaced file is deleted only by a run at least --grace-minutes (default 10)
  after it was replaced, so a query that already listed it can still read it. Temporary files left
  by an interrupted run are removed first.`;

/** Local queries last seconds, not the hour Athena's may: a shorter grace than the stack's. */
const LOCAL_GRACE_MINUTES = 10;

export const COMPACT_OPTIONS = {
  lake: { type: 'string' },
  'target-mb': { type: 'string' },
  'min-files': { type: 'string' },
  'grace-minutes': { type: 'string' },
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
  const graceMinutes = nonNegative(values['grace-minutes'], LOCAL_GRACE_MINUTES, '--grace-minutes');
  const options = {
    ...DEFAULT_COMPACTION,
    targetFileBytes: targetMb * 1024 * 1024,
    minFiles,
    retiredGraceMs: graceMinutes * 60_000,
  };
  const run = await compactLake(new FsObjectStore(lakeDir), options, (group) =>
    io.out(
      `${group.partition}: merged ${group.filesMerged} files (${kib(group.bytesMerged)}) into ${group.rows > 0 ? `one of ${kib(group.bytesWritten)}` : 'none'}, ${group.rows} rows` +
        (group.droppedRows > 0 ? `, ${group.droppedRows} rows no table shows any more dropped` : ''),
    ),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.out(
    `Merged ${run.groups.length} group(s) of files in ${seconds} s; deleted ${run.filesDeleted} file(s) replaced more than ${graceMinutes} minute(s) ago.`,
  );
  return 0;
}

function nonNegative(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} must be a whole number of minutes`);
  return value;
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
