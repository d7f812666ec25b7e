import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATE_USAGE, generateCommand } from '../../src/cli/commands/generate.js';
import { UsageError } from '../../src/cli/usage-error.js';
import type { GeneratedSummary } from '../../src/generate/index.js';
import { tempDir } from '../support/paths.js';

const dirs = tempDir('generate-cli');
afterAll(() => dirs.cleanup());

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await generateCommand(args, { out: (text) => out.push(text), err: (text) => out.push(text) });
  return { code, out: out.join('\n') };
}

describe('sparkify-lake generate', () => {
  it('writes the data and prints what ingesting it must give', async () => {
    const out = join(dirs.path, 'a');
    const result = await run(
      out,
      '--seed',
      '9',
      '--songs',
      '20',
      '--events',
      '600',
      '--days',
      '2',
      '--users',
      '10',
      '--fault-rate',
      '0.05',
    );
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'log_data/2018/11/2018-11-02-events.json'))).toBe(true);
    expect(result.out).toContain('Generated 20 song files and 2 log files');
    expect(result.out).toMatch(/songplays \d+ \(\d+ with a song\), users \d+/);
    expect(result.out).toMatch(/set aside \d+: \d+ bad log records, \d+ bad song files/);
  });

  it('prints the whole summary as JSON, the same for the same seed', async () => {
    const first = await run(
      join(dirs.path, 'b'),
      '--seed',
      'x',
      '--songs',
      '5',
      '--events',
      '100',
      '--days',
      '1',
      '--json',
    );
    const second = await run(
      join(dirs.path, 'c'),
      '--seed',
      'x',
      '--songs',
      '5',
      '--events',
      '100',
      '--days',
      '1',
      '--json',
    );
    const parse = (text: string) => JSON.parse(text) as GeneratedSummary;
    expect(parse(first.out).expected).toEqual(parse(second.out).expected);
    expect(parse(first.out).expected.events).toBe(100);
  });

  it('sizes log files by --log-file-mb', async () => {
    const result = await run(join(dirs.path, 'd'), '--songs', '3', '--days', '1', '--log-file-mb', '0.2', '--json');
    expect((JSON.parse(result.out) as GeneratedSummary).logFiles[0]?.bytes).toBeGreaterThanOrEqual(200_000);
  });

  it.each([
    [[], /exactly one <out-dir>/],
    [['x', '--fault-rate', '1.5'], /--fault-rate takes a number from 0 to 1/],
    [['x', '--songs=-1'], /--songs takes/],
    [['x', '--days', '0'], /--days takes/],
    [['x', '--faults', 'crlf,nonsense'], /unknown fault kind nonsense/],
    [['x', '--events', '5', '--log-file-mb', '1'], /not both/],
    [['x', '--start-date', '2018-13-01'], /YYYY-MM-DD/],
  ])('refuses %j', async (args, message) => {
    await expect(run(...args.map((arg) => (arg === 'x' ? join(dirs.path, 'bad') : arg)))).rejects.toThrow(UsageError);
    await expect(run(...args.map((arg) => (arg === 'x' ? join(dirs.path, 'bad') : arg)))).rejects.toThrow(message);
  });

  it('will not write over existing data without --force', async () => {
    const out = join(dirs.path, 'e');
    await run(out, '--songs', '2', '--events', '10', '--days', '1');
    await expect(run(out, '--songs', '2', '--events', '10', '--days', '1')).rejects.toThrow(/--force/);
    expect((await run(out, '--songs', '2', '--events', '10', '--days', '1', '--force')).code).toBe(0);
  });

  it('documents its options', () => {
    for (const flag of ['--seed', '--songs', '--events', '--days', '--users', '--fault-rate', '--log-file-mb'])
      expect(GENERATE_USAGE).toContain(flag);
  });
});
