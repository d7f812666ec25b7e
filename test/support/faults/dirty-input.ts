/**
 * One generated input folder holding every kind of bad record and bad file the contract names,
 * next to good ones, each case declared with what the lake must make of it: a play, a song, a
 * reject (with its line and a pattern of its reason), or nothing (blank lines, non-NextSong events,
 * an empty log file). Tests compare the lake with these declarations, not with the code's output.
 */
import { writeInput } from './inputs.js';

export interface ExpectedReject {
  readonly source_key: string;
  /** null for a whole bad song file. */
  readonly line: number | null;
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
    artist: 'Some Artist', auth: 'Logged In', firstName: 'Ann', gender: 'F', itemInSession: 0, lastName: 'Lee', length: 200.5, level: 'free',
    location: 'Somewhere', method: 'PUT', page: 'NextSong', registration: 1540919166796.0, sessionId: 500, song: 'Some Song', status: 200,
    ts: TS, userAgent: 'agent', userId: '42', ...fields,
  };
}

const song = (fields: Record<string, unknown>): Record<string, unknown> => ({
  num_songs: 1, artist_id: 'ARDIRTY0000000001', artist_latitude: null, artist_longitude: null, artist_location: '', artist_name: 'Nobody',
  song_id: 'SODIRTY0000000000', title: 'Nothing', duration: 100, year: 2001, ...fields,
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
  const badSong = (key: string, text: string, reason: RegExp): void => {
    writeInput(dir, key, text);
    rejects.push({ source_key: key, line: null, reason, raw: text, source: 'song_data' });
  };
  // Numbers where text belongs: valid, stored as their decimal text ("112", "4.6").
  goodSong(UNICODE_SONG_KEY, JSON.stringify(song({ song_id: 'SODIRTY0000000001', artist_name: 112, title: 4.6, duration: 123.45, artist_id: 'ARDIRTY0000000112' })), 'SODIRTY0000000001');
  // A UTF-8 BOM and CRLF line endings in a pretty-printed file.
  goodSong('song_data/A/B/C/TRBOMCRLF.json', BOM + JSON.stringify(song({ song_id: 'SODIRTY0000000002', title: 'Zoë’s song', year: 0 }), null, 4).replace(/\n/g, '\r\n'), 'SODIRTY0000000002');
  goodSong(PLUS_SONG_KEY, JSON.stringify(song({ song_id: 'SODIRTY0000000003', title: 'Plus' })), 'SODIRTY0000000003');
  badSong('song_data/A/B/C/TRARRAY.json', JSON.stringify([song({ song_id: 'SODIRTYARRAY' })]), /array/);
  badSong('song_data/A/B/C/TREMPTY.json', '', /empty/);
  badSong('song_data/A/B/C/TRTRUNCATED.json', '{"num_songs": 1, "artist_id": "ARX", "song_id": "SOX", "tit', /JSON/);
  badSong('song_data/A/B/C/TRNOSONGID.json', JSON.stringify(song({ song_id: undefined })), /song_id/);
  badSong('song_data/A/B/C/TRYEARTEXT.json', JSON.stringify(song({ song_id: 'SODIRTYYEAR', year: '2001' })), /year/);
  badSong('song_data/A/B/C/TRBADARTIST.json', JSON.stringify(song({ song_id: 'SODIRTYARTIST', artist_id: '' })), /artist_id/);

  // --- the dirty log: BOM, CRLF, blank lines, bad records between good ones -------------------
  const lines: string[] = [];
  let all = 0;
  let nextSong = 0;
  const add = (text: string, outcome: 'play' | 'other' | 'blank' | RegExp, play?: Partial<ExpectedPlay>): void => {
    lines.push(text);
    const line = lines.length;
    if (outcome === 'play' || outcome === 'other') {
      all += 1;
      if (outcome === 'play') {
        nextSong += 1;
        const e = JSON.parse(text.replace(BOM, '')) as Record<string, unknown>;
        plays.push({ songplay_id: `${Number(e.userId)}-${String(e.sessionId)}-${String(e.itemInSession)}`, source_key: DIRTY_LOG_KEY, source_line: line, song_id: null, ...play });
      }
    } else if (outcome instanceof RegExp) {
      rejects.push({ source_key: DIRTY_LOG_KEY, line, reason: outcome, raw: text, source: 'log_data' });
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
  add(JSON.stringify(event({ itemInSession: 2, artist: 112, song: 4.6, length: 123.45 })), 'play', { song_id: 'SODIRTY0000000001' });
  add('', 'blank');
  add('{"artist":"Truncated","page":"NextSong","ts":15413', /JSON/);
  add(JSON.stringify(event({ itemInSession: 4, ts: String(TS) })), /ts/);
  add(JSON.stringify(event({ itemInSession: 5, sessionId: 1.5 })), /sessionId/);
  add(JSON.stringify(event({ itemInSession: 6, userId: '' })), /userId/);
  // A logged-out Home event with userId "": not a play and not an error.
  add(JSON.stringify(event({ itemInSession: 7, userId: '', page: 'Home', artist: null, song: null, length: null })), 'other');
  add('[1,2,3]', /object/);
  add('   ', 'blank');
  add(JSON.stringify(event({ itemInSession: undefined })), /itemInSession/);
  add(JSON.stringify(event({ itemInSession: 11, userId: 'abc' })), /userId/);
  add(JSON.stringify(event({ itemInSession: 12, firstName: 'Zoë', location: 'Montréal, QC', ts: TS + 1 })), 'play');
  // CRLF everywhere, no newline after the last line.
  writeInput(dir, DIRTY_LOG_KEY, lines.join('\r\n'));

  writeInput(dir, 'log_data/2018/11/2018-11-06-events.json', '');
  const unicodeLine = JSON.stringify(event({ userId: '43', sessionId: 501, itemInSession: 0, ts: TS + 2 * 86_400_000 }));
  writeInput(dir, UNICODE_LOG_KEY, `${unicodeLine}\n`);
  all += 1;
  nextSong += 1;
  plays.push({ songplay_id: '43-501-0', source_key: UNICODE_LOG_KEY, source_line: 1, song_id: null });

  return { songFiles: 9, logFiles: 3, songs, plays, rejects, logEvents: { all, nextSong } };
}
