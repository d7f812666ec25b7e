/**
 * Log file → base_plays rows (one per NextSong event) and the bad records set aside, line by line
 * so a large file never has to be held as one string. Pure: the caller feeds the lines.
 *
 * The contract's rules for an event (docs: semantics.md, "Rules" and "Bad input"):
 * - a line that is not one JSON object (invalid JSON or UTF-8, a duplicated key, a lone surrogate
 *   escape) is a bad record, whatever its page;
 * - of a NextSong event, the key fields ts, userId, sessionId and itemInSession must be usable,
 *   else the event is a bad record;
 * - any other field with an invalid value is stored as NULL, the event is kept, and a rejects row
 *   names the field and the reason;
 * - fields the schema does not know are kept, as JSON text, in rescued_data.
 */
import { JsonRecordError, JsonRecordReader, type JsonKind } from './json-record.js';
import { rejectRow, type PlayRow, type RejectRow } from './rows.js';
import { timePartsOf } from './time-parts.js';
import { checkedUtf8Lines, type CheckedLine } from './utf8-lines.js';
import { BadValueError, optionalDouble, optionalText, requiredEpochMillis, requiredInt } from './values.js';

export interface LogFileStats {
  /** Lines read, blank ones included. */
  lines: number;
  /** Valid JSON events, any page. */
  events: number;
  nextSongEvents: number;
  blankLines: number;
  /** Bad records: lines set aside whole. */
  rejectedLines: number;
  /** Fields of kept events stored as NULL because their value was invalid (each has a rejects row). */
  rejectedFields: number;
  /** Fields the schema does not know, kept in rescued_data of the plays. */
  rescuedFields: number;
}

export interface LogFileResult {
  readonly plays: PlayRow[];
  readonly rejects: RejectRow[];
  readonly stats: LogFileStats;
}

export const NEXT_SONG_PAGE = 'NextSong';

/** The fields of an app event (the contract's list); any other field is rescued. */
export const LOG_FIELDS = [
  'artist',
  'auth',
  'firstName',
  'gender',
  'itemInSession',
  'lastName',
  'length',
  'level',
  'location',
  'method',
  'page',
  'registration',
  'sessionId',
  'song',
  'status',
  'ts',
  'userAgent',
  'userId',
] as const;

const slotOf = (name: (typeof LOG_FIELDS)[number]): number => LOG_FIELDS.indexOf(name);
const ARTIST = slotOf('artist');
const FIRST_NAME = slotOf('firstName');
const GENDER = slotOf('gender');
const ITEM_IN_SESSION = slotOf('itemInSession');
const LAST_NAME = slotOf('lastName');
const LENGTH = slotOf('length');
const LEVEL = slotOf('level');
const LOCATION = slotOf('location');
const PAGE = slotOf('page');
const SESSION_ID = slotOf('sessionId');
const SONG = slotOf('song');
const TS = slotOf('ts');
const USER_AGENT = slotOf('userAgent');
const USER_ID = slotOf('userId');

/** Where the rows go as each line is read: a collecting array in tests, row-group buffers in the worker. */
export interface LogRowSink {
  play(row: PlayRow): void;
  reject(row: RejectRow): void;
}

