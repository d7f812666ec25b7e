/** A mistake in how the command was called: reported with the command's synopsis, exit code 2. */
export class UsageError extends Error {}

/** Where a command writes: results to `out` (stdout), errors, warnings and hints to `err` (stderr). */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /**
   * The terminal progress is drawn on (stderr), present only when stdout and stderr are both
   * terminals: output going to a file or a pipe is a batch run, and gets no progress lines.
   */
  readonly terminal?: Terminal;
  /** The whole standard input, for `query -`. */
  readonly readStdin?: () => Promise<string>;
}

export interface Terminal {
  /** Width in characters. */
  readonly columns: number;
  readonly write: (text: string) => void;
}
