/**
 * How the command is run and what it says about Node (issue 12, items 6 and 10): no document and
 * no hint the command prints uses a form that can reach the npm registry for the tool itself, the
 * Node versions are stated honestly, and a warning nobody can act on is not printed.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/help.js';
import { REPO_ROOT } from '../support/paths.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

function filesUnder(folder: string, extension: string): string[] {
  return (readdirSync(join(REPO_ROOT, folder), { recursive: true }) as string[])
    .filter((path) => path.endsWith(extension))
    .map((path) => join(folder, path));
}

describe('invocation that never reaches the registry', () => {
  const texts = [
    'README.md',
    ...filesUnder('docs', '.md'),
    ...filesUnder('src', '.ts'),
    'bin/sparkify-lake.mjs',
    'package.json',
  ];

  it.each(texts)('%s never runs the tool through npx or npm exec', (path) => {
    expect(read(path)).not.toMatch(
      /(npx|npm exec)( --?[\w-]+)*( --)? sparkify-lake (ingest|query|compact|demo|generate|backfill|help)\b/,
    );
  });

  it('the README says how to run it and why not npx, with the exit codes and the conventions', () => {
    const readme = read('README.md');
    expect(readme).toContain('node bin/sparkify-lake.mjs ingest <input-dir>');
    expect(readme).toContain('**Why not `npx sparkify-lake`.**');
    for (const topic of [
      '--help',
      'help <command>',
      '--version',
      'did you mean',
      'stdout',
      'stderr',
      'NO_COLOR',
      '--quiet',
    ])
      expect(readme).toContain(topic);
    expect(readme).toMatch(/\| 0 \| done \|/);
    expect(readme).toMatch(/\| 1 \| something failed/);
    expect(readme).toMatch(/\| 2 \| the command line is wrong/);
    expect(EXIT_CODES).toContain('0 done; 1 something failed');
  });
});

describe('Node versions', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; overrides: Record<string, string> };

  it('package.json and the README state the same supported versions, and this Node is one of them', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(read('README.md')).toContain('20.19+ on the 20 line, or 22.12+');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect((major === 20 && minor >= 19) || major > 22 || (major === 22 && minor >= 12)).toBe(true);
  });

  it('no installed package asks for a newer Node than package.json promises (npm ci warned EBADENGINE)', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> };
    const tooNew = Object.entries(lock.packages)
      .filter(([, entry]) => /^>=\s*(2[1-9]|[3-9]\d)/.test(entry.engines?.node ?? ''))
      .map(([name, entry]) => `${name} ${entry.engines?.node}`);
    expect(tooNew).toEqual([]);
  });

  it('backfill prints no AWS SDK Node-version warning (through the real launcher, against a closed local port)', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Every AWS call goes to a port nothing listens on: refused at once, nothing leaves the machine.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const queue = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;
    const run = await promisify(execFile)(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'sparkify-lake.mjs'),
        'backfill',
        '--bucket',
        'landing',
        '--song-queue-url',
        queue('songs'),
        '--log-queue-url',
        queue('logs'),
      ],
      { cwd: REPO_ROOT, env },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ECONNREFUSED 127.0.0.1:9');
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
