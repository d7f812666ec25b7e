/**
 * What makes a folder a lake this tool made, and the only way the tool ever deletes a folder.
 *
 * Every lake folder carries a marker file written by the command that created it. A command that
 * clears a folder (`demo` starts from a fresh lake) deletes it only when the marker says that very
 * command made it, and never the current directory, one of its parents, the home directory or a
 * git work tree, whatever the marker says: a wrong `--lake` must not be able to cost anyone data.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, parse, relative, resolve, sep } from 'node:path';

export const LAKE_MARKER_FILE = '.sparkify-lake';

/** Which command made the lake: `demo` lakes are replaced by the next demo, `ingest` lakes never. */
export type LakePurpose = 'demo' | 'ingest';

export interface LakeMarker {
  readonly tool: 'sparkify-lake';
  readonly purpose: LakePurpose;
  readonly createdAt: string;
}

/** A folder the tool refuses to clear, with the reason in words a user can act on. */
export class RefusedToClearError extends Error {}

export async function readLakeMarker(lakeDir: string): Promise<LakeMarker | undefined> {
  let text: string;
  try {
    text = await readFile(join(lakeDir, LAKE_MARKER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw error;
  }
  try {
    const marker = JSON.parse(text) as Partial<LakeMarker>;
    if (marker.tool === 'sparkify-lake' && (marker.purpose === 'demo' || marker.purpose === 'ingest'))
      return marker as LakeMarker;
  } catch {
    // fall through: a marker we cannot read is treated as no marker
  }
  return undefined;
}

/** Creates the folder if needed and marks it as a lake, keeping the purpose of an existing marker. */
export async function markLakeFolder(lakeDir: string, purpose: LakePurpose): Promise<LakeMarker> {
  const existing = await readLakeMarker(lakeDir);
  if (existing) return existing;
  await mkdir(lakeDir, { recursive: true });
  const marker: LakeMarker = { tool: 'sparkify-lake', purpose, createdAt: new Date().toISOString() };
  await writeFile(join(lakeDir, LAKE_MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
  return marker;
}

/**
 * Deletes `lakeDir` so that `purpose` can start afresh, or throws RefusedToClearError without
 * deleting anything. A missing or empty folder is fine; anything else must carry a marker of the
 * same purpose and be none of the folders no tool should ever delete.
 */
export async function clearLakeFolder(
  lakeDir: string,
  purpose: LakePurpose,
  cwd: string = process.cwd(),
): Promise<void> {
  const target = resolve(cwd, lakeDir);
  if (!existsSync(target)) return;
  const real = await realpath(target);
  await refuseProtectedFolder(real, await realpath(cwd));
  const entries = await readdir(real).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR')
      throw new RefusedToClearError(`${target} is a file, not a lake folder: choose another --lake`);
    throw error;
  });
  if (entries.length === 0) return;
  const marker = await readLakeMarker(real);
  if (!marker) {
    throw new RefusedToClearError(
      `${target} is not empty and is not a lake made by sparkify-lake (no ${LAKE_MARKER_FILE} in it); nothing was deleted. ` +
        'Choose an empty or new folder with --lake, or move its contents away yourself.',
    );
  }
  if (marker.purpose !== purpose) {
    throw new RefusedToClearError(
      `${target} holds a lake made by \`sparkify-lake ${marker.purpose}\`, which \`${purpose}\` never replaces; nothing was deleted. ` +
        'Choose another folder with --lake, or delete that lake yourself if you no longer need it.',
    );
  }
  await rm(real, { recursive: true, force: true });
}

async function refuseProtectedFolder(real: string, realCwd: string): Promise<void> {
  const refuse = (why: string): never => {
    throw new RefusedToClearError(
      `refusing to delete ${real}: ${why}; nothing was deleted. Choose another folder with --lake.`,
    );
  };
  if (real === parse(real).root) refuse('it is the root of the file system');
  const home = await realpath(homedir()).catch(() => resolve(homedir()));
  if (real === home) refuse('it is your home directory');
  if (real === realCwd) refuse('it is the current directory');
  if (isInside(realCwd, real)) refuse('the current directory is inside it');
  if (existsSync(join(real, '.git'))) refuse('it is a git work tree');
}

/** True when `inner` lies strictly inside `outer`. */
function isInside(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