/** A field set aside: its name and why. */
interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export class LogFileTransform {
  private readonly stats: LogFileStats = {
    lines: 0,
    events: 0,
    nextSongEvents: 0,
    blankLines: 0,
    rejectedLines: 0,
    rejectedFields: 0,
    rescuedFields: 0,
  };
  private readonly reader = new JsonRecordReader(LOG_FIELDS);
  /** Problems of the current line's non-key fields. */
  private problems: FieldProblem[] = [];
  /** Per user id, the text each field had in that user's previous event (see `userText`). */
  private readonly userTexts = new Map<number, (string | undefined)[]>();

  constructor(
    private readonly sourceKey: string,
    private readonly sink: LogRowSink,
  ) {}

  /** `lineNumber` is 1-based; a trailing `\r` (CRLF files) and a leading BOM are tolerated. */
  addLine(rawLine: CheckedLine, lineNumber: number): void {
    this.stats.lines += 1;
    if (typeof rawLine !== 'string') {
      this.reject(lineNumber, `not valid UTF-8: ${rawLine.problem}`, withoutLineEnd(rawLine.text, lineNumber));
      return;
    }
    const line = withoutLineEnd(rawLine, lineNumber);
    if (line.trim() === '') {
      this.stats.blankLines += 1;
      return;
    }
    const reader = this.reader;
    try {
      reader.read(line);
    } catch (error) {
      if (!(error instanceof JsonRecordError)) throw error;
      this.reject(lineNumber, error.problem === 'syntax' ? `not valid JSON: ${error.message}` : error.message, line);
      return;
    }
    this.stats.events += 1;
    const page = reader.fieldOf(PAGE);
    if (page < 0 || !reader.isString(page, NEXT_SONG_PAGE)) return;
    this.stats.nextSongEvents += 1;
    let row: PlayRow;
    try {
      row = this.playRow(lineNumber);
    } catch (error) {
      if (!(error instanceof BadValueError)) throw error;
      this.problems = [];
      this.reject(lineNumber, error.message, line);
      return;
    }
    this.sink.play(row);
    if (this.problems.length > 0) {
      for (const problem of this.problems) {
        this.stats.rejectedFields += 1;
        this.sink.reject(
          rejectRow(
            'log_data',
            this.sourceKey,
            lineNumber,
            `line ${lineNumber}: ${problem.reason}; stored as NULL, the event is kept`,
            line,
            problem.field,
          ),
        );
      }
      this.problems = [];
    }
  }

  statistics(): LogFileStats {
    return { ...this.stats };
  }

  private reject(lineNumber: number, reason: string, raw: string): void {
    this.stats.rejectedLines += 1;
    this.sink.reject(rejectRow('log_data', this.sourceKey, lineNumber, `line ${lineNumber}: ${reason}`, raw));
  }

  private kindOf(slot: number): JsonKind | undefined {
    const field = this.reader.fieldOf(slot);
    return field < 0 ? undefined : this.reader.kind(field);
  }

  private valueOf(slot: number): string {
    const field = this.reader.fieldOf(slot);
    return field < 0 ? '' : this.reader.value(field);
  }

  /** A non-key text field: NULL (and a problem noted) when its value is not text. */
  private text(slot: number): string | null {
    const value = this.sliceOfText(slot);
    return value === null ? null : detached(value);
  }

  /**
   * A field that describes the user (name, gender, location, agent, level): the very string of the
   * user's previous event when the text is the same. A user's events repeat these values, so the
   * rows of a row group share one string per user and value instead of a copy each: less for the
   * collector to copy, and the Parquet dictionary hashes each string once.
   */
  private userText(slot: number, previous: (string | undefined)[]): string | null {
    const value = this.sliceOfText(slot);
    if (value === null) return null;
    const known = previous[slot];
    if (known === value) return known;
    const own = detached(value);
    previous[slot] = own;
    return own;
  }

  /** The text as the reader has it: possibly a slice of the line (see `detached`). */
  private sliceOfText(slot: number): string | null {
    try {
      return optionalText(LOG_FIELDS[slot] as string, this.kindOf(slot), this.valueOf(slot));
    } catch (error) {
      return this.setAside(slot, error);
    }
  }

  private double(slot: number): number | null {
    try {
      return optionalDouble(LOG_FIELDS[slot] as string, this.kindOf(slot), this.valueOf(slot));
    } catch (error) {
      return this.setAside(slot, error);
    }
  }

  private setAside(slot: number, error: unknown): null {
    if (!(error instanceof BadValueError)) throw error;
    this.problems.push({ field: LOG_FIELDS[slot] as string, reason: error.message });
    return null;
  }

  private playRow(lineNumber: number): PlayRow {
    // Key fields first: any of them unusable makes the whole event bad.
    const startTime = requiredEpochMillis('ts', this.kindOf(TS), this.valueOf(TS));
    const userId = requiredInt('userId', this.kindOf(USER_ID), this.valueOf(USER_ID));
    const sessionId = requiredInt('sessionId', this.kindOf(SESSION_ID), this.valueOf(SESSION_ID));
    const itemInSession = requiredInt('itemInSession', this.kindOf(ITEM_IN_SESSION), this.valueOf(ITEM_IN_SESSION));
    const time = timePartsOf(startTime);
    let previous = this.userTexts.get(userId);
    if (previous === undefined) {
      previous = [];
      this.userTexts.set(userId, previous);
    }
    return {
      songplay_id: songplayId(userId, sessionId, itemInSession, startTime),
      start_time: startTime,
      user_id: userId,
      level: this.userText(LEVEL, previous),
      session_id: sessionId,
      item_in_session: itemInSession,
      location: this.userText(LOCATION, previous),
      user_agent: this.userText(USER_AGENT, previous),
      first_name: this.userText(FIRST_NAME, previous),
      last_name: this.userText(LAST_NAME, previous),
      gender: this.userText(GENDER, previous),
      song: this.text(SONG),
      artist: this.text(ARTIST),
      length: this.double(LENGTH),
      hour: time.hour,
      day: time.day,
      week: time.week,
      weekday: time.weekday,
      source_key: this.sourceKey,
      source_line: lineNumber,
      rescued_data: this.rescued(),
      year: time.year,
      month: time.month,
    };
  }

  /** The fields the schema does not know, as one JSON object of their raw text; null when none. */
  private rescued(): string | null {
    const reader = this.reader;
    if (reader.unknownCount === 0) return null;
    let rescued: string | null = null;
    for (let field = 0; field < reader.count; field++) {
      if (reader.slot(field) !== -1) continue;
      rescued = rescued === null ? `{${reader.rawField(field)}` : `${rescued},${reader.rawField(field)}`;
      this.stats.rescuedFields += 1;
    }
    return rescued === null ? null : detached(`${rescued}}`);
  }
}

