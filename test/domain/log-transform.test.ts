/** G7 and G7b (docs/ARCHITECTURE.md): the log transform, line by line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  transformLogLines,
  transformLogStreamInto,
  LogFileTransform,
  type LogFileResult,
} from '../../src/domain/log-transform.js';
import { SAMPLE_DIR } from '../support/paths.js';
import type { PlayRow, RejectRow } from '../../src/domain/rows.js';

const KEY = 'log_data/2018/11/2018-11-99-events.json';

const nextSong = {
  artist: 'Elena',
  auth: 'Logged In',
  firstName: 'Lily',
  gender: 'F',
  itemInSession: 5,
  lastName: 'Koch',
  length: 269.58322,
  level: 'paid',
  location: 'Chicago-Naperville-Elgin, IL-IN-WI',
  method: 'PUT',
  page: 'NextSong',
  registration: 1541048010796.0,
  sessionId: 818,
  song: 'Setanta matins',
  status: 200,
  ts: 1542837407796,
  userAgent: '"Mozilla/5.0"',
  userId: '15',
};

function line(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...nextSong, ...overrides });
}

describe('transformLogLines on a real sample file', () => {
  it('keeps one row per NextSong event and skips the other pages', async () => {
    const key = 'log_data/2018/11/2018-11-21-events.json';
    const text = readFileSync(join(SAMPLE_DIR, key), 'utf8');
    const lines = text.split('\n');
    const expectedPlays = lines.filter((l) => JSON.parse(l).page === 'NextSong').length;
    const result = await transformLogLines(key, lines);
    expect(result.rejects).toEqual([]);
    expect(result.plays).toHaveLength(expectedPlays);
    expect(result.stats).toMatchObject({
      lines: lines.length,
      events: lines.length,
      nextSongEvents: expectedPlays,
      rejectedLines: 0,
    });
    const elena = result.plays.find((p) => p.song === 'Setanta matins');
    expect(elena).toMatchObject({
      songplay_id: '15-818-5-1542837407796',
      start_time: Date.UTC(2018, 10, 21, 21, 56, 47, 796),
      user_id: 15,
      session_id: 818,
      item_in_session: 5,
      level: 'paid',
      artist: 'Elena',
      length: 269.58322,
      year: 2018,
      month: 11,
      day: 21,
      hour: 21,
      week: 47,
      weekday: 4,
      source_key: key,
      rescued_data: null,
    });
    expect(elena?.source_line).toBe(lines.findIndex((l) => l.includes('Setanta matins')) + 1);
  });
});

describe('transformLogLines edge cases', () => {
  it('tolerates CRLF line endings, a BOM, blank lines and no final newline', async () => {
    const text = `\uFEFF${line({ itemInSession: 1 })}\r\n\r\n   \r\n${line({ itemInSession: 2 })}\r\n${line({ itemInSession: 3 })}`;
    const result = await transformLogLines(KEY, text.split('\n'));
    expect(result.rejects).toEqual([]);
    expect(result.plays.map((p) => [p.item_in_session, p.source_line])).toEqual([
      [1, 1],
      [2, 4],
      [3, 5],
    ]);
    expect(result.stats.blankLines).toBe(2);
    expect(result.plays[2]?.user_agent).toBe('"Mozilla/5.0"');
  });

  it('sets aside bad records with line and reason, and keeps every good line', async () => {
    const lines = [
      line({ itemInSession: 1 }),
      '{"artist": "truncated',
      line({ itemInSession: 2, userId: '' }),
      line({ itemInSession: 3, ts: null }),
      line({ itemInSession: 4, sessionId: '818' }),
      line({ itemInSession: 5.5 }),
      line({ itemInSession: 6, userId: '99999999999' }),
      '[1, 2]',
      line({ itemInSession: 7, length: 'long' }),
      line({ itemInSession: 8, page: 'Home', userId: '' }),
      line({ itemInSession: 9 }),
    ];
    const result = await transformLogLines(KEY, lines);
    expect(result.plays.map((p) => p.item_in_session)).toEqual([1, 4, 7, 9]);
    expect(result.rejects.map((r) => [r.line, r.reason, r.field])).toEqual([
      [2, 'line 2: not valid JSON: unterminated string at position 11', null],
      [3, 'line 3: userId: empty', null],
      [4, 'line 4: ts: missing', null],
      [6, 'line 6: itemInSession: expected a 32-bit integer, got the number 5.5', null],
      [7, 'line 7: userId: expected a 32-bit integer, got the string "99999999999"', null],
      [8, 'line 8: expected a JSON object, got an array', null],
      [9, 'line 9: length: expected a number, got the string "long"; stored as NULL, the event is kept', 'length'],
    ]);
    for (const reject of result.rejects) {
      expect(reject.source_key).toBe(KEY);
      expect(reject.source).toBe('log_data');
      expect(reject.raw).toBe(lines[(reject.line ?? 0) - 1]);
    }
    expect(result.stats).toEqual({
      lines: 11,
      events: 9,
      nextSongEvents: 8,
      blankLines: 0,
      rejectedLines: 6,
      rejectedFields: 1,
      rescuedFields: 0,
    });
  });

  it('stores numbers that arrive in text columns as text, and a numeric userId as the id', async () => {
    const result = await transformLogLines(KEY, [line({ artist: 112, song: 4.6, location: 27, userId: 15 })]);
    expect(result.plays[0]).toMatchObject({ artist: '112', song: '4.6', location: '27', user_id: 15 });
  });

  it('keeps text exactly: no trimming, no case folding, unicode intact', async () => {
    const result = await transformLogLines(KEY, [line({ song: ' Björk  ', artist: 'SIGUR RÓS 😀' })]);
    expect(result.plays[0]).toMatchObject({ song: ' Björk  ', artist: 'SIGUR RÓS 😀' });
  });

  it('derives songplay_id from the event identity (userId, sessionId, itemInSession, ts) only', async () => {
    const ts = Date.UTC(2018, 10, 5);
    const a = await transformLogLines('log_data/a.json', [line({ ts })]);
    const b = await transformLogLines('log_data/b.json', [
      line({ ts, level: 'free', song: 'Other', location: 'Elsewhere' }),
    ]);
    const c = await transformLogLines('log_data/a.json', [line({ ts: ts + 1 })]);
    expect(a.plays[0]?.songplay_id).toBe(`15-818-5-${ts}`);
    expect(b.plays[0]?.songplay_id).toBe(a.plays[0]?.songplay_id);
    expect(c.plays[0]?.songplay_id).toBe(`15-818-5-${ts + 1}`);
  });

  it('partitions by the UTC month of each event, not of the file', () => {
    const plays: PlayRow[] = [];
    const transform = new LogFileTransform(KEY, {
      play: (row) => plays.push(row),
      reject: (row) => expect.fail(row.reason),
    });
    transform.addLine(line({ ts: Date.UTC(2018, 10, 30, 23, 59, 59, 999) }), 1);
    transform.addLine(line({ ts: Date.UTC(2018, 11, 1, 0, 0, 0, 0), itemInSession: 6 }), 2);
    expect(plays.map((p) => [p.year, p.month, p.day])).toEqual([
      [2018, 11, 30],
      [2018, 12, 1],
    ]);
  });
});

/**
 * A NextSong line written field by field as raw JSON, so that tokens keep their spelling
 * (JSON.stringify would turn 4.60 into 4.6): `raw` replaces fields' JSON, `undefined` drops one.
 */
