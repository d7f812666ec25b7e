import { parseArgs } from 'node:util';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANALYST_QUERIES } from '../../domain/analyst-queries.js';
import { clearLakeFolder, markLakeFolder, RefusedToClearError } from '../../local/lake-folder.js';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { renderTable } from '../format.js';
import type { CommandIo } from '../usage-error.js';
import { runIngest } from './ingest.js';

export const DEMO_USAGE = `sparkify-lake demo [--lake ./lake] [--input data/sample]
  What \`npm start\` runs: ingests the bundled sample into a fresh lake folder and prints the answers
  to the analysts' standard questions (the same SQL as the Athena named queries). It replaces only a
  lake an earlier demo made: any other non-empty folder is refused, and nothing is deleted.`;

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function demoCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { lake: { type: 'string', default: 'lake' }, input: { type: 'string', default: join(REPO_ROOT, 'data', 'sample') } },
  });
  const lakeDir = resolve(values.lake);
  const inputDir = resolve(values.input);
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
  const summary = await runIngest(inputDir, lakeDir, io, { showLakeCounts: false });
  await withLakeSql(lakeDir, new FsObjectStore(lakeDir), async (sql) => {
    for (const query of ANALYST_QUERIES) {
      io.out(`\n== ${query.title} [${query.name}]\n${renderTable(await sql.query(query.sql))}`);
    }
  });
  io.out(`\nExplore further: npx sparkify-lake query --lake ${values.lake} "SELECT * FROM users LIMIT 5"`);
  return summary.failures.length > 0 ? 1 : 0;
}
