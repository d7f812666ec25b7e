/** The help texts: the overview (`sparkify-lake help`), one command's (`help ingest`, `ingest --help`), the version. */
import { readFileSync } from 'node:fs';
import { didYouMean } from './suggest.js';
import type { CommandIo } from './usage-error.js';

export interface HelpEntry {
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** Synopsis lines, then lines indented by two spaces describing the command. */
  readonly usage: string;
}

/** How to run the tool from a clone: never `npx`, which asks the npm registry outside the repository. */
export const INVOCATION = 'node bin/sparkify-lake.mjs';

/** The same three codes as the README's table. */
export const EXIT_CODES = `Exit codes: 0 done; 1 something failed (a file could not be processed, no file was found to
ingest, a query failed, the lake could not be written, a folder was refused); 2 the command line is
wrong, nothing was done (unknown command or option, a missing or invalid argument, an input folder
that is not a landing folder, a lake path that is not a lake).`;

export function overview(entries: readonly HelpEntry[]): string {
  const width = Math.max(...entries.map((entry) => entry.name.length));
  return [
    'Usage: sparkify-lake <command> [options]',
    '',
    'Commands:',
    ...entries.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`),
    '',
    'Every command takes -h/--help (its options) and -q/--quiet (no progress lines or hints).',
    '  sparkify-lake help <command>    the options of one command',
    '  sparkify-lake --version         the version',
    '',
    EXIT_CODES,
    '',
    `From a clone of the repository, run it as: ${INVOCATION} <command> …`,
  ].join('\n');
}

/** The usage lines before the description: what a usage error shows. */
export function synopsis(usage: string): string {
  const lines = usage.split('\n');
  const end = lines.findIndex((line, i) => i > 0 && /^ {2}\S/.test(line));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n');
}

/** `sparkify-lake help [command]`: exit 0, or 2 for a command that does not exist. */
export function helpCommand(args: readonly string[], entries: readonly HelpEntry[], io: CommandIo): number {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.out(overview(entries));
    return 0;
  }
  const entry = entries.find((candidate) => candidate.name === name);
  if (!entry || extra.length > 0) {
    const names = entries.map((candidate) => candidate.name);
    io.err(
      `sparkify-lake help: ${entry ? 'takes one command name' : `no command "${name}"${didYouMean(name, names)}`}; commands: ${names.join(', ')}`,
    );
    return 2;
  }
  io.out(entry.usage);
  return 0;
}

/** The version in package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
