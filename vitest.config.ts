import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Synth, DuckDB and the local S3 server each take a few seconds on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/athena-local/**'] } },
      {
        extends: true,
        test: {
          // Trino and moto (the local Athena), started once for these files by the global setup, which
          // fails the run when the engines are not installed (npm run engines:install). Vitest runs a
          // project's global setup only when one of its files is selected.
          name: 'athena-local',
          include: ['test/athena-local/**/*.test.ts'],
          globalSetup: ['test/athena-local/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
