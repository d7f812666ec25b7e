/**
 * The progress bar (issue 12, item 3): it fits the terminal, on one line that is redrawn (it used
 * to be ~95 characters and wrapped on an 80-column terminal: 7 lines for `npm start`, ~120 for a
 * 5,000-file ingest), and it is absent when the output is not a terminal.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';
import { runCli, runCliWith } from '../support/cli.js';
import { REPO_ROOT, tempDir } from '../support/paths.js';

const dirs = tempDir('progress');
afterAll(() => dirs.cleanup());

const LONG_NAME = `log_data/2018/11/${'a-very-long-folder-name/'.repeat(6)}2018-11-30-events.json`;

/** What a terminal shows after each redraw: the text between carriage returns, without the erase-line code. */
function redraws(drawn: string): string[] {
  return drawn
    .split('\r')
    .map((part) => part.replaceAll('\x1b[K', ''))
    .filter((part) => part !== '');
}

describe('a progress line', () => {
  it.each([20, 40, 60, 80, 100, 132, 250])('fits a %i-column terminal', (columns) => {
    for (const done of [0, 7, 5000]) {
      const line = progressLine({ done, total: 5000, current: LONG_NAME }, 123.4, columns);
      expect(line.length).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain(`${done}/5000 files`);
    }
  });

  it('shows the bar and the end of the file name on an 80-column terminal', () => {
    const line = progressLine({ done: 50, total: 100, current: LONG_NAME }, 3.2, 80);
    expect(line).toMatch(/^\[#{15}\.{15}\] 50\/100 files 3\.2s …/);
    expect(line.endsWith('2018-11-30-events.json')).toBe(true);
  });
});

describe('ingest on a terminal', () => {
  it('redraws one line that fits: no line breaks, every redraw within the width', async () => {
    const input = join(dirs.path, 'input');
    expect((await runCli('generate', input, '--songs', '60', '--events', '300', '--days', '2', '--quiet')).code).toBe(
      0,
    );
    const run = await runCliWith({ columns: 80 }, 'ingest', input, '--lake', join(dirs.path, 'lake'), '--no-summary');
    expect(run.code).toBe(0);
    expect(run.terminal).not.toContain('\n');
    const lines = redraws(run.terminal);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(79);
    expect(lines.at(-1)).toContain('62/62 files');
  });

  it('draws nothing with --quiet', async () => {
    const input = join(dirs.path, 'input-quiet');
    await runCli('generate', input, '--songs', '5', '--events', '20', '--days', '1', '--quiet');
    const run = await runCliWith({ columns: 80 }, 'ingest', input, '--lake', join(dirs.path, 'lake-quiet'), '--quiet');
    expect(run.code).toBe(0);
    expect(run.terminal).toBe('');
    expect(run.out).toContain('Ingested 6 files');
    expect(run.out).not.toContain('The lake now holds');
  });
});

// Through the real launcher on a pseudo-terminal (util-linux `script`), as a person runs it.
const hasScript = existsSync('/usr/bin/script');

describe.skipIf(!hasScript)('the real launcher on a pseudo-terminal', () => {
  const onTerminal = (command: string): string => {
    const log = join(dirs.path, `typescript-${Math.random().toString(36).slice(2)}`);
    execFileSync('script', ['-qc', `stty cols 80 rows 24; ${command}`, log], { cwd: REPO_ROOT, stdio: 'ignore' });
    return readFileSync(log, 'utf8');
  };
  const launcher = `node ${join(REPO_ROOT, 'bin', 'sparkify-lake.mjs')}`;

  it('draws the bar within 80 columns when stdout and stderr are the terminal', () => {
    const shown = onTerminal(`${launcher} generate ${join(dirs.path, 'pty-a')} --songs 40 --events 100 --days 1`);
    const bars = redraws(shown).filter((part) => part.startsWith('[#') || part.startsWith('[.'));
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar.split('\n')[0]?.length ?? 0).toBeLessThanOrEqual(79);
  });

  it('draws nothing when stdout goes to a file, though stderr is a terminal', () => {
    const out = join(dirs.path, 'pty-b.txt');
    const shown = onTerminal(
      `${launcher} generate ${join(dirs.path, 'pty-b')} --songs 40 --events 100 --days 1 > ${out}`,
    );
    expect(shown).not.toContain(' files ');
    expect(shown).not.toContain('\r[');
    expect(readFileSync(out, 'utf8')).toContain('Generated 40 song files');
  });
});
