/**
 * App event logs: one JSON-lines file per UTC day, with the real files' field order and spelling,
 * made of overlapping user sessions merged in ts order. Streamed: sessions are planned with O(1)
 * memory (sorted start times drawn as order statistics, session sizes drawn twice from the same
 * seed), merged through a heap of the sessions in progress, and written in chunks, so a file of any
 * size never sits in memory.
 *
 * Alongside, it counts exactly what the file must yield — events, NextSong events, good plays,
 * matched plays, bad records with their line numbers — from what it wrote, not from estimates.
 */
import {
  BAD_LINE_FAULTS,
  NEXT_SONG_ONLY_FAULTS,
  RESPELLED_NUMBER_TOKENS,
  STILL_AN_EVENT,
  type LogFileFault,
  type LogLineFault,
} from './faults.js';
import { jsonFloat, jsonString, jsonTextValue, mojibake } from './json-text.js';
import type { ChunkWriter } from './output.js';
import { type Random, WeightedTable, zipfWeights } from './random.js';
import { randomArtistName, randomDuration, randomTitle, songMatchKey, type CatalogueSong } from './songs.js';
import { FIRST_NAMES_F, FIRST_NAMES_M, GARBAGE_LINES, LAST_NAMES, USER_AGENTS, USER_LOCATIONS } from './words.js';

export const DAY_MS = 86_400_000;
/** No session starts in the last minutes of a day, so every session fits in its day's file. */
const LAST_START_MARGIN_MS = 10 * 60_000;
const MAX_SESSION_EVENTS = 250;
const CHUNK_CHARS = 64 * 1024;

export type Level = 'free' | 'paid';

export interface LogUser {
  readonly id: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly gender: 'F' | 'M';
  readonly location: string;
  readonly userAgent: string;
  /** Epoch ms, written as a float (`1540919166796.0`). */
  readonly registration: number;
  /** Changes over time: Submit Upgrade / Submit Downgrade events flip it. */
  level: Level;
  /** JSON fragments of the fixed fields, escaped once. */
  readonly json: {
    readonly userId: string;
    readonly firstName: string;
    readonly lastName: string;
    readonly gender: string;
    readonly location: string;
    readonly userAgent: string;
    readonly registration: string;
  };
}

/** A song a NextSong event can name: a catalogue song (exact title, artist, duration) or an unknown one. */
export interface PlayableSong {
  readonly song: string;
  readonly artist: string;
  readonly length: string;
  readonly lengthMs: number;
  /** The lake's join finds a (good) catalogue song for it. */
  readonly matches: boolean;
}

export interface LogWorldOptions {
  readonly users: number;
  readonly catalogue: readonly CatalogueSong[];
  /** songMatchKey of every catalogue song whose file is good (bad files contribute no song). */
  readonly goodSongKeys: ReadonlySet<string>;
  /** Share of NextSong events that name a catalogue song exactly (default 0.3). */
  readonly matchShare?: number;
  /** The first day of the logs: users registered before it. */
  readonly startMs: number;
}

export interface ExpectedBadRecord {
  readonly key: string;
  /** 1-based, blank lines included: the line number a reader of the file reports. */
  readonly line: number;
  readonly fault: LogLineFault;
}

/** A field of a kept record set aside (stored as NULL), which a rejects row names. */
export interface ExpectedFieldReject {
  readonly key: string;
  /** 1-based line of a log record; null for a song file. */
  readonly line: number | null;
  readonly field: string;
  readonly fault: string;
}

export interface LogFileExpectation {
  readonly key: string;
  readonly date: string;
  readonly bytes: number;
  /** Lines in the file, blank ones included (no newline after the last). */
  readonly lines: number;
  readonly blankLines: number;
  /** Lines that are JSON objects, any page. */
  readonly events: number;
  /** JSON objects with page NextSong, good or not. */
  readonly nextSongEvents: number;
  /** NextSong events that become plays: songplays rows, one per event identity. */
  readonly goodPlays: number;
  /**
   * Lines of a good play written again (the duplicate-event fault): each is a play row in the
   * file (base_plays) but no songplay of its own, since it repeats an identity.
   */
  readonly duplicatePlays: number;
  /** Good plays whose title, artist and length equal a good catalogue song's. */
  readonly matchedPlays: number;
  readonly badRecords: readonly ExpectedBadRecord[];
  /** Fields of good plays set aside (stored as NULL), each a rejects row. */
  readonly fieldRejects: readonly ExpectedFieldReject[];
  /** Fields of good plays the schema does not know, rescued. */
  readonly rescuedFields: number;
  readonly fileFaults: readonly LogFileFault[];
  /** Range of ts over the events written (null for an empty file). */
  readonly firstTs: number | null;
  readonly lastTs: number | null;
}

