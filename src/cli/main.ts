/** `sparkify-lake <command>`: dispatch, usage and exit codes (0 ok, 1 something failed, 2 usage). */
import { BACKFILL_USAGE, backfillCommand } from './commands/backfill.js';
import { COMPACT_USAGE, compactCommand } from './commands/compact.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { ERASE_USAGE, eraseCommand } from './commands/erase.js';
import { GENERATE_USAGE, generateCommand } from './commands/generate.js';
import { INGEST_USAGE, ingestCommand } from './commands/ingest.js';
import { QUERY_USAGE, queryCommand } from './commands/query.js';
import { UsageError, type CommandIo } from './usage-error.js';

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  ingest: { run: ingestCommand, usage: INGEST_USAGE },
  query: { run: queryCommand, usage: QUERY_USAGE },
  backfill: { run: backfillCommand, usage: BACKFILL_USAGE },
  compact: { run: compactCommand, usage: COMPACT_USAGE },
  erase: { run: eraseCommand, usage: ERASE_USAGE },
  demo: { run: demoCommand, usage: DEMO_USAGE },
  generate: { run: generateCommand, usage: GENERATE_USAGE },
};

const USAGE = `Usage:\n${Object.values(COMMANDS)
  .map((command) => command.usage)
  .join('\n\n')}`;

const CONSOLE_IO: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export async function main(argv: readonly string[], io: CommandIo = CONSOLE_IO): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    io.err(`sparkify-lake ${name} failed: ${(error as Error).message}`);
    return 1;
  }
}
