#!/usr/bin/env node
// The `sparkify-lake` command. Runs the TypeScript sources directly through tsx, so a fresh clone
// needs no build step before `node bin/sparkify-lake.mjs …` or `npm start`. (Not `npx
// sparkify-lake`: outside the repository npx asks the npm registry for a package of that name.)
import { register } from 'tsx/esm/api';

// The AWS SDK warns, on every run under Node 20, that its releases after January 2027 will need
// Node 22. Nothing a user of this command can act on today (README: Node versions), so it is off
// unless the user set the variable themselves.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