export interface LogFileFaultOptions {
  /** Probability that an event line gets one of `line` faults, and that the file gets each `file` fault. */
  readonly rate: number;
  readonly line: readonly LogLineFault[];
  readonly file: readonly LogFileFault[];
}

export interface LogDayOptions {
  readonly key: string;
  /** Midnight UTC of the day, epoch ms. */
  readonly dayStartMs: number;
  /** Exactly this many events... */
  readonly events?: number;
  /** ...or events until the file holds at least this many bytes. */
  readonly targetBytes?: number;
  readonly faults?: LogFileFaultOptions;
  /** Events in the day's time order (any session), for the file's content. */
  readonly rng: Random;
  /** Fault decisions, apart from the content so that faults never shift the events underneath. */
  readonly faultRng: Random;
  /** Called now and then with the bytes written so far. */
  readonly onBytes?: (bytes: number) => void;
}

interface PageSpec {
  readonly json: string;
  readonly method: string;
  readonly status: string;
}

function page(name: string, method: 'GET' | 'PUT', status: number): PageSpec {
  return { json: jsonString(name), method: jsonString(method), status: String(status) };
}

const NEXT_SONG = page('NextSong', 'PUT', 200);
const HOME = page('Home', 'GET', 200);
const LOGIN = page('Login', 'PUT', 307);
const LOGOUT = page('Logout', 'PUT', 307);
const UPGRADE = page('Upgrade', 'GET', 200);
const SUBMIT_UPGRADE = page('Submit Upgrade', 'PUT', 307);
const DOWNGRADE = page('Downgrade', 'GET', 200);
const SUBMIT_DOWNGRADE = page('Submit Downgrade', 'PUT', 307);
const SETTINGS = page('Settings', 'GET', 200);
const SAVE_SETTINGS = page('Save Settings', 'PUT', 307);
const ABOUT = page('About', 'GET', 200);
const HELP = page('Help', 'GET', 200);
const ERROR = page('Error', 'GET', 404);

const COMMON_PAGES: readonly (readonly [PageSpec, number])[] = [
  [NEXT_SONG, 880],
  [HOME, 45],
  [SETTINGS, 8],
  [SAVE_SETTINGS, 2],
  [ABOUT, 5],
  [HELP, 6],
  [ERROR, 1.5],
];
// Level changes are rare events (Submit Upgrade about 1 in 1,000 free users' events, Submit
// Downgrade about 1 in 1,100 paid users' events), so over long runs heavy listeners drift to about
// half paid while the initial levels still show.
const FREE_PAGES = new WeightedTable<PageSpec>([...COMMON_PAGES, [UPGRADE, 4]]);
const PAID_PAGES = new WeightedTable<PageSpec>([...COMMON_PAGES, [DOWNGRADE, 9]]);
const LOGGED_OUT_PAGES = new WeightedTable<PageSpec>([
  [HOME, 70],
  [ABOUT, 10],
  [HELP, 10],
  [ERROR, 2],
]);

const LOGGED_IN = jsonString('Logged In');
const LOGGED_OUT = jsonString('Logged Out');
const LEVEL_JSON: Record<Level, string> = { free: jsonString('free'), paid: jsonString('paid') };

/** A user's hourly activity (UTC), for session start times. */
const HOURLY_ACTIVITY = [9, 7, 5, 4, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 14, 13, 12, 11];
const HOURLY_CUMULATIVE: number[] = [];
for (const weight of HOURLY_ACTIVITY) HOURLY_CUMULATIVE.push((HOURLY_CUMULATIVE.at(-1) ?? 0) + weight);

/** Maps a uniform fraction of the day onto the daily activity curve; monotone, so order is kept. */
function diurnal(fraction: number): number {
  const total = HOURLY_CUMULATIVE.at(-1) as number;
  const target = fraction * total;
  let hour = 0;
  while (hour < 23 && (HOURLY_CUMULATIVE[hour] as number) <= target) hour++;
  const before = hour === 0 ? 0 : (HOURLY_CUMULATIVE[hour - 1] as number);
  return (hour + (target - before) / (HOURLY_ACTIVITY[hour] as number)) / 24;
}