function rawLine(raw: Record<string, string | undefined> = {}, extra = ''): string {
  const fields: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(nextSong)) fields[name] = JSON.stringify(value);
  Object.assign(fields, raw);
  const parts = Object.entries(fields)
    .filter(([, json]) => json !== undefined)
    .map(([name, json]) => `"${name}":${json}`);
  return `{${parts.join(',')}${extra}}`;
}

async function one(text: string): Promise<LogFileResult> {
  return transformLogLines(KEY, [text]);
}

async function onePlay(text: string): Promise<PlayRow> {
  const result = await one(text);
  expect(result.rejects.filter((r) => r.field === null)).toEqual([]);
  expect(result.plays).toHaveLength(1);
  return result.plays[0] as PlayRow;
}

async function badRecord(text: string): Promise<RejectRow> {
  const result = await one(text);
  expect(result.plays).toEqual([]);
  expect(result.rejects).toHaveLength(1);
  expect(result.rejects[0]?.field).toBeNull();
  expect(result.stats.rejectedLines).toBe(1);
  return result.rejects[0] as RejectRow;
}

describe('issue 10, rule 1: text columns keep the exact characters of JSON number and literal tokens', () => {
  it('4.60 stays 4.60, 1.0 stays 1.0, a 20-digit integer keeps every digit, true stays true', async () => {
    const play = await onePlay(
      rawLine({
        artist: '4.60',
        song: '1.0',
        location: '12345678901234567890',
        firstName: 'true',
        lastName: 'false',
        gender: '-0.5E+3',
      }),
    );
    expect(play).toMatchObject({
      artist: '4.60',
      song: '1.0',
      location: '12345678901234567890',
      first_name: 'true',
      last_name: 'false',
      gender: '-0.5E+3',
    });
  });

  it('a duplicated key makes the line a bad record, on any page', async () => {
    const text = rawLine({}, ',"page":"Home"');
    expect((await badRecord(text)).reason).toBe(
      `line 1: duplicated key "page" at position ${text.lastIndexOf('"page"')}`,
    );
    const home = await one('{"page":"Home","userId":"","page":"Home"}');
    expect(home.rejects.map((r) => r.reason)).toEqual([expect.stringContaining('duplicated key "page"')]);
    expect(home.stats.events).toBe(0);
  });

  it('an unpaired surrogate escape makes the line bad; a proper pair decodes', async () => {
    expect((await badRecord(rawLine({ song: '"Heart \\uD83D"' }))).reason).toMatch(
      /^line 1: not valid Unicode: unpaired surrogate escape \\uD83D at position \d+$/,
    );
    expect((await badRecord(rawLine({ artist: '"\\uDE00 x"' }))).reason).toContain('unpaired surrogate escape \\uDE00');
    expect((await onePlay(rawLine({ song: '"Heart \\uD83D\\uDE00"' }))).song).toBe('Heart 😀');
  });

  it('an object or array where text belongs is a field set aside, never a crash', async () => {
    const result = await one(rawLine({ song: '{"title":"x","n":[1,{"deep":[]}]}', artist: '[1,2]' }));
    expect(result.plays).toHaveLength(1);
    expect(result.plays[0]).toMatchObject({ song: null, artist: null });
    expect(result.rejects.map((r) => [r.field, r.reason])).toEqual([
      ['song', 'line 1: song: expected text, got an object; stored as NULL, the event is kept'],
      ['artist', 'line 1: artist: expected text, got an array; stored as NULL, the event is kept'],
    ]);
  });
});

