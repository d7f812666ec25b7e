/** `npm run docs`: regenerates the docs that derive from the schema source. */
import { writeFileSync } from 'node:fs';
import { renderTableDocs } from '../src/docs/table-docs.js';

writeFileSync(new URL('../docs/TABLES.md', import.meta.url), renderTableDocs());
console.log('wrote docs/TABLES.md');