export function generateUsers(rng: Random, count: number, startMs: number): LogUser[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`users must be a whole number ≥ 1, not ${count}`);
  const agents = new WeightedTable(USER_AGENTS);
  return Array.from({ length: count }, (_, index) => {
    const gender = rng.chance(0.5) ? 'F' : 'M';
    const firstName = rng.pick(gender === 'F' ? FIRST_NAMES_F : FIRST_NAMES_M);
    const lastName = rng.pick(LAST_NAMES);
    const location = rng.pick(USER_LOCATIONS);
    const userAgent = agents.pick(rng);
    const registration = startMs - rng.int(3_600_000, 150 * DAY_MS);
    const id = index + 1;
    return {
      id,
      firstName,
      lastName,
      gender,
      location,
      userAgent,
      registration,
      level: 'free',
      json: {
        userId: jsonString(String(id)),
        firstName: jsonString(firstName, true),
        lastName: jsonString(lastName, true),
        gender: jsonString(gender),
        location: jsonString(location, true),
        userAgent: jsonString(userAgent, true),
        registration: jsonFloat(registration),
      },
    };
  });
}

/** Users, songs to play and the session counter, shared by the days of a dataset. */
export class LogWorld {
  readonly users: LogUser[];
  private readonly userTable: WeightedTable<LogUser>;
  private readonly catalogueTable: WeightedTable<PlayableSong> | undefined;
  private readonly unknownTable: WeightedTable<PlayableSong>;
  readonly matchShare: number;
  private nextSessionId: number;
  /** Latest good play per user: (ts, sessionId, itemInSession) and its level, for the users table. */
  private readonly latestPlay = new Map<number, { ts: number; sessionId: number; item: number; level: Level }>();

  constructor(rng: Random, options: LogWorldOptions) {
    this.matchShare = options.matchShare ?? 0.3;
    if (!(this.matchShare >= 0 && this.matchShare <= 1))
      throw new RangeError(`matchShare must be in 0..1, not ${this.matchShare}`);
    this.users = generateUsers(rng.fork('users'), options.users, options.startMs);
    // A few heavy listeners, a long tail of occasional ones.
    const activity = zipfWeights(this.users.length, 0.7);
    rng.fork('activity').shuffle(activity);
    // Heavy listeners are more often paid users (in the real logs most plays are paid, most users free).
    const levels = rng.fork('levels');
    const heavy = [...activity].sort((a, b) => b - a)[Math.floor(activity.length / 5)] ?? 0;
    this.users.forEach((user, i) => {
      user.level = levels.chance((activity[i] as number) > heavy ? 0.7 : 0.15) ? 'paid' : 'free';
    });
    this.userTable = new WeightedTable(this.users.map((user, i) => [user, activity[i] as number] as const));
    const matches = (title: string | number, artist: string | number, duration: number) =>
      options.goodSongKeys.has(songMatchKey(title, artist, duration));
    const playable = (title: string | number, artist: string | number, duration: number): PlayableSong => ({
      song: jsonTextValue(title, true),
      artist: jsonTextValue(artist, true),
      length: jsonFloat(duration),
      lengthMs: Math.round(duration * 1000),
      matches: matches(title, artist, duration),
    });
    const catalogue = options.catalogue;
    if (catalogue.length > 0) {
      const popularity = rng.fork('popularity').shuffle(zipfWeights(catalogue.length));
      this.catalogueTable = new WeightedTable(
        catalogue.map(
          (song, i) => [playable(song.title, song.artistName, song.duration), popularity[i] as number] as const,
        ),
      );
    }
    // Songs the catalogue does not have: most plays, as in the real data (1 match in 6,820).
    const unknownRng = rng.fork('unknown-songs');
    const unknownCount = Math.min(20_000, Math.max(500, catalogue.length * 2));
    const unknown: PlayableSong[] = [];
    for (let i = 0; i < unknownCount; i++) {
      let title = randomTitle(unknownRng);
      let artist = randomArtistName(unknownRng);
      // Some real log lines carry names mis-encoded twice over.
      if (unknownRng.chance(0.03)) {
        if (typeof title === 'string') title = mojibake(title);
        if (typeof artist === 'string') artist = mojibake(artist);
      }
      unknown.push(playable(title, artist, randomDuration(unknownRng)));
    }
    this.unknownTable = new WeightedTable(unknown.map((song, i) => [song, 1 / Math.pow(i + 1, 0.6)] as const));
    this.nextSessionId = rng.fork('sessions').int(1, 1000);
  }

  pickUser(rng: Random): LogUser {
    return this.userTable.pick(rng);
  }