/**
 * The text as a string of its own. The reader's values are slices of the line, and the line a
 * slice of a 64 KiB decoded chunk; V8 keeps a slice's whole parent alive, so a row group of rows
 * holding slices would keep every chunk they came from (a 200 MB file ran out of a 256 MiB heap).
 * Concatenating and slicing again makes V8 copy just these characters; strings under 13
 * characters are copied by slice() anyway.
 */
function detached(text: string): string {
  // biome-ignore lint/style/useTemplate: the concatenation is the point (see above); keep it visible.
  return text.length < 13 ? text : (' ' + text).slice(1);
}

function withoutLineEnd(rawLine: string, lineNumber: number): string {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  return lineNumber === 1 && line.startsWith('\uFEFF') ? line.slice(1) : line;
}

/** Feeds every line to the transform; returns the file's statistics. */
export async function transformLogLinesInto(
  sourceKey: string,
  lines: AsyncIterable<CheckedLine> | Iterable<CheckedLine>,
  sink: LogRowSink,
): Promise<LogFileStats> {
  const transform = new LogFileTransform(sourceKey, sink);
  let lineNumber = 0;
  for await (const line of lines) transform.addLine(line, ++lineNumber);
  return transform.statistics();
}

/**
 * A log file's bytes, as the worker reads them: split into lines on bytes, each line checked to be
 * valid UTF-8 (a line that is not is a bad record; the file goes on), holding one chunk and one line.
 */
export function transformLogStreamInto(
  sourceKey: string,
  stream: AsyncIterable<Uint8Array>,
  sink: LogRowSink,
): Promise<LogFileStats> {
  return transformLogLinesInto(sourceKey, checkedUtf8Lines(stream), sink);
}

/** The whole file's rows in memory: for tests and small files. */
export async function transformLogLines(
  sourceKey: string,
  lines: AsyncIterable<CheckedLine> | Iterable<CheckedLine>,
): Promise<LogFileResult> {
  const plays: PlayRow[] = [];
  const rejects: RejectRow[] = [];
  const stats = await transformLogLinesInto(sourceKey, lines, {
    play: (row) => plays.push(row),
    reject: (row) => rejects.push(row),
  });
  return { plays, rejects, stats };
}

/**
 * An event's identity (contract): (userId, sessionId, itemInSession, ts). The same four values
 * give the same id in any file and any run; the same first three with another ts are two events.
 */
export function songplayId(userId: number, sessionId: number, itemInSession: number, ts: number): string {
  return `${userId}-${sessionId}-${itemInSession}-${ts}`;
}
