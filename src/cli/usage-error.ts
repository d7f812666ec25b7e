/** A mistake in how the command was called: reported with the usage text, exit code 2. */
export class UsageError extends Error {}

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}
