/**
 * Hand-made landing records for tests: one app event or one song with every field the contract
 * lists, in the real files' spelling; a test overrides only the fields its case is about.
 */

/** A NextSong event of user 7 on 2018-11-01, naming no song. */
const EVENT_DEFAULTS: Readonly<Record<string, unknown>> = {
  artist: null,
  auth: 'Logged In',
  firstName: 'Ann',
  gender: 'F',
  itemInSession: 0,
  lastName: 'Lee',
  length: null,
  level: 'free',
  location: 'Köln',
  method: 'PUT',
  page: 'NextSong',
  registration: 1540000000000,
  sessionId: 100,
  song: null,
  status: 200,
  ts: 1541106106796,
  userAgent: 'Mozilla/5.0',
  userId: '7',
};

/** One log line: the default event with these fields. */
export function eventLine(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...EVENT_DEFAULTS, ...fields });
}

/** One song file's text: a song of unknown year and place, with these fields. */
export function songFile(fields: Record<string, unknown>): string {
  return JSON.stringify({
    num_songs: 1,
    artist_latitude: null,
    artist_longitude: null,
    artist_location: '',
    year: 0,
    ...fields,
  });
}
