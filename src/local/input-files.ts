/**
 * The landing files under a local input folder, checked: what `ingest` reads, what it skips and
 * why, and a clear error, with a hint, when the folder is not a landing folder at all (one level
 * too deep, one level too high, a typo). A skipped file is always named, never silently ignored.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sourceKindOf, sourcePrefix, type SourceKind } from '../domain/layout.js';
import type { ObjectInfo } from '../storage/object-store.js';

/** The input folder cannot be ingested as given; the message says what to give instead. */
export class InputFolderError extends Error {}

export interface SkippedFile {
  /** Path below the input folder, with `/` separators, like a landing key. */
  readonly key: string;
  readonly reason: string;
}

export interface InputFiles {
  /** Landing files to ingest (key and size), per kind in the order asked, each kind in key order. */
  readonly files: readonly ObjectInfo[];
  readonly skipped: readonly SkippedFile[];
}

const FOLDER_NAMES = (['song', 'log'] as const).map((kind) => sourcePrefix(kind).slice(0, -1));

/** Compressions other than gzip that landing files sometimes come in: named, not read. */
const OTHER_COMPRESSIONS = /\.(bz2|xz|zst|zstd|lz4|snappy|sz|zip|7z|tar|tgz|br|z)$/i;

/**
 * Throws InputFolderError unless `inputDir` holds the folder of every kind asked for (or, with
 * both kinds, at least one of them).
 */
export async function checkInputFolder(inputDir: string, kinds: readonly SourceKind[]): Promise<void> {
  const info = await stat(inputDir).catch(() => undefined);
  if (!info) throw new InputFolderError(`input folder ${inputDir} does not exist`);
  if (!info.isDirectory())
    throw new InputFolderError(`${inputDir} is a file: ingest takes the folder that holds song_data/ and log_data/`);
  const present = new Set<SourceKind>();
  for (const kind of kinds) if (await isFolder(join(inputDir, sourcePrefix(kind)))) present.add(kind);
  if (present.size === kinds.length || (kinds.length > 1 && present.size > 0)) return;
  const folders = kinds.map((kind) => sourcePrefix(kind));
  const missing = folders.length === 1 ? `no ${folders[0]} folder` : `neither ${folders.join(' nor ')}`;
  const hint = await hintFor(inputDir);
  throw new InputFolderError(
    `${inputDir} has ${missing} (ingest reads the .json and .json.gz files under <input-dir>/song_data/ and <input-dir>/log_data/).` +
      (hint ? ` ${hint}` : ''),
  );
}

/** Where the user probably meant: a parent folder for a path too deep, a child for one too high. */
async function hintFor(inputDir: string): Promise<string | undefined> {
  for (let folder = inputDir; dirname(folder) !== folder; folder = dirname(folder)) {
    const name = basename(folder);
    if ((FOLDER_NAMES as readonly string[]).includes(name)) {
      const where = folder === inputDir ? `It is a ${name}/ folder itself` : `It is inside a ${name}/ folder`;
      return `${where}: did you mean the parent folder ${dirname(folder)}?`;
    }
  }
  const children = await readdir(inputDir, { withFileTypes: true }).catch(() => []);
  for (const child of children.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!child.isDirectory()) continue;
    for (const name of FOLDER_NAMES) {
      if (await isFolder(join(inputDir, child.name, name))) return `Did you mean ${join(inputDir, child.name)}?`;
    }
  }
  return undefined;
}

/**
 * Every file under the kinds' folders: `.json` and `.json.gz` files are ingested; anything else is
 * skipped with its reason. Symbolic links below the kind folders are not followed (a link can lead
 * outside the input or back into it): they are skipped and named, so the user can copy the files
 * or point ingest at the real folder.
 */
export async function findInputFiles(inputDir: string, kinds: readonly SourceKind[]): Promise<InputFiles> {
  const files: ObjectInfo[] = [];
  const skipped: SkippedFile[] = [];
  for (const kind of kinds) {
    const found: ObjectInfo[] = [];
    await walk(inputDir, sourcePrefix(kind).slice(0, -1), found, skipped);
    for (const file of found.sort((a, b) => byKey(a.key, b.key))) {
      const reason = skipReason(file.key, kind);
      if (reason) skipped.push({ key: file.key, reason });
      else files.push(file);
    }
  }
  return { files, skipped: skipped.sort((a, b) => byKey(a.key, b.key)) };
}

async function walk(root: string, relative: string, files: ObjectInfo[], skipped: SkippedFile[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, relative), { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries) {
    const key = `${relative}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, key, files, skipped);
    else if (entry.isFile()) files.push({ key, size: (await stat(join(root, key))).size });
    else if (entry.isSymbolicLink())
      skipped.push({
        key,
        reason: `symbolic link, not followed (to ${(await isFolder(join(root, key))) ? 'a folder' : 'a file'})`,
      });
    else skipped.push({ key, reason: 'not a regular file' });
  }
}

function skipReason(key: string, kind: SourceKind): string | undefined {
  if (sourceKindOf(key) === kind) return undefined;
  if (/\.gz$/i.test(key)) return 'gzip, but not a .json.gz file';
  if (OTHER_COMPRESSIONS.test(key)) return 'compressed (only .json.gz is read)';
  return 'not a .json or .json.gz file';
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The order FsObjectStore lists keys in (code units), so the run order does not change. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
