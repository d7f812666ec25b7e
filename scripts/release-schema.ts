/**
 * `npm run schema:release`: records the schema of src/domain/tables.ts as released, in
 * src/domain/released-schema.json. Run it when a schema change ships (after `cdk deploy`); from then
 * on test/domain/schema-evolution.test.ts refuses any change to it but new columns at the end.
 */
import { writeFileSync } from 'node:fs';
import { breakingChanges, currentSchema, renderSnapshot } from '../src/domain/schema-evolution.js';
import released from '../src/domain/released-schema.json' with { type: 'json' };
import type { SchemaSnapshot } from '../src/domain/schema-evolution.js';

const problems = breakingChanges(released as SchemaSnapshot, currentSchema());
if (problems.length > 0 && !process.argv.includes('--allow-breaking')) {
  console.error(`refusing to release a schema that breaks the released one:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
writeFileSync(new URL('../src/domain/released-schema.json', import.meta.url), renderSnapshot(currentSchema()));
console.log('wrote src/domain/released-schema.json');
