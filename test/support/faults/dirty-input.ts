/**
 * One generated input folder holding every kind of bad record and bad file the contract names,
 * next to good ones, each case declared with what the lake must make of it: a play, a song, a
 * reject (with its line and a pattern of its reason), or nothing (blank lines, non-NextSong events,
 * an empty log file). Tests compare the lake with these declarations, not with the code's output.
 */
import { writeInput } from './inputs.js';

export interface ExpectedReject {
  readonly source_key: string;
  /** null for a song file. */
  readonly line: number | null;
  /** The field set aside in a kept record; null when the whole record or file was set aside. */
  readonly field: string | null;
  readonly reason: RegExp;
  /** The rejected text as stored (a log line without its CR; a song file as it is). */
  readonly raw: string;
  readonly source: 'song_data' | 'log_data';
}

export interface ExpectedPlay {
  readonly songplay_id: string;
  readonly source_key: string;
  readonly source_line: number;
  /** The song it must match, or null. */
  readonly song_id: string | null;
}

export interface DirtyInput {
  readonly songFiles: number;
  readonly logFiles: number;
  /** Good song files: song_id → source key. */
  readonly songs: Readonly<Record<string, string>>;
  readonly plays: readonly ExpectedPlay[];
  readonly rejects: readonly ExpectedReject[];
  /** Valid JSON events (any page) and NextSong events among them, as the ingest summary counts them. */
  readonly logEvents: { readonly all: number; readonly nextSong: number };
}

const BOM = '\uFEFF';
const TS = 1541376000000; // 2018-11-05T00:00:00Z

function event(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    artist: 'Some Artist',
    auth: 'Logged In',
    firstName: 'Ann',
    gender: 'F',
    itemInSession: 0,
    lastName: 'Lee',
    length: 200.5,
    level: 'free',
    location: 'Somewhere',
    method: 'PUT',
    page: 'NextSong',
    registration: 1540919166796.0,
    sessionId: 500,
    song: 'Some Song',
    status: 200,
    ts: TS,
    userAgent: 'agent',
    userId: '42',
    ...fields,
  };
}

const song = (fields: Record<string, unknown>): Record<string, unknown> => ({
  num_songs: 1,
  artist_id: 'ARDIRTY0000000001',
  artist_latitude: null,
  artist_longitude: null,
  artist_location: '',
  artist_name: 'Nobody',
  song_id: 'SODIRTY0000000000',
  title: 'Nothing',
  duration: 100,
  year: 2001,
  ...fields,
});

/** Keys with a space, a non-ASCII letter, `+` and `%`: S3 event encoding and output naming must cope. */
export const UNICODE_SONG_KEY = 'song_data/A/B/C/TR é 1.json';
export const PLUS_SONG_KEY = 'song_data/A/B/C/TR+50%.json';
export const DIRTY_LOG_KEY = 'log_data/2018/11/2018-11-05-events.json';
export const UNICODE_LOG_KEY = 'log_data/2018/11/2018 11 07 événements.json';

