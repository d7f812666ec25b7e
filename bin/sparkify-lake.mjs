#!/usr/bin/env node
// The `sparkify-lake` command. Runs the TypeScript sources directly through tsx, so a fresh clone
// needs no build step before `npx sparkify-lake` or `npm start`.
import { register } from 'tsx/esm/api';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
