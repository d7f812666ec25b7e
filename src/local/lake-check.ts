/**
 * Is this folder a lake? Checked before reading one (query, compact) and before writing one
 * (ingest), so that a wrong `--lake` is an error that says so instead of an empty answer, or lake
 * folders scattered into a folder that holds something else.
 *
 * A lake is a folder with the `.sparkify-lake` marker, or, for lakes made before markers existed,
 * one that holds a base table folder.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sourcePrefix } from '../domain/layout.js';
import { BASE_TABLES } from '../domain/tables.js';
import { LAKE_MARKER_FILE, readLakeMarker } from './lake-folder.js';
import { TEMPORARY_FOLDER } from '../storage/fs-store.js';

/** The folder given as a lake cannot be used as one; the message says what to do. */
export class NotALakeError extends Error {}

/** The lake folder exists but this process cannot write to it. */
export class LakeNotWritableError extends Error {}

const MAKE_ONE = (lakeDir: string) => `make one with \`sparkify-lake ingest <input-dir> --lake ${lakeDir}\``;

/** True for a marked lake and for a lake made before markers (it holds a base table folder). */
export async function isLake(lakeDir: string): Promise<boolean> {
  if (await readLakeMarker(lakeDir)) return true;
  for (const table of BASE_TABLES) if (await isFolder(join(lakeDir, table.name))) return true;
  return false;
}

/** Throws NotALakeError unless `lakeDir` is a lake to read from. */
export async function checkLakeToRead(lakeDir: string): Promise<void> {
  const entries = await entriesOf(lakeDir);
  if (entries === undefined) throw new NotALakeError(`no lake at ${lakeDir}: ${MAKE_ONE(lakeDir)}`);
  if (await isLake(lakeDir)) return;
  if (entries.length === 0) throw new NotALakeError(`${lakeDir} is an empty folder, not a lake: ${MAKE_ONE(lakeDir)}`);
  throw new NotALakeError(`${lakeDir} is not a lake: ${whatItIs(entries)}`);
}

/**
 * Throws NotALakeError unless ingest may write a lake into `lakeDir`: a new or empty folder, or a
 * lake. Anything else is someone's folder, and ingest would scatter table folders into it.
 */
export async function checkLakeToWrite(lakeDir: string): Promise<void> {
  const entries = await entriesOf(lakeDir);
  if (entries === undefined || entries.length === 0 || (await isLake(lakeDir))) return;
  throw new NotALakeError(
    `${lakeDir} is not empty and is not a lake (${whatItIs(entries)}); nothing was written. ` +
      'Give --lake a new or empty folder, or a lake made by sparkify-lake.',
  );
}

/**
 * Writes and removes a probe file in the lake's temporary folder: a lake that cannot be written
 * fails here, once, with the reason, instead of once per input file.
 */
export async function checkLakeWritable(lakeDir: string): Promise<void> {
  const folder = join(lakeDir, TEMPORARY_FOLDER);
  const probe = join(folder, `probe-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? "permission denied: this user may not write there. Fix the folder's owner or permissions, or choose another --lake"
        : code === 'EROFS'
          ? 'the file system is mounted read-only: choose another --lake'
          : code === 'ENOSPC'
            ? 'the disk is full: free some space and run again'
            : (error as Error).message;
    throw new LakeNotWritableError(
      `cannot write to the lake folder ${lakeDir} (${code}): ${why}. Nothing was written.`,
    );
  }
}

function whatItIs(entries: readonly string[]): string {
  const landing = ['song', 'log']
    .map((kind) => sourcePrefix(kind as 'song' | 'log').slice(0, -1))
    .filter((name) => entries.includes(name));
  if (landing.length > 0) {
    return `it holds ${landing.map((name) => `${name}/`).join(' and ')}, so it looks like an input folder: ingest it with \`sparkify-lake ingest <that folder> --lake <new folder>\`, then query the new folder`;
  }
  const tables = BASE_TABLES.map((table) => `${table.name}/`).join(', ');
  return `it has no ${LAKE_MARKER_FILE} marker and none of the table folders ${tables}`;
}

/** The names in the folder; undefined when there is no such folder. A file is not a lake either. */
async function entriesOf(lakeDir: string): Promise<string[] | undefined> {
  const info = await stat(lakeDir).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) throw new NotALakeError(`${lakeDir} is a file, not a lake folder`);
  return readdir(lakeDir);
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