  pickSong(rng: Random): PlayableSong {
    if (this.catalogueTable && rng.chance(this.matchShare)) return this.catalogueTable.pick(rng);
    return this.unknownTable.pick(rng);
  }

  takeSessionId(): number {
    return this.nextSessionId++;
  }

  recordGoodPlay(userId: number, ts: number, sessionId: number, item: number, level: Level): void {
    const latest = this.latestPlay.get(userId);
    if (
      !latest ||
      ts > latest.ts ||
      (ts === latest.ts && (sessionId > latest.sessionId || (sessionId === latest.sessionId && item > latest.item)))
    ) {
      this.latestPlay.set(userId, { ts, sessionId, item, level });
    }
  }

  /** The users table the good plays so far must produce: each user's level from their latest play. */
  expectedUsers(): { total: number; paid: number; free: number } {
    let paid = 0;
    for (const latest of this.latestPlay.values()) if (latest.level === 'paid') paid++;
    return { total: this.latestPlay.size, paid, free: this.latestPlay.size - paid };
  }

  /** Typical bytes of an event line, from a sample that changes no state (sizes a byte-targeted file). */
  estimateLineBytes(rng: Random): number {
    let bytes = 0;
    const samples = 1000;
    for (let i = 0; i < samples; i++) {
      const user = this.pickUser(rng);
      const spec = (user.level === 'free' ? FREE_PAGES : PAID_PAGES).pick(rng);
      bytes +=
        eventLine(
          loggedInParts(
            user,
            spec,
            spec === NEXT_SONG ? this.pickSong(rng) : undefined,
            5,
            500,
            1541105830796,
            user.level,
          ),
        ).length + 1;
    }
    return bytes / samples;
  }
}

interface Session {
  readonly id: number;
  readonly user: LogUser;
  readonly length: number;
  item: number;
  ts: number;
  /** Guest browsing: never logged in. */
  readonly guest: boolean;
  /** Items before this one are logged out, the last of them a Login. */
  readonly loginAt: number;
  /** The item that is a Logout (-1: none); items after it are logged out. */
  readonly logoutAt: number;
  /** A page the previous one leads to (Upgrade → Submit Upgrade). */
  follow: PageSpec | undefined;
}

/** The pieces of one event line, as JSON fragments. */
interface EventParts {
  artist: string;
  auth: string;
  firstName: string;
  gender: string;
  item: number | string;
  lastName: string;
  length: string;
  level: string;
  location: string;
  page: PageSpec;
  registration: string;
  sessionId: string;
  song: string;
  ts: string;
  userAgent: string;
  userId: string;
}

function loggedInParts(
  user: LogUser,
  spec: PageSpec,
  song: PlayableSong | undefined,
  item: number,
  sessionId: number,
  ts: number,
  level: Level,
): EventParts {
  return {
    artist: song ? song.artist : 'null',
    auth: LOGGED_IN,
    firstName: user.json.firstName,
    gender: user.json.gender,
    item,
    lastName: user.json.lastName,
    length: song ? song.length : 'null',
    level: LEVEL_JSON[level],
    location: user.json.location,
    page: spec,
    registration: user.json.registration,
    sessionId: String(sessionId),
    song: song ? song.song : 'null',
    ts: String(ts),
    userAgent: user.json.userAgent,
    userId: user.json.userId,
  };
}

function loggedOutParts(spec: PageSpec, item: number, sessionId: number, ts: number, level: Level): EventParts {
  return {
    artist: 'null',
    auth: LOGGED_OUT,
    firstName: 'null',
    gender: 'null',
    item,
    lastName: 'null',
    length: 'null',
    level: LEVEL_JSON[level],
    location: 'null',
    page: spec,
    registration: 'null',
    sessionId: String(sessionId),
    song: 'null',
    ts: String(ts),
    userAgent: 'null',
    userId: '""',
  };
}

/** One event line in the real field order; `ts` null leaves the field out. */
function eventLine(e: EventParts, ts: string | null = e.ts): string {
  return (
    '{"artist":' +
    e.artist +
    ',"auth":' +
    e.auth +
    ',"firstName":' +
    e.firstName +
    ',"gender":' +
    e.gender +
    ',"itemInSession":' +
    e.item +
    ',"lastName":' +
    e.lastName +
    ',"length":' +
    e.length +
    ',"level":' +
    e.level +
    ',"location":' +
    e.location +
    ',"method":' +
    e.page.method +
    ',"page":' +
    e.page.json +
    ',"registration":' +
    e.registration +
    ',"sessionId":' +
    e.sessionId +
    ',"song":' +
    e.song +
    ',"status":' +
    e.page.status +
    (ts === null ? '' : `,"ts":${ts}`) +
    ',"userAgent":' +
    e.userAgent +
    ',"userId":' +
    e.userId +
    '}'
  );
}

