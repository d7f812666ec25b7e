import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_DIR = join(REPO_ROOT, 'data', 'sample');

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(label: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `sparkify-${label}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
