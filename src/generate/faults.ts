/**
 * The faults the generator can mix into the data, and what each must do to the pipeline. A fault
 * is "bad" when the contract (docs: /work/shared/semantics.md, "Bad input") says the record or file
 * is set aside; "tolerated" faults (blank lines, CRLF, a byte order mark) must change nothing.
 *
 * Not faults, and always present in generated data because the real files have them: text columns
 * written as JSON numbers (a band named 112), leading/trailing spaces, `\uXXXX` escapes, escaped
 * slashes, mis-encoded (mojibake) names in the logs, year 0 and null coordinates in song files.
 */

/** Faults of one log line. */
export const LOG_LINE_FAULTS = [
  /** A proper prefix of an event line: not valid JSON. Bad record. */
  'truncated-line',
  /** A line that is not JSON at all. Bad record. */
  'garbage-line',
  /** The event wrapped in a JSON array. Bad record. */
  'array-line',
  /** An empty or whitespace-only line before the event. Tolerated. */
  'blank-line',
  /** A NextSong event with userId "" (and auth "Logged Out"). Bad record. */
  'nextsong-empty-user',
  /** A NextSong event without a ts field. Bad record. */
  'nextsong-missing-ts',
  /** A NextSong event whose ts is a string of digits. Bad record. */
  'nextsong-ts-string',
  /** A NextSong event whose sessionId is not whole (38.5). Bad record. */
  'nextsong-float-session',
] as const;

/** Faults of a whole log file; both tolerated. */
export const LOG_FILE_FAULTS = ['crlf', 'bom'] as const;

/** Faults of a song file; each makes the file bad. */
export const SONG_FAULTS = ['song-array', 'song-truncated', 'song-empty', 'song-missing-song-id', 'song-year-string'] as const;

export type LogLineFault = (typeof LOG_LINE_FAULTS)[number];
export type LogFileFault = (typeof LOG_FILE_FAULTS)[number];
export type SongFault = (typeof SONG_FAULTS)[number];
export type FaultKind = LogLineFault | LogFileFault | SongFault;

export const ALL_FAULTS: readonly FaultKind[] = [...LOG_LINE_FAULTS, ...LOG_FILE_FAULTS, ...SONG_FAULTS];

/** Line faults that only make sense on a NextSong event (on other pages they would not be errors). */
export const NEXT_SONG_ONLY_FAULTS: ReadonlySet<LogLineFault> = new Set([
  'nextsong-empty-user',
  'nextsong-missing-ts',
  'nextsong-ts-string',
  'nextsong-float-session',
]);

/** Line faults after which the line is still a JSON object (counted as an event). */
export const STILL_AN_EVENT: ReadonlySet<LogLineFault> = NEXT_SONG_ONLY_FAULTS;

export function isFaultKind(value: string): value is FaultKind {
  return (ALL_FAULTS as readonly string[]).includes(value);
}

/** Splits a list of fault kinds by where they apply; an undefined list means all of them. */
export function faultsByScope(kinds: readonly FaultKind[] | undefined): {
  line: readonly LogLineFault[];
  file: readonly LogFileFault[];
  song: readonly SongFault[];
} {
  const chosen = new Set<FaultKind>(kinds ?? ALL_FAULTS);
  for (const kind of chosen) if (!isFaultKind(kind)) throw new RangeError(`unknown fault kind ${String(kind)}`);
  return {
    line: LOG_LINE_FAULTS.filter((kind) => chosen.has(kind)),
    file: LOG_FILE_FAULTS.filter((kind) => chosen.has(kind)),
    song: SONG_FAULTS.filter((kind) => chosen.has(kind)),
  };
}