/** The line of a bad-record fault: text, or bytes when it holds a byte that is not UTF-8. */
function faultyLine(parts: EventParts, fault: LogLineFault, rng: Random, nextLine: () => string): string | Uint8Array {
  switch (fault) {
    case 'nextsong-empty-user':
      return eventLine({ ...parts, auth: LOGGED_OUT, userId: '""' });
    case 'nextsong-missing-ts':
      return eventLine(parts, null);
    case 'nextsong-ts-out-of-range': {
      // Seconds or microseconds sent by mistake.
      const ts = Number(parts.ts);
      return eventLine(parts, rng.chance(0.5) ? String(Math.floor(ts / 1000)) : String(ts * 1000));
    }
    case 'nextsong-float-session':
      return eventLine({ ...parts, sessionId: `${parts.sessionId}.5` });
    case 'truncated-line': {
      // A proper prefix of an object never parses: its closing brace is the last character.
      const line = eventLine(parts);
      return line.slice(0, rng.int(1, line.length - 1));
    }
    case 'array-line':
      return `[${eventLine(parts)}]`;
    case 'garbage-line':
      // Two events glued together (a lost newline), or something that was never JSON.
      return rng.chance(0.25) ? eventLine(parts) + nextLine() : rng.pick(GARBAGE_LINES);
    case 'duplicate-key':
      return `${eventLine(parts).slice(0, -1)},"page":${parts.page.json}}`;
    case 'lone-surrogate':
      return eventLine({ ...parts, auth: `${parts.auth.slice(0, -1)}\\ud83d"` });
    case 'invalid-utf8': {
      // Event lines are ASCII, so the NUL marker is the only 0x00 byte: it becomes 0xFF.
      const bytes = Buffer.from(eventLine({ ...parts, auth: `${parts.auth.slice(0, -1)}\u0000"` }), 'utf8');
      bytes[bytes.indexOf(0)] = 0xff;
      return bytes;
    }
    default:
      throw new Error(`${fault} is not a bad-record fault`);
  }
}

/** Non-key fields a bad-field fault spoils, and the invalid JSON it writes there. */
const BAD_FIELD_VALUES: Readonly<
  Record<
    'song' | 'artist' | 'length' | 'location' | 'userAgent' | 'firstName' | 'lastName' | 'gender',
    readonly string[]
  >
> = {
  song: ['{"title":"x"}', '["a","b"]'],
  artist: ['{}', '[1]'],
  length: ['"long"', '{"s":1}', '"4,6"'],
  location: ['["x"]'],
  userAgent: ['{"ua":null}'],
  firstName: ['[]'],
  lastName: ['{}'],
  gender: ['[null]'],
};
/** The fields a play is matched to its song on. */
const MATCH_FIELDS = new Set(['song', 'artist', 'length']);

/** The line of a fault that keeps the event (tolerated, or a field set aside), and the field set aside if any. */
function keptLine(
  parts: EventParts,
  fault: LogLineFault | undefined,
  rng: Random,
): { line: string; fieldSetAside: string | null } {
  switch (fault) {
    case undefined:
    case 'blank-line':
    case 'duplicate-event':
      return { line: eventLine(parts), fieldSetAside: null };
    case 'numbers-as-strings': {
      const quoted = (json: string) => (json === 'null' ? json : `"${json}"`);
      return {
        line: eventLine(
          {
            ...parts,
            sessionId: quoted(parts.sessionId),
            item: quoted(String(parts.item)),
            length: quoted(parts.length),
          },
          quoted(parts.ts),
        ),
        fieldSetAside: null,
      };
    }
    case 'user-id-leading-zero':
      // "15" → "015" or "0015"; an event without a user keeps "".
      return {
        line: eventLine(
          parts.userId === '""' ? parts : { ...parts, userId: `"${'0'.repeat(rng.int(1, 2))}${parts.userId.slice(1)}` },
        ),
        fieldSetAside: null,
      };
    case 'unknown-field':
      return {
        line: `${eventLine(parts).slice(0, -1)},"deviceInfo":{"os":"${rng.pick(['iOS', 'Android'])}","build":${rng.int(100, 999)}.50}}`,
        fieldSetAside: null,
      };
    case 'number-token-text':
      return { line: eventLine({ ...parts, location: rng.pick(RESPELLED_NUMBER_TOKENS) }), fieldSetAside: null };
    case 'nextsong-bad-field': {
      const field = rng.pick(Object.keys(BAD_FIELD_VALUES) as (keyof typeof BAD_FIELD_VALUES)[]);
      return { line: eventLine({ ...parts, [field]: rng.pick(BAD_FIELD_VALUES[field]) }), fieldSetAside: field };
    }
    default:
      throw new Error(`${fault} is a bad-record fault`);
  }
}

