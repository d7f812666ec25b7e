/**
 * The faults the generator can mix into the data, and what each must do to the pipeline (docs:
 * /work/shared/semantics.md, "Rules" and "Bad input"). Three outcomes:
 * - **bad**: the record (log line) or file (song file) is set aside whole: a rejects row with no field;
 * - **kept with a field set aside**: the row is written with that field NULL (a song's year 0) and a
 *   rejects row names the field;
 * - **tolerated**: nothing is set aside and every figure is as without the fault (blank lines, CRLF,
 *   a byte order mark, numbers sent as strings, user ids with leading zeros, fields the schema does
 *   not know, which are only rescued).
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
  /** The event with one key twice (`"page"` again at the end). Bad record, any page. */
  'duplicate-key',
  /** The auth text ends with a `\uD83D` escape that has no low surrogate after it. Bad record, any page. */
  'lone-surrogate',
  /** A byte that is not UTF-8 (0xFF) inside the auth text. Bad record, any page. */
  'invalid-utf8',
  /** An empty or whitespace-only line before the event. Tolerated. */
  'blank-line',
  /** ts, sessionId, itemInSession and length written as JSON strings holding the number. Tolerated. */
  'numbers-as-strings',
  /** userId `"0…0<id>"` with leading zeros: the same user. Tolerated (events without a user are unchanged). */
  'user-id-leading-zero',
  /** A field the schema does not know, with a nested value: rescued in rescued_data. Tolerated. */
  'unknown-field',
  /** The location written as a JSON number token whose text a double would change (`4.60`, a 20-digit integer). Tolerated: stored exactly. */
  'number-token-text',
  /** A NextSong event with userId "" (and auth "Logged Out"). Bad record. */
  'nextsong-empty-user',
  /** A NextSong event without a ts field. Bad record. */
  'nextsong-missing-ts',
  /** A NextSong event whose ts is in seconds or microseconds (outside 1990-2100 as milliseconds). Bad record. */
  'nextsong-ts-out-of-range',
  /** A NextSong event whose sessionId is not whole (38.5). Bad record. */
  'nextsong-float-session',
  /** A NextSong event with one non-key field invalid (an object, an array, text where a number belongs). Kept, the field set aside. */
  'nextsong-bad-field',
  /**
   * The same line twice in a row, as when the app sends an event again: two lines, one event
   * identity, so one songplay (the first line's). Tolerated. Only on NextSong events, where the
   * identity decides.
   */
  'duplicate-event',
] as const;

/** Faults of a whole log file; both tolerated. */
export const LOG_FILE_FAULTS = ['crlf', 'bom'] as const;

/** Faults of a song file. */
export const SONG_FAULTS = [
  /** Bad files. */
  'song-array',
  'song-truncated',
  'song-empty',
  'song-missing-song-id',
  'song-duplicate-key',
  'song-lone-surrogate',
  'song-invalid-utf8',
  /** duration, year and coordinates as JSON strings holding the number. Tolerated. */
  'song-numbers-as-strings',
  /** A field the schema does not know. Tolerated: rescued. */
  'song-unknown-field',
  /**
   * The title written as a number token a double would respell (`4.60`, `1.0`, a 20-digit integer):
   * stored exactly, so plays that name the catalogue title no longer match it.
   */
  'song-number-token-title',
  /** One non-key field invalid (year, duration or a coordinate): kept, the field set aside (year → 0). */
  'song-bad-field',
  /**
   * The song kept as it is, and a second file with the same song_id under a key that sorts after
   * it, naming another title, artist and duration: the first copy wins in songs, artists and the
   * matching of plays, so every figure is as without the fault but base_songs has one row more.
   */
  'song-duplicate-id',
] as const;

export type LogLineFault = (typeof LOG_LINE_FAULTS)[number];
export type LogFileFault = (typeof LOG_FILE_FAULTS)[number];
export type SongFault = (typeof SONG_FAULTS)[number];
export type FaultKind = LogLineFault | LogFileFault | SongFault;

export const ALL_FAULTS: readonly FaultKind[] = [...LOG_LINE_FAULTS, ...LOG_FILE_FAULTS, ...SONG_FAULTS];

/** Line faults that only make sense on a NextSong event (on other pages they would not be errors). */
export const NEXT_SONG_ONLY_FAULTS: ReadonlySet<LogLineFault> = new Set([
  'nextsong-empty-user',
  'nextsong-missing-ts',
  'nextsong-ts-out-of-range',
  'nextsong-float-session',
  'nextsong-bad-field',
  'duplicate-event',
]);

/** Line faults that make the line a bad record. */
export const BAD_LINE_FAULTS: ReadonlySet<LogLineFault> = new Set([
  'truncated-line',
  'garbage-line',
  'array-line',
  'duplicate-key',
  'lone-surrogate',
  'invalid-utf8',
  'nextsong-empty-user',
  'nextsong-missing-ts',
  'nextsong-ts-out-of-range',
  'nextsong-float-session',
]);

/** Bad-line faults after which the line is still one JSON object (counted as an event). */
export const STILL_AN_EVENT: ReadonlySet<LogLineFault> = new Set([
  'nextsong-empty-user',
  'nextsong-missing-ts',
  'nextsong-ts-out-of-range',
  'nextsong-float-session',
]);

/** Song faults that make the file bad. */
export const BAD_SONG_FAULTS: ReadonlySet<SongFault> = new Set([
  'song-array',
  'song-truncated',
  'song-empty',
  'song-missing-song-id',
  'song-duplicate-key',
  'song-lone-surrogate',
  'song-invalid-utf8',
]);

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

/** Number tokens a double would respell: stored as text, they must keep every character. */
export const RESPELLED_NUMBER_TOKENS = [
  '4.60',
  '1.0',
  '12345678901234567890',
  '9007199254740993',
  '-0.0',
  '1E+2',
  '0.10',
] as const;
