import { parseArgs } from 'node:util';
import { resolve, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANALYST_QUERIES } from '../../domain/analyst-queries.js';
import { clearLakeFolder, markLakeFolder, RefusedToClearError } from '../../local/lake-folder.js';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { renderTable } from '../format.js';
import { checkInput } from '../lake-paths.js';
import { QUIET_OPTION } from '../options.js';
import type { CommandIo } from '../usage-error.js';
import { runIngest } from './ingest.js';

export const DEMO_USAGE = `sparkify-lake demo [--lake ./lake] [--input data/sample] [-q]
  What \`npm start\` runs: ingests the bundled sample into a fresh lake folder and prints the answers
  to the analysts' standard questions (the same SQL as the Athena named queries). It replaces only a
  lake an earlier demo made: any other non-empty folder is refused, and nothing is deleted.`;

export const DEMO_OPTIONS = {
  lake: { type: 'string', default: 'lake' },
  input: { type: 'string' },
  ...QUIET_OPTION,
} as const;

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LAUNCHER = join(REPO_ROOT, 'bin', 'sparkify-lake.mjs');

export async function demoCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: DEMO_OPTIONS });
  const lakeDir = resolve(values.lake);
  const inputDir = resolve(values.input ?? join(REPO_ROOT, 'data', 'sample'));
  await checkInput(inputDir, ['song', 'log']);
  try {
    await clearLakeFolder(lakeDir, 'demo');
  } catch (error) {
    if (error instanceof RefusedToClearError) {
      io.err(`sparkify-lake demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
  await markLakeFolder(lakeDir, 'demo');
  io.out(`Ingesting ${inputDir} into a fresh lake at ${lakeDir}\n`);
  // The first standard question is the lake overview, so the summary need not print it too.
  const summary = await runIngest(inputDir, lakeDir, io, { showLakeCounts: false, quiet: values.quiet });
  await withLakeSql(lakeDir, new FsObjectStore(lakeDir), async (sql) => {
    for (const query of ANALYST_QUERIES) {
      io.out(`\n== ${query.title} [${query.name}]\n${renderTable(await sql.query(query.sql))}`);
    }
  });
  if (!values.quiet) io.err(`\nExplore further: ${exploreCommand(values.lake)}`);
  return summary.failures.length > 0 ? 1 : 0;
}

/**
 * A query command the user can paste as it is: the launcher by its path from here, never `npx`,
 * which outside the repository would ask the npm registry for a package of that name.
 */
function exploreCommand(lake: string): string {
  const launcher = relative(process.cwd(), LAUNCHER) || LAUNCHER;
  return `node ${shellWord(launcher)} query --lake ${shellWord(lake)} "SELECT * FROM users LIMIT 5"`;
}

function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
