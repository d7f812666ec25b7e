/**
 * Where `query` gets its SQL: the one argument, a file (`--file q.sql`), or standard input (`-` or
 * `--file -`). An argument that starts with a SQL comment (`-- top plays\nSELECT …`) is SQL, not an
 * option, even though it starts with `--`.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, type CommandIo } from './usage-error.js';

/**
 * The arguments with those that are SQL starting with a `--` comment moved behind a `--`
 * terminator, where parseArgs takes them as positionals. An option is `--name` or `--name=value`;
 * anything else that starts with `--` (a space, a newline, punctuation after the dashes) is SQL.
 */
export function protectSqlComments(args: readonly string[]): string[] {
  const terminator = args.indexOf('--');
  const head = terminator === -1 ? args : args.slice(0, terminator);
  const tail = terminator === -1 ? [] : args.slice(terminator + 1);
  const options = head.filter((arg) => !isSqlComment(arg));
  const sql = head.filter(isSqlComment);
  return sql.length === 0 && terminator === -1 ? [...args] : [...options, '--', ...sql, ...tail];
}

function isSqlComment(arg: string): boolean {
  return arg.startsWith('--') && arg !== '--' && !/^--[A-Za-z][\w-]*(=|$)/s.test(arg);
}

/** The SQL text from exactly one source; a UsageError for none, several, or an unreadable file. */
export async function readSql(
  positionals: readonly string[],
  file: string | undefined,
  io: CommandIo,
): Promise<string> {
  if (positionals.length > 1) {
    throw new UsageError(
      `query takes the SQL as one argument, got ${positionals.length}: quote the whole SQL ("SELECT …"), or use --file`,
    );
  }
  const [argument] = positionals;
  if (argument !== undefined && file !== undefined)
    throw new UsageError('give the SQL as an argument or with --file, not both');
  const source = file ?? argument;
  if (source === undefined || source === '') {
    throw new UsageError(
      'query needs the SQL: as one quoted argument, with --file <path>, or - to read it from standard input',
    );
  }
  if (source === '-') {
    if (!io.readStdin) throw new UsageError('standard input cannot be read here');
    return io.readStdin();
  }
  if (file === undefined) return source;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`SQL file ${file} does not exist`);
    if (code === 'EISDIR') throw new UsageError(`--file takes a file, and ${file} is a folder`);
    throw error;
  }
}
