/**
 * `sparkify-lake <command>`: dispatch, help, version and exit codes (0 done, 1 something failed,
 * 2 the command line is wrong). Results go to stdout; errors, warnings, hints and progress to stderr.
 */
import { BACKFILL_OPTIONS, BACKFILL_USAGE, backfillCommand } from './commands/backfill.js';
import { COMPACT_OPTIONS, COMPACT_USAGE, compactCommand } from './commands/compact.js';
import { DEMO_OPTIONS, DEMO_USAGE, demoCommand } from './commands/demo.js';
import { ERASE_OPTIONS, ERASE_USAGE, eraseCommand } from './commands/erase.js';
import { GENERATE_OPTIONS, GENERATE_USAGE, generateCommand } from './commands/generate.js';
import { INGEST_OPTIONS, INGEST_USAGE, ingestCommand } from './commands/ingest.js';
import { QUERY_OPTIONS, QUERY_USAGE, queryCommand } from './commands/query.js';
import { helpCommand, synopsis, version, type HelpEntry } from './help.js';
import { asksForHelp, usageErrorOf } from './options.js';
import { didYouMean } from './suggest.js';
import { consoleIo } from './console-io.js';
import type { CommandIo } from './usage-error.js';

interface CommandEntry extends HelpEntry {
  readonly run: (args: readonly string[], io: CommandIo) => Promise<number>;
  /** Option names without the dashes, for "did you mean". */
  readonly options: readonly string[];
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'ingest',
    summary: 'turn landing files (song_data/, log_data/) into a lake folder',
    usage: INGEST_USAGE,
    options: Object.keys(INGEST_OPTIONS),
    run: ingestCommand,
  },
  {
    name: 'query',
    summary: 'run SQL over a lake folder with DuckDB',
    usage: QUERY_USAGE,
    options: Object.keys(QUERY_OPTIONS),
    run: queryCommand,
  },
  {
    name: 'compact',
    summary: "merge each partition's small Parquet files (faster queries)",
    usage: COMPACT_USAGE,
    options: Object.keys(COMPACT_OPTIONS),
    run: compactCommand,
  },
  {
    name: 'erase',
    summary: 'erase a listener from the landing files and every lake object, with an audit record',
    usage: ERASE_USAGE,
    options: Object.keys(ERASE_OPTIONS),
    run: eraseCommand,
  },
  {
    name: 'demo',
    summary: 'what `npm start` runs: the sample into a fresh lake, then the standard questions',
    usage: DEMO_USAGE,
    options: Object.keys(DEMO_OPTIONS),
    run: demoCommand,
  },
  {
    name: 'generate',
    summary: 'write realistic, seeded song and log files at any size',
    usage: GENERATE_USAGE,
    options: Object.keys(GENERATE_OPTIONS),
    run: generateCommand,
  },
  {
    name: 'backfill',
    summary: 'send the S3 events of files already in a landing bucket to the stack',
    usage: BACKFILL_USAGE,
    options: Object.keys(BACKFILL_OPTIONS),
    run: backfillCommand,
  },
];

const PROGRAM = 'sparkify-lake';

export async function main(argv: readonly string[], io: CommandIo = consoleIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(
      `Usage: ${PROGRAM} <command> [options]\nCommands: ${COMMANDS.map((command) => command.name).join(', ')}\nRun '${PROGRAM} help' for more.`,
    );
    return 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`${PROGRAM} ${version()}`);
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') return helpCommand(args, COMMANDS, io);
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    const hint = didYouMean(
      name,
      COMMANDS.map((candidate) => candidate.name),
    );
    io.err(`${PROGRAM}: unknown command "${name}"${hint}\nRun '${PROGRAM} help' for the list of commands.`);
    return 2;
  }
  if (asksForHelp(args)) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const usageError = usageErrorOf(error, [...command.options, 'help']);
    if (usageError) {
      io.err(
        `${PROGRAM} ${name}: ${usageError.message}\nUsage: ${synopsis(command.usage)}\nRun '${PROGRAM} ${name} --help' for details.`,
      );
      return 2;
    }
    io.err(`${PROGRAM} ${name} failed: ${(error as Error).message}`);
    return 1;
  }
}