describe('issue 10, rule 2: invalid UTF-8 bytes make that line bad, and only that line', () => {
  it('reads the file as bytes: a bad line is set aside with the reason, mis-decoded but valid text is kept', async () => {
    const good = (item: number, song = 'Song') =>
      Buffer.from(rawLine({ itemInSession: String(item), song: JSON.stringify(song) }), 'utf8');
    // "Elena" with a Latin-1 é (0xE9): not UTF-8.
    const [before, after] = rawLine({ itemInSession: '2' }).split('Elena') as [string, string];
    const broken = Buffer.concat([
      Buffer.from(`${before}El`, 'utf8'),
      Buffer.from([0xe9]),
      Buffer.from(`na${after}`, 'utf8'),
    ]);
    const file = Buffer.concat([
      good(1),
      Buffer.from('\n'),
      broken,
      Buffer.from('\n'),
      good(3, 'BeyoncÃ©'),
      Buffer.from('\n'),
      good(4, 'Real \uFFFD'),
    ]);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < file.length; at += 100) yield file.subarray(at, at + 100);
    }
    const plays: PlayRow[] = [];
    const rejects: RejectRow[] = [];
    const stats = await transformLogStreamInto(KEY, chunks(), {
      play: (row) => plays.push(row),
      reject: (row) => rejects.push(row),
    });
    expect(plays.map((p) => [p.item_in_session, p.song])).toEqual([
      [1, 'Song'],
      [3, 'BeyoncÃ©'],
      [4, 'Real \uFFFD'],
    ]);
    expect(rejects.map((r) => [r.line, r.reason, r.field])).toEqual([
      [2, expect.stringMatching(/^line 2: not valid UTF-8: byte 0xE9 at byte \d+$/), null],
    ]);
    expect(rejects[0]?.raw).toContain('El\uFFFDna');
    expect(stats).toMatchObject({ lines: 4, events: 3, rejectedLines: 1 });
  });
});

