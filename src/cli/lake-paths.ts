/**
 * The checks on the folders a command is given, as the CLI reports them: a folder that is not what
 * the command needs is a usage error (exit 2, nothing done); a lake that cannot be written is a
 * failure (exit 1) reported once, before any work.
 */
import type { SourceKind } from '../domain/layout.js';
import { checkInputFolder, InputFolderError } from '../local/input-files.js';
import { checkLakeToRead, checkLakeToWrite, checkLakeWritable, NotALakeError } from '../local/lake-check.js';
import { FsObjectStore } from '../storage/fs-store.js';
import { UsageError, type CommandIo } from './usage-error.js';

export async function openLakeToRead(lakeDir: string): Promise<void> {
  await asUsageError(() => checkLakeToRead(lakeDir));
}

/** A folder ingest may write a lake into, and can: refuses someone else's folder, probes writing. */
export async function prepareLakeToWrite(lakeDir: string): Promise<void> {
  await asUsageError(() => checkLakeToWrite(lakeDir));
  await checkLakeWritable(lakeDir);
}

export async function checkInput(inputDir: string, kinds: readonly SourceKind[]): Promise<void> {
  await asUsageError(() => checkInputFolder(inputDir, kinds));
}

/** Removes what interrupted runs left in the lake's temporary folder (and old-style leftovers). */
export async function sweepLeftovers(
  lakeDir: string,
  runStartedMs: number,
  io: CommandIo,
  quiet: boolean,
): Promise<void> {
  const removed = await new FsObjectStore(lakeDir).sweepTemporaries(runStartedMs);
  if (removed > 0 && !quiet) io.err(`Removed ${removed} temporary file(s) left in the lake by an interrupted run.`);
}

async function asUsageError(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof NotALakeError || error instanceof InputFolderError) throw new UsageError(error.message);
    throw error;
  }
}
