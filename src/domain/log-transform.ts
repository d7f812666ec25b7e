/**
 * Log file → base_plays rows (one per NextSong event) and the bad records set aside, line by line
 * so a large file never has to be held as one string. Pure: the caller feeds the lines.
 */
import { rejectRow, type PlayRow, type RejectRow } from './rows.js';
import { timePartsOf } from './time-parts.js';
import {
  BadValueError,
  isPlainObject,
  optionalDouble,
  optionalText,
  requiredEpochMillis,
  requiredInt,
  requiredIntId,
} from './values.js';

export interface LogFileStats {
  /** Lines read, blank ones included. */
  lines: number;
  /** Valid JSON events, any page. */
  events: number;
  nextSongEvents: number;
  blankLines: number;
  rejectedLines: number;
}

export interface LogFileResult {
  readonly plays: PlayRow[];
  readonly rejects: RejectRow[];
  readonly stats: LogFileStats;
}

export const NEXT_SONG_PAGE = 'NextSong';

/** Where the rows go as each line is read: a collecting array in tests, row-group buffers in the worker. */
export interface LogRowSink {
  play(row: PlayRow): void;
  reject(row: RejectRow): void;
}

export class LogFileTransform {
  private readonly stats: LogFileStats = { lines: 0, events: 0, nextSongEvents: 0, blankLines: 0, rejectedLines: 0 };

  constructor(
    private readonly sourceKey: string,
    private readonly sink: LogRowSink,
  ) {}

  /** `lineNumber` is 1-based; a trailing `\r` (CRLF files) and a leading BOM are tolerated. */
  addLine(rawLine: string, lineNumber: number): void {
    this.stats.lines += 1;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (lineNumber === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.trim() === '') {
      this.stats.blankLines += 1;
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      this.reject(lineNumber, `not valid JSON: ${(error as Error).message}`, line);
      return;
    }
    if (!isPlainObject(event)) {
      this.reject(lineNumber, `expected a JSON object, got ${Array.isArray(event) ? 'an array' : typeof event}`, line);
      return;
    }
    this.stats.events += 1;
    if (event.page !== NEXT_SONG_PAGE) return;
    this.stats.nextSongEvents += 1;
    try {
      this.sink.play(playRow(event, this.sourceKey, lineNumber));
    } catch (error) {
      if (!(error instanceof BadValueError)) throw error;
      this.reject(lineNumber, error.message, line);
    }
  }

  statistics(): LogFileStats {
    return { ...this.stats };
  }

  private reject(lineNumber: number, reason: string, raw: string): void {
    this.stats.rejectedLines += 1;
    this.sink.reject(rejectRow('log_data', this.sourceKey, lineNumber, `line ${lineNumber}: ${reason}`, raw));
  }
}

/** Feeds every line to the transform; returns the file's statistics. */
export async function transformLogLinesInto(
  sourceKey: string,
  lines: AsyncIterable<string> | Iterable<string>,
  sink: LogRowSink,
): Promise<LogFileStats> {
  const transform = new LogFileTransform(sourceKey, sink);
  let lineNumber = 0;
  for await (const line of lines) transform.addLine(line, ++lineNumber);
  return transform.statistics();
}

/** The whole file's rows in memory: for tests and small files. */
export async function transformLogLines(sourceKey: string, lines: AsyncIterable<string> | Iterable<string>): Promise<LogFileResult> {
  const plays: PlayRow[] = [];
  const rejects: RejectRow[] = [];
  const stats = await transformLogLinesInto(sourceKey, lines, { play: (row) => plays.push(row), reject: (row) => rejects.push(row) });
  return { plays, rejects, stats };
}

export function songplayId(userId: number, sessionId: number, itemInSession: number): string {
  return `${userId}-${sessionId}-${itemInSession}`;
}

function playRow(event: Record<string, unknown>, sourceKey: string, lineNumber: number): PlayRow {
  const startTime = requiredEpochMillis('ts', event.ts);
  const userId = requiredIntId('userId', event.userId);
  const sessionId = requiredInt('sessionId', event.sessionId);
  const itemInSession = requiredInt('itemInSession', event.itemInSession);
  const time = timePartsOf(startTime);
  return {
    songplay_id: songplayId(userId, sessionId, itemInSession),
    start_time: startTime,
    user_id: userId,
    level: optionalText('level', event.level),
    session_id: sessionId,
    item_in_session: itemInSession,
    location: optionalText('location', event.location),
    user_agent: optionalText('userAgent', event.userAgent),
    first_name: optionalText('firstName', event.firstName),
    last_name: optionalText('lastName', event.lastName),
    gender: optionalText('gender', event.gender),
    song: optionalText('song', event.song),
    artist: optionalText('artist', event.artist),
    length: optionalDouble('length', event.length),
    hour: time.hour,
    day: time.day,
    week: time.week,
    weekday: time.weekday,
    source_key: sourceKey,
    source_line: lineNumber,
    year: time.year,
    month: time.month,
  };
}