describe('issue 10, rule 3: numeric columns accept a JSON string holding a number literal', () => {
  it('ts, length, sessionId and itemInSession as strings', async () => {
    const play = await onePlay(
      rawLine({ ts: '"1541105830796"', length: '"4.6"', sessionId: '"12"', itemInSession: '"3"' }),
    );
    expect(play).toMatchObject({ start_time: 1541105830796, length: 4.6, session_id: 12, item_in_session: 3 });
  });

  it('a string that is not a number literal is still invalid', async () => {
    expect((await badRecord(rawLine({ ts: '" 1541105830796"' }))).reason).toBe(
      'line 1: ts: expected whole epoch milliseconds, got the string " 1541105830796"',
    );
    expect((await badRecord(rawLine({ sessionId: '"12abc"' }))).reason).toBe(
      'line 1: sessionId: expected a 32-bit integer, got the string "12abc"',
    );
    const result = await one(rawLine({ length: '"4,6"' }));
    expect(result.plays[0]?.length).toBeNull();
    expect(result.rejects.map((r) => r.field)).toEqual(['length']);
  });
});

describe('issue 10, rule 4: key fields make the record bad, other fields are set aside and the record kept', () => {
  it.each([
    ['ts', { ts: undefined }, 'ts: missing'],
    ['ts', { ts: 'null' }, 'ts: missing'],
    ['userId', { userId: undefined }, 'userId: missing'],
    ['userId', { userId: '""' }, 'userId: empty'],
    ['userId', { userId: '{"id":15}' }, 'userId: expected a 32-bit integer, got an object'],
    ['sessionId', { sessionId: 'true' }, 'sessionId: expected a 32-bit integer, got true'],
    ['itemInSession', { itemInSession: '[5]' }, 'itemInSession: expected a 32-bit integer, got an array'],
    [
      'itemInSession',
      { itemInSession: '2147483648' },
      'itemInSession: expected a 32-bit integer, got the number 2147483648',
    ],
  ])('a missing or invalid %s (%j) makes the event a bad record', async (_, raw, reason) => {
    expect((await badRecord(rawLine(raw))).reason).toBe(`line 1: ${reason}`);
  });

  it('every other field with an invalid value is NULL, with one rejects row per field naming it', async () => {
    const text = rawLine({
      length: '"long"',
      level: '{"plan":"paid"}',
      location: '["x"]',
      userAgent: '[]',
      firstName: '{}',
      lastName: '[null]',
      gender: '{"g":1}',
      song: '[]',
      artist: '{}',
    });
    const result = await one(text);
    expect(result.plays).toHaveLength(1);
    expect(result.plays[0]).toMatchObject({
      length: null,
      level: null,
      location: null,
      user_agent: null,
      first_name: null,
      last_name: null,
      gender: null,
      song: null,
      artist: null,
      user_id: 15,
    });
    expect(result.rejects.map((r) => r.field)).toEqual([
      'level',
      'location',
      'userAgent',
      'firstName',
      'lastName',
      'gender',
      'song',
      'artist',
      'length',
    ]);
    for (const reject of result.rejects) {
      expect(reject).toMatchObject({ source_key: KEY, line: 1, raw: text, source: 'log_data' });
      expect(reject.reason).toMatch(
        new RegExp(`^line 1: ${reject.field}: expected .*; stored as NULL, the event is kept$`),
      );
    }
    expect(result.stats).toMatchObject({ rejectedLines: 0, rejectedFields: 9 });
  });

  it('a bad record gets one rejects row, not one more per bad field', async () => {
    const result = await one(rawLine({ ts: undefined, length: '"long"' }));
    expect(result.rejects.map((r) => [r.reason, r.field])).toEqual([['line 1: ts: missing', null]]);
    expect(result.stats).toMatchObject({ rejectedLines: 1, rejectedFields: 0 });
  });

  it('fields of non-NextSong events are not checked: they make no row', async () => {
    const result = await one(rawLine({ page: '"Home"', ts: '"soon"', length: '{}' }));
    expect(result).toMatchObject({ plays: [], rejects: [], stats: { events: 1, nextSongEvents: 0 } });
  });
});

