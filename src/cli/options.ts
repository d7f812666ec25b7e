/** Options every command shares, and the translation of parseArgs' errors into plain messages. */
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';

/** `--help`/`-h` is answered by main before a command runs; listed so that suggestions know it. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** `--quiet`/`-q`: no progress, no hints; results and errors only. */
export const QUIET_OPTION = { quiet: { type: 'boolean', short: 'q', default: false } } as const;

/** True when `--help` or `-h` comes before a `--` that ends the options. */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * A parseArgs error (code ERR_PARSE_ARGS_*) as a UsageError with a short message, naming the
 * closest known option for an unknown one; undefined for any other error.
 */
export function usageErrorOf(error: unknown, optionNames: readonly string[]): UsageError | undefined {
  if (error instanceof UsageError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return undefined;
  const message = (error as Error).message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? '';
    const flags = optionNames.map((name) => `--${name}`);
    return new UsageError(`unknown option ${option}${didYouMean(option, flags)}`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const positional = /'([^']+)'/.exec(message)?.[1] ?? '';
    return new UsageError(`unexpected argument ${positional}`);
  }
  return new UsageError(message.replace(/\.? To specify a positional argument.*$/s, ''));
}