export function writeDirtyInput(dir: string): DirtyInput {
  const rejects: ExpectedReject[] = [];
  const plays: ExpectedPlay[] = [];
  const songs: Record<string, string> = {};

  // --- song files -----------------------------------------------------------------------------
  const goodSong = (key: string, text: string, songId: string): void => {
    writeInput(dir, key, text);
    songs[songId] = key;
  };
  const badSong = (key: string, content: string | Uint8Array, reason: RegExp): void => {
    writeInput(dir, key, content);
    const raw = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    rejects.push({ source_key: key, line: null, field: null, reason, raw, source: 'song_data' });
  };
  /** A song kept with one field set aside. */
  const songWithFieldAside = (key: string, text: string, songId: string, field: string, reason: RegExp): void => {
    goodSong(key, text, songId);
    rejects.push({ source_key: key, line: null, field, reason, raw: text, source: 'song_data' });
  };
  // Numbers where text belongs: valid, stored as their decimal text ("112", "4.6").
  goodSong(
    UNICODE_SONG_KEY,
    JSON.stringify(
      song({
        song_id: 'SODIRTY0000000001',
        artist_name: 112,
        title: 4.6,
        duration: 123.45,
        artist_id: 'ARDIRTY0000000112',
      }),
    ),
    'SODIRTY0000000001',
  );
  // A UTF-8 BOM and CRLF line endings in a pretty-printed file.
  goodSong(
    'song_data/A/B/C/TRBOMCRLF.json',
    BOM +
      JSON.stringify(song({ song_id: 'SODIRTY0000000002', title: 'Zoë’s song', year: 0 }), null, 4).replace(
        /\n/g,
        '\r\n',
      ),
    'SODIRTY0000000002',
  );
  goodSong(PLUS_SONG_KEY, JSON.stringify(song({ song_id: 'SODIRTY0000000003', title: 'Plus' })), 'SODIRTY0000000003');
  badSong('song_data/A/B/C/TRARRAY.json', JSON.stringify([song({ song_id: 'SODIRTYARRAY' })]), /array/);
  badSong('song_data/A/B/C/TREMPTY.json', '', /empty/);
  badSong('song_data/A/B/C/TRTRUNCATED.json', '{"num_songs": 1, "artist_id": "ARX", "song_id": "SOX", "tit', /JSON/);
  badSong('song_data/A/B/C/TRNOSONGID.json', JSON.stringify(song({ song_id: undefined })), /song_id/);
  badSong(
    'song_data/A/B/C/TRBADARTIST.json',
    JSON.stringify(song({ song_id: 'SODIRTYARTIST', artist_id: '' })),
    /artist_id/,
  );
  // Numbers as strings are accepted: year "2001" is 2001.
  goodSong(
    'song_data/A/B/C/TRYEARTEXT.json',
    JSON.stringify(song({ song_id: 'SODIRTYYEAR', year: '2001', duration: '100.5' })),
    'SODIRTYYEAR',
  );
  // An invalid non-key field: year 0 (unknown), the song kept, a rejects row naming the field.
  songWithFieldAside(
    'song_data/A/B/C/TRYEARBAD.json',
    JSON.stringify(song({ song_id: 'SODIRTYYEARBAD', year: 'soon' })),
    'SODIRTYYEARBAD',
    'year',
    /^year: expected a whole number, got the string "soon"; stored as 0/,
  );
  // A number token a double would respell: stored with every character.
  goodSong(
    'song_data/A/B/C/TRTOKEN.json',
    JSON.stringify(song({ song_id: 'SODIRTYTOKEN', title: 'TOKEN' })).replace('"TOKEN"', '4.60'),
    'SODIRTYTOKEN',
  );
  badSong(
    'song_data/A/B/C/TRDUPKEY.json',
    JSON.stringify(song({ song_id: 'SODIRTYDUP' })).replace(/}$/, ',"song_id":"SODIRTYDUP2"}'),
    /^duplicated key "song_id"/,
  );
  badSong(
    'song_data/A/B/C/TRSURROGATE.json',
    JSON.stringify(song({ song_id: 'SODIRTYSURR', title: 'X' })).replace('"X"', '"\\ud83d"'),
    /^not valid Unicode: unpaired surrogate escape/,
  );
  badSong(
    'song_data/A/B/C/TRLATIN1.json',
    Buffer.from(JSON.stringify(song({ song_id: 'SODIRTYLATIN1', title: 'Caf\u00e9' })), 'latin1'),
    /^not valid UTF-8: byte 0xE9 at byte \d+$/,
  );

  // --- the dirty log: BOM, CRLF, blank lines, bad records between good ones -------------------
  const lines: string[] = [];
  let all = 0;
  let nextSong = 0;
  /**
   * One line and what it must give. `notAnEvent`: a line JSON.parse reads as an object but the
   * contract does not (a duplicated key, a lone surrogate escape, bytes that are not UTF-8).
   * `field`: a play kept with that field set aside. A NUL in the text stands for a 0xFF byte.
   */
  const add = (
    text: string,
    outcome: 'play' | 'other' | 'blank' | RegExp,
    play?: Partial<ExpectedPlay>,
    options: { notAnEvent?: boolean; field?: { name: string; reason: RegExp } } = {},
  ): void => {
    lines.push(text);
    const line = lines.length;
    if (outcome === 'play' || outcome === 'other') {
      all += 1;
      if (outcome === 'play') {
        nextSong += 1;
        const e = JSON.parse(text.replace(BOM, '')) as Record<string, unknown>;
        plays.push({
          songplay_id: `${Number(e.userId)}-${Number(e.sessionId)}-${Number(e.itemInSession)}-${Number(e.ts)}`,
          source_key: DIRTY_LOG_KEY,
          source_line: line,
          song_id: null,
          ...play,
        });
        if (options.field)
          rejects.push({
            source_key: DIRTY_LOG_KEY,
            line,
            field: options.field.name,
            reason: options.field.reason,
            raw: text,
            source: 'log_data',
          });
      }
    } else if (outcome instanceof RegExp) {
      rejects.push({
        source_key: DIRTY_LOG_KEY,
        line,
        field: null,
        reason: outcome,
        raw: text.replace('\u0000', '\uFFFD'),
        source: 'log_data',
      });
      if (options.notAnEvent) return;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          all += 1;
          if ((parsed as { page?: unknown }).page === 'NextSong') nextSong += 1;
        }
      } catch {
        // not JSON: neither an event nor a NextSong event
      }
    }
  };
  add(BOM + JSON.stringify(event({ itemInSession: 1 })), 'play');
  // Numbers where text belongs: artist 112, song 4.6 match the song stored as "112" / "4.6".
  add(JSON.stringify(event({ itemInSession: 2, artist: 112, song: 4.6, length: 123.45 })), 'play', {
    song_id: 'SODIRTY0000000001',
  });
  add('', 'blank');
  add('{"artist":"Truncated","page":"NextSong","ts":15413', /JSON/);
  // Numbers as strings are accepted.
  add(JSON.stringify(event({ itemInSession: 4, ts: String(TS - 4), sessionId: '500', length: '200.5' })), 'play');
  // A ts in seconds by mistake is outside 1990-2100 as milliseconds.
  add(JSON.stringify(event({ itemInSession: 40, ts: TS / 1000 })), /ts: epoch milliseconds outside/);
  add(JSON.stringify(event({ itemInSession: 5, sessionId: 1.5 })), /sessionId/);
  add(JSON.stringify(event({ itemInSession: 6, userId: '' })), /userId/);
  // A logged-out Home event with userId "": not a play and not an error.
  add(
    JSON.stringify(event({ itemInSession: 7, userId: '', page: 'Home', artist: null, song: null, length: null })),
    'other',
  );
  add('[1,2,3]', /object/);
  add('   ', 'blank');
  add(JSON.stringify(event({ itemInSession: undefined })), /itemInSession/);
  add(JSON.stringify(event({ itemInSession: 11, userId: 'abc' })), /userId/);
  add(JSON.stringify(event({ itemInSession: 12, firstName: 'Zoë', location: 'Montréal, QC', ts: TS + 1 })), 'play');
  // Issue 10's edges: a duplicated key, a lone surrogate escape, a byte that is not UTF-8 (bad, on any page) ...
  add(
    JSON.stringify(event({ itemInSession: 13, page: 'Home' })).replace(/}$/, ',"page":"NextSong"}'),
    /^line \d+: duplicated key "page"/,
    undefined,
    { notAnEvent: true },
  );
  add(
    JSON.stringify(event({ itemInSession: 14, song: 'X' })).replace('"X"', '"\\ud83d"'),
    /^line \d+: not valid Unicode: unpaired surrogate escape \\ud83d/,
    undefined,
    { notAnEvent: true },
  );
  add(
    JSON.stringify(event({ itemInSession: 15, song: 'X' })).replace('"X"', '"X\u0000"'),
    /^line \d+: not valid UTF-8: byte 0xFF at byte \d+$/,
    undefined,
    { notAnEvent: true },
  );
  // ... a user id with a leading zero (user 42), a number token kept exactly, an invalid non-key field (kept, set aside), an unknown field (rescued).
  add(
    JSON.stringify(event({ itemInSession: 16, userId: '042', ts: TS - 16 })).replace(
      '"location":"Somewhere"',
      '"location":4.60',
    ),
    'play',
  );
  add(JSON.stringify(event({ itemInSession: 17, length: { seconds: 200 }, ts: TS - 17 })), 'play', undefined, {
    field: {
      name: 'length',
      reason: /^line \d+: length: expected a number, got an object; stored as NULL, the event is kept$/,
    },
  });
  add(JSON.stringify(event({ itemInSession: 18, ts: TS - 18, deviceId: 'phone-1' })), 'play');
  // CRLF everywhere, no newline after the last line; the NUL marker becomes a byte that is not UTF-8.
  const logBytes = Buffer.from(lines.join('\r\n'), 'utf8');
  logBytes[logBytes.indexOf(0)] = 0xff;
  writeInput(dir, DIRTY_LOG_KEY, logBytes);

  writeInput(dir, 'log_data/2018/11/2018-11-06-events.json', '');
  const unicodeLine = JSON.stringify(
    event({ userId: '43', sessionId: 501, itemInSession: 0, ts: TS + 2 * 86_400_000 }),
  );
  writeInput(dir, UNICODE_LOG_KEY, `${unicodeLine}\n`);
  all += 1;
  nextSong += 1;
  plays.push({
    songplay_id: `43-501-0-${TS + 2 * 86_400_000}`,
    source_key: UNICODE_LOG_KEY,
    source_line: 1,
    song_id: null,
  });

  return { songFiles: 14, logFiles: 3, songs, plays, rejects, logEvents: { all, nextSong } };
}