function assertNotAnObject(line: string, fault: LogLineFault): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    throw new Error(`generator bug: a ${fault} line is a valid JSON object: ${line.slice(0, 200)}`);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included.
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The lines of one file, joined without a final newline, flushed in chunks. */
class LineOutput {
  lines = 0;
  bytes = 0;
  private buffer = '';
  /** Chunks before `buffer`, when a line of bytes came in between. */
  private readonly pending: (string | Uint8Array)[] = [];
  private readonly separator: string;

  constructor(
    private readonly writer: ChunkWriter,
    crlf: boolean,
    bom: boolean,
  ) {
    this.separator = crlf ? '\r\n' : '\n';
    if (bom) {
      this.buffer = '\uFEFF';
      this.bytes = 3;
    }
  }

  /** Adds a line and returns its 1-based number; event lines are ASCII by construction. */
  add(line: string | Uint8Array, ascii = false): number {
    if (this.lines > 0) {
      this.buffer += this.separator;
      this.bytes += this.separator.length;
    }
    if (typeof line === 'string') {
      this.buffer += line;
      this.bytes += ascii || ASCII_ONLY.test(line) ? line.length : Buffer.byteLength(line, 'utf8');
    } else {
      this.pending.push(this.buffer, line);
      this.buffer = '';
      this.bytes += line.length;
    }
    return ++this.lines;
  }

  get full(): boolean {
    return this.buffer.length >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    const chunks = [...this.pending.splice(0), this.buffer].filter((chunk) => chunk.length > 0);
    this.buffer = '';
    for (const chunk of chunks) await this.writer.write(chunk);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }
}

/** Sessions in start order, drawn without holding them: sorted uniform start times as order statistics. */
class SessionPlan {
  private created = 0;
  private planned = 0;
  private fraction = 0;
  private readonly sessions: number;
  private readonly lengths: Random;
  private pendingStart: number;

  constructor(
    private readonly rng: Random,
    label: string,
    private readonly events: number,
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {
    // Pass 1 counts the sessions that hold `events`; pass 2 (below) draws the same sizes again.
    const counting = rng.fork(`sizes:${label}`);
    let sum = 0;
    let sessions = 0;
    while (sum < events) {
      sum += sessionSize(counting);
      sessions++;
    }
    this.sessions = sessions;
    this.lengths = rng.fork(`sizes:${label}`);
    this.pendingStart = sessions > 0 ? this.drawStart() : Number.POSITIVE_INFINITY;
  }

  get exhausted(): boolean {
    return this.created >= this.sessions;
  }

  get startOfNext(): number {
    return this.pendingStart;
  }

  /** The next session's size, its start the next of the sorted start times. */
  take(): { start: number; size: number } {
    const start = this.pendingStart;
    const size = Math.min(sessionSize(this.lengths), this.events - this.planned);
    this.planned += size;
    this.created++;
    this.pendingStart = this.exhausted ? Number.POSITIVE_INFINITY : this.drawStart();
    return { start, size };
  }

  private drawStart(): number {
    // The smallest of the remaining r uniforms on (fraction, 1).
    const remaining = this.sessions - this.created;
    this.fraction = 1 - (1 - this.fraction) * Math.pow(1 - this.rng.next(), 1 / remaining);
    return this.fromMs + Math.floor(diurnal(this.fraction) * (this.toMs - this.fromMs));
  }
}

/** Events in a session: mostly a handful to a few dozen, now and then a long listening session. */
function sessionSize(rng: Random): number {
  return Math.min(MAX_SESSION_EVENTS, 1 + Math.floor(rng.logNormal(7, 0.9)));
}

/** Min-heap of sessions in progress by (next ts, session id). */
class SessionHeap {
  private readonly items: Session[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Session | undefined {
    return this.items[0];
  }

  push(session: Session): void {
    const items = this.items;
    items.push(session);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as Session, items[parent] as Session)) break;
      [items[i], items[parent]] = [items[parent] as Session, items[i] as Session];
      i = parent;
    }
  }

  pop(): Session | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left] as Session, items[smallest] as Session)) smallest = left;
        if (right < items.length && before(items[right] as Session, items[smallest] as Session)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as Session, items[i] as Session];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Session, b: Session): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

