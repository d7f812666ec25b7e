/**
 * The layout is the architecture (docs/ARCHITECTURE.md): every folder is on the README's map, and
 * the imports follow the documented layering, so a newcomer who reads the map is not misled.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const trackedFiles = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

/** The backticked paths of the README's layout table (`| \`src/domain/\` | … |`). */
function mappedPaths(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  return readme
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] as string));
}

/** Relative imports of each TypeScript file under `folder`, resolved to repository paths. */
function importsUnder(folder: string): { file: string; target: string }[] {
  return trackedFiles
    .filter((file) => file.startsWith(folder) && file.endsWith('.ts'))
    .flatMap((file) => {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => ({
        file,
        target: join(file, '..', match[1] as string),
      }));
    });
}

describe('the README map', () => {
  it('names every top-level folder and every folder of src/', () => {
    const folders = new Set<string>();
    for (const file of trackedFiles) {
      const parts = file.split('/');
      if (parts.length < 2) continue;
      folders.add(`${parts[0]}/`);
      if (parts[0] === 'src' && parts.length > 2) folders.add(`src/${parts[1]}/`);
    }
    const mapped = mappedPaths();
    const missing = [...folders].filter(
      (folder) => !mapped.some((path) => path === folder || path.startsWith(folder) || folder.startsWith(path)),
    );
    expect(missing).toEqual([]);
    expect(folders.size).toBeGreaterThan(10);
  });
});

describe('the layering', () => {
  it('the CDK constructs (lib/) never import the Lambda composition roots (lambdas/)', () => {
    expect(importsUnder('lib/').filter(({ target }) => target.startsWith('lambdas/'))).toEqual([]);
  });

  it('the domain code (src/domain/) imports only itself and Node built-ins', () => {
    const imports = importsUnder('src/domain/');
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter(({ target }) => !target.startsWith('src/domain/'))).toEqual([]);
  });

  it('the contract shared by the stack and the functions (src/contract/) imports only the domain code', () => {
    const imports = importsUnder('src/contract/');
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(({ target }) => !target.startsWith('src/domain/'))).toEqual([]);
  });

  it('only the local Athena (src/athena-local/) reaches into the stack or the workers from src/', () => {
    const outward = importsUnder('src/').filter(
      ({ file, target }) =>
        !file.startsWith('src/athena-local/') && (target.startsWith('lib/') || target.startsWith('lambdas/')),
    );
    expect(outward).toEqual([]);
  });
});