describe('issue 10, rule 5: a usable ts is whole epoch milliseconds in [1990-01-01, 2100-01-01) UTC', () => {
  const first = Date.UTC(1990, 0, 1);
  const end = Date.UTC(2100, 0, 1);
  it.each([
    [String(first), first],
    [String(end - 1), end - 1],
    ['1541105830796.0', 1541105830796],
    ['1.541105830796e12', 1541105830796],
  ])('ts %s is usable', async (token, ms) => {
    expect((await onePlay(rawLine({ ts: token }))).start_time).toBe(ms);
  });

  it.each([
    [String(first - 1), 'outside'],
    [String(end), 'outside'],
    ['1541105830', 'outside'], // seconds sent by mistake
    ['1541105830796000', 'outside'], // microseconds
    ['-8640000000000000', 'outside'], // year -271821
    ['1e400', 'expected whole'],
    ['1541105830796.5', 'expected whole'],
  ])('ts %s makes a bad record', async (token, why) => {
    expect((await badRecord(rawLine({ ts: token }))).reason).toContain(
      `ts: ${why === 'outside' ? 'epoch milliseconds outside 1990-01-01 … 2100-01-01 UTC' : 'expected whole epoch milliseconds'}`,
    );
  });

  it('absurd values in every field never throw anything but a reject: each line is a play or a rejects row', async () => {
    const absurd = [
      'null',
      'true',
      'false',
      '0',
      '-0',
      '1e308',
      '-1e308',
      '1e400',
      '1e-400',
      '123456789012345678901234567890',
      '-8640000000000001',
      '8640000000000001',
      '2147483648',
      '-2147483649',
      '0.1',
      '""',
      '" "',
      '"\\u0000"',
      '"\\uD83D\\uDE00"',
      '"NaN"',
      '"Infinity"',
      '"-0"',
      '"1e999"',
      '"9".repeat',
      '{}',
      '[]',
      '{"a":{"b":[[[]]]}}',
      `"${'x'.repeat(10_000)}"`,
      `[${'['.repeat(300)}${']'.repeat(300)}]`,
    ];
    let lines = 0;
    for (const field of Object.keys(nextSong)) {
      for (const value of absurd) {
        let plays = 0;
        const transform = new LogFileTransform(KEY, { play: () => plays++, reject: () => undefined });
        expect(() => transform.addLine(rawLine({ [field]: value }), 1), `${field}: ${value}`).not.toThrow();
        // Exactly one of: a play, a bad record, an event of another page.
        const stats = transform.statistics();
        expect(plays + stats.rejectedLines + (stats.events - stats.nextSongEvents), `${field}: ${value}`).toBe(1);
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(500);
  });
});

describe('issue 10, rule 6: userId is an int; songplay_id is the event identity', () => {
  it('"012", "12" and 12 are the same user, with the same songplay_id', async () => {
    const ids = await Promise.all(
      ['"012"', '"12"', '12', '"12.0"'].map(async (userId) => onePlay(rawLine({ userId }))),
    );
    expect(ids.map((p) => [p.user_id, p.songplay_id])).toEqual(Array(4).fill([12, '12-818-5-1542837407796']));
  });
});

describe('issue 11: fields the schema does not know are rescued, exactly as they arrived', () => {
  it('keeps unknown fields as one JSON object of their raw text, and counts them', async () => {
    const result = await one(rawLine({}, ', "deviceId" : 4.60,"tags":["a", {"b":null}],"caf\\u00e9":"\\u00e9"'));
    expect(result.plays[0]?.rescued_data).toBe('{"deviceId":4.60,"tags":["a", {"b":null}],"caf\\u00e9":"\\u00e9"}');
    expect(JSON.parse(result.plays[0]?.rescued_data ?? '')).toEqual({
      deviceId: 4.6,
      tags: ['a', { b: null }],
      café: 'é',
    });
    expect(result.stats.rescuedFields).toBe(3);
    expect(result.rejects).toEqual([]);
  });

  it('is null when every field is known, and for fields of the contract the product does not store', async () => {
    const result = await one(rawLine());
    expect(result.plays[0]?.rescued_data).toBeNull();
    expect(result.stats.rescuedFields).toBe(0);
  });
});
