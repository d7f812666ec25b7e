/**
 * The conventions of a command-line tool (issue 12, item 7): help per command, `help <command>`,
 * `--version`, "did you mean", errors on stderr and results on stdout, and the exit codes the
 * README documents (0 done, 1 something failed, 2 the command line is wrong).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closest } from '../../src/cli/suggest.js';
import { runCli } from '../support/cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const COMMANDS = ['ingest', 'query', 'compact', 'demo', 'generate', 'backfill'];

describe('help', () => {
  it.each(COMMANDS)("`%s --help` and `-h` print that command's usage on stdout and exit 0", async (name) => {
    for (const flag of ['--help', '-h']) {
      const run = await runCli(name, flag);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(new RegExp(`^sparkify-lake ${name} `));
      expect(run.err).toBe('');
      // Only that command's usage, not every command's.
      for (const other of COMMANDS.filter((command) => command !== name))
        expect(run.out).not.toContain(`sparkify-lake ${other} `);
    }
  });

  it('answers --help even after other options, and before checking them', async () => {
    const run = await runCli('ingest', '/nonexistent', '--lake', '/nowhere', '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('sparkify-lake ingest <input-dir>');
  });

  it('`help <command>` prints only that command; `help` lists the commands with the exit codes', async () => {
    const one = await runCli('help', 'ingest');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/^sparkify-lake ingest /);
    expect(one.out).not.toContain('sparkify-lake query');
    const all = await runCli('help');
    expect(all.code).toBe(0);
    for (const name of COMMANDS) expect(all.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(all.out).toContain('Exit codes: 0 done; 1 something failed');
    expect(all.out.split('\n').length).toBeLessThan(25);
  });

  it('`help injest` suggests the command and exits 2', async () => {
    const run = await runCli('help', 'injest');
    expect(run.code).toBe(2);
    expect(run.err).toContain('did you mean "ingest"?');
  });
});

describe('version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version alone and exits 0', async (flag) => {
    const run = await runCli(flag);
    expect(run).toEqual({ code: 0, out: `sparkify-lake ${VERSION}`, err: '' });
  });
});

describe('mistakes: a short message on stderr, a suggestion, exit 2', () => {
  it('an unknown command suggests the closest one, without 35 lines of usage', async () => {
    const run = await runCli('injest', 'data/sample', '--lake', 'x');
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain('unknown command "injest" (did you mean "ingest"?)');
    expect(run.err.split('\n').length).toBeLessThanOrEqual(3);
  });

  it('an unknown option suggests the closest option of that command', async () => {
    const run = await runCli('query', '--lakes', 'lake', 'SELECT 1');
    expect(run.code).toBe(2);
    expect(run.err).toContain('unknown option --lakes (did you mean "--lake"?)');
    expect(run.err).toContain("Run 'sparkify-lake query --help' for details.");
  });

  it('no command at all: a short usage on stderr, exit 2', async () => {
    const run = await runCli();
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain('Usage: sparkify-lake <command>');
  });

  it('suggests only what is close', () => {
    expect(closest('injest', COMMANDS)).toBe('ingest');
    expect(closest('qeury', COMMANDS)).toBe('query');
    expect(closest('--concurency', ['--concurrency', '--lake'])).toBe('--concurrency');
    expect(closest('frobnicate', COMMANDS)).toBeUndefined();
    expect(closest('x', COMMANDS)).toBeUndefined();
  });
});