export function dateOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `log_data/YYYY/MM/YYYY-MM-DD-events.json` */
export function logFileKey(dayStartMs: number): string {
  const date = dateOf(dayStartMs);
  return `log_data/${date.slice(0, 4)}/${date.slice(5, 7)}/${date}-events.json`;
}

/** Writes one day's log file through `writer` and returns what a reader of it must find. */
export async function writeLogDay(
  world: LogWorld,
  writer: ChunkWriter,
  options: LogDayOptions,
): Promise<LogFileExpectation> {
  const { key, dayStartMs, rng, faultRng } = options;
  if (options.events === undefined && options.targetBytes === undefined)
    throw new RangeError('a log file needs events or targetBytes');
  if (options.events !== undefined && (!Number.isInteger(options.events) || options.events < 0)) {
    throw new RangeError(`events must be a whole number ≥ 0, not ${options.events}`);
  }
  const faults = options.faults ?? { rate: 0, line: [], file: [] };
  const lineFaultsFor = {
    nextSong: faults.line,
    other: faults.line.filter((fault) => !NEXT_SONG_ONLY_FAULTS.has(fault)),
  };
  const fieldRejects: ExpectedFieldReject[] = [];
  let rescuedFields = 0;
  const fileFaults = faults.rate > 0 ? faults.file.filter(() => faultRng.chance(faults.rate)) : [];
  const out = new LineOutput(writer, fileFaults.includes('crlf'), fileFaults.includes('bom'));
  const dayEnd = dayStartMs + DAY_MS;
  const badRecords: ExpectedBadRecord[] = [];
  const counts = { blankLines: 0, events: 0, nextSongEvents: 0, goodPlays: 0, duplicatePlays: 0, matchedPlays: 0 };
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  let emitted = 0;
  const targetBytes = options.targetBytes;
  const done = () => (targetBytes !== undefined ? out.bytes >= targetBytes : emitted >= (options.events as number));

  const startSession = (start: number, size: number): Session => {
    const user = world.pickUser(rng);
    const guest = rng.chance(0.02);
    const loginAt = !guest && size >= 3 && rng.chance(0.08) ? rng.int(0, 1) : -1;
    const logoutAt = !guest && size >= 4 && rng.chance(0.12) ? size - 1 - rng.int(0, 1) : -1;
    return {
      id: world.takeSessionId(),
      user,
      length: size,
      item: 0,
      ts: start,
      guest,
      loginAt,
      logoutAt,
      follow: undefined,
    };
  };

  /** The session's next event: its line(s) written, expectations counted, the session advanced. */
  const emit = (session: Session): void => {
    const { user, item } = session;
    const ts = session.ts;
    const level = user.level;
    let parts: EventParts;
    let song: PlayableSong | undefined;
    let gapMs: number;
    const loggedOut = session.guest || item < session.loginAt || (session.logoutAt >= 0 && item > session.logoutAt);
    if (loggedOut) {
      // Guests sometimes try to log in and fail; others browse.
      parts = loggedOutParts(
        session.guest && rng.chance(0.1) ? LOGIN : LOGGED_OUT_PAGES.pick(rng),
        item,
        session.id,
        ts,
        level,
      );
      gapMs = rng.int(1_000, 40_000);
    } else if (item === session.loginAt) {
      // The Login itself is still logged out.
      parts = loggedOutParts(LOGIN, item, session.id, ts, level);
      gapMs = rng.int(200, 3_000);
    } else if (item === session.logoutAt) {
      parts = loggedInParts(user, LOGOUT, undefined, item, session.id, ts, level);
      session.follow = undefined;
      gapMs = rng.int(1_000, 30_000);
    } else {
      // Half the sessions open on the Home page, as in the real logs.
      const opening = item === session.loginAt + 1 && rng.chance(0.5);
      const spec = session.follow ?? (opening ? HOME : (level === 'free' ? FREE_PAGES : PAID_PAGES).pick(rng));
      session.follow = undefined;
      if (spec === NEXT_SONG) song = world.pickSong(rng);
      parts = loggedInParts(user, spec, song, item, session.id, ts, level);
      if (song) gapMs = rng.chance(0.8) ? song.lengthMs : rng.int(3_000, Math.max(3_001, song.lengthMs));
      else gapMs = rng.int(500, 45_000);
      if (spec === UPGRADE && rng.chance(0.25)) session.follow = SUBMIT_UPGRADE;
      else if (spec === DOWNGRADE && rng.chance(0.1)) session.follow = SUBMIT_DOWNGRADE;
      else if (spec === SETTINGS && rng.chance(0.3)) session.follow = SAVE_SETTINGS;
      else if (spec === SUBMIT_UPGRADE) user.level = 'paid';
      else if (spec === SUBMIT_DOWNGRADE) user.level = 'free';
    }
    const isNextSong = parts.page === NEXT_SONG;

    // Faults: drawn from their own generator, so the events underneath stay the same.
    let fault: LogLineFault | undefined;
    if (faults.rate > 0 && faultRng.next() < faults.rate) {
      const applicable = isNextSong ? lineFaultsFor.nextSong : lineFaultsFor.other;
      if (applicable.length > 0) fault = faultRng.pick(applicable);
    }
    if (fault === 'blank-line') {
      out.add(faultRng.pick(['', '', ' ', '\t', '   ']));
      counts.blankLines++;
    }
    if (fault === undefined || !BAD_LINE_FAULTS.has(fault)) {
      const { line, fieldSetAside } = keptLine(parts, fault, faultRng);
      const lineNumber = out.add(line, true);
      counts.events++;
      if (isNextSong && song) {
        counts.nextSongEvents++;
        counts.goodPlays++;
        // A play whose song, artist or length was set aside (NULL) matches no song.
        if (song.matches && !(fieldSetAside && MATCH_FIELDS.has(fieldSetAside))) counts.matchedPlays++;
        world.recordGoodPlay(user.id, ts, session.id, item, level);
        if (fieldSetAside)
          fieldRejects.push({ key, line: lineNumber, field: fieldSetAside, fault: fault as LogLineFault });
        if (fault === 'unknown-field') rescuedFields++;
        if (fault === 'duplicate-event') {
          out.add(line, true);
          counts.events++;
          counts.nextSongEvents++;
          counts.duplicatePlays++;
        }
      }
    } else {
      const line = faultyLine(parts, fault, faultRng, () => eventLine(parts));
      if (typeof line === 'string' && ['truncated-line', 'garbage-line', 'array-line'].includes(fault))
        assertNotAnObject(line, fault);
      const lineNumber = out.add(line);
      badRecords.push({ key, line: lineNumber, fault });
      if (STILL_AN_EVENT.has(fault)) {
        counts.events++;
        if (isNextSong) counts.nextSongEvents++;
      }
    }
    emitted++;
    firstTs ??= ts;
    lastTs = ts;

    session.item++;
    const remaining = session.length - session.item;
    if (remaining > 0) {
      // Strictly increasing within the session, and the whole session inside its day.
      const room = Math.floor((dayEnd - 1 - ts) / remaining);
      session.ts = ts + Math.max(1, Math.min(gapMs, room));
    }
  };

  const runPlan = async (plan: SessionPlan): Promise<void> => {
    const active = new SessionHeap();
    while (!done()) {
      const next = active.peek();
      if (!plan.exhausted && (!next || plan.startOfNext <= next.ts)) {
        const { start, size } = plan.take();
        if (size > 0) active.push(startSession(start, size));
        continue;
      }
      const session = active.pop();
      if (!session) break;
      emit(session);
      if (session.item < session.length) active.push(session);
      if (out.full) {
        await out.flush();
        options.onBytes?.(out.bytes);
      }
    }
  };

  const planEnd = dayEnd - LAST_START_MARGIN_MS;
  if (targetBytes === undefined) {
    await runPlan(new SessionPlan(rng, 'day', options.events as number, dayStartMs, planEnd));
  } else {
    // Plan a little more than the estimate and stop at the target; if lines ran longer than
    // estimated, plan again for what is left of the day.
    const lineBytes = world.estimateLineBytes(rng.fork('estimate'));
    let round = 0;
    while (!done()) {
      const from = lastTs === null ? dayStartMs : Math.min(lastTs + 1, planEnd - 1);
      const events = Math.ceil(((targetBytes - out.bytes) / lineBytes) * 1.03) + 10;
      await runPlan(new SessionPlan(rng, `round-${round++}`, events, from, planEnd));
    }
  }
  await out.close();
  options.onBytes?.(out.bytes);
  return {
    key,
    date: dateOf(dayStartMs),
    bytes: out.bytes,
    lines: out.lines,
    ...counts,
    badRecords,
    fieldRejects,
    rescuedFields,
    fileFaults,
    firstTs,
    lastTs,
  };
}
