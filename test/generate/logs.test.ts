import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformLogLines } from '../../src/domain/log-transform.js';
import {
  BAD_LINE_FAULTS,
  LOG_LINE_FAULTS,
  RESPELLED_NUMBER_TOKENS,
  type LogLineFault,
} from '../../src/generate/faults.js';
import type { PlayRow } from '../../src/domain/rows.js';
import { generateDatasetInMemory, generateLogText, type GenerateOptions } from '../../src/generate/index.js';
import { SAMPLE_DIR } from '../support/paths.js';
import { linesOf, matchedPlays, readBack, transformLogBytes, usersFrom, winningSongs } from './helpers.js';

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const BASE: GenerateOptions = { seed: 11, songs: 120, users: 40, days: 3, totalEvents: 3_000 };

describe.each([
  ['without faults', { ...BASE }],
  ['with 5% faults of every kind', { ...BASE, faultRate: 0.05 }],
  ['with 40% faults of every kind', { ...BASE, seed: 12, faultRate: 0.4 }],
])('a generated dataset %s, read back through the product transforms', (_, options) => {
  const generated = generateDatasetInMemory(options);

  it('yields exactly the expected events, NextSong events, plays, bad records and fields set aside, line by line', async () => {
    const { summary, fileBytes } = await generated;
    const back = await readBack(fileBytes);
    expect(summary.logFiles).toHaveLength(3);
    for (const file of summary.logFiles) {
      const result = back.logs.get(file.key);
      if (!result) throw new Error(`no file ${file.key}`);
      expect(result.stats).toEqual({
        lines: file.lines,
        events: file.events,
        nextSongEvents: file.nextSongEvents,
        blankLines: file.blankLines,
        rejectedLines: file.badRecords.length,
        rejectedFields: file.fieldRejects.length,
        rescuedFields: file.rescuedFields,
      });
      expect(result.plays).toHaveLength(file.goodPlays + file.duplicatePlays);
      expect(result.rejects.filter((reject) => reject.field === null).map((reject) => reject.line)).toEqual(
        file.badRecords.map((record) => record.line),
      );
      expect(
        result.rejects.filter((reject) => reject.field !== null).map((reject) => [reject.line, reject.field]),
      ).toEqual(file.fieldRejects.map((f) => [f.line, f.field]));
      expect(fileBytes.get(file.key)?.length).toBe(file.bytes);
    }
    const { expected } = summary;
    expect(back.plays).toHaveLength(expected.goodPlays + expected.duplicatePlays);
    expect(new Set(back.plays.map((play) => play.songplay_id)).size).toBe(expected.goodPlays);
    expect(back.logRejects).toHaveLength(
      expected.badRecords.length + expected.fieldRejects.filter((f) => f.line !== null).length,
    );
    expect(
      back.songRejects
        .filter((reject) => reject.field === null)
        .map((reject) => reject.source_key)
        .sort(),
    ).toEqual(expected.badSongFiles.map((file) => file.key).sort());
    expect(
      back.songRejects
        .filter((reject) => reject.field !== null)
        .map((reject) => [reject.source_key, reject.field])
        .sort(),
    ).toEqual(
      expected.fieldRejects
        .filter((f) => f.line === null)
        .map((f) => [f.key, f.field])
        .sort(),
    );
    expect(
      back.songRescuedFields + [...back.logs.values()].reduce((sum, log) => sum + log.stats.rescuedFields, 0),
    ).toBe(expected.rescuedFields);
    expect(expected.rejects).toBe(back.logRejects.length + back.songRejects.length);
    expect(back.songs).toHaveLength(expected.songs + expected.losingSongCopies);
    const songs = winningSongs(back.songs);
    expect(songs).toHaveLength(expected.songs);
    expect(songs.filter((song) => song.year === 0)).toHaveLength(expected.songsYear0);
    expect(new Set(songs.map((song) => song.artist_id)).size).toBe(expected.artists);
    expect(expected.events).toBe(summary.logFiles.reduce((sum, file) => sum + file.events, 0));
    if (options.faultRate) expect(expected.rejects).toBeGreaterThan(0);
    else expect(expected.rejects).toBe(0);
  });

  it('expects the matched plays and users that an independent join over the rows finds', async () => {
    const { summary, fileBytes } = await generated;
    const back = await readBack(fileBytes);
    // One play per event identity, as songplays has it (the duplicate-event fault repeats lines).
    const plays = [...new Map(back.plays.map((play) => [play.songplay_id, play] as const)).values()];
    expect(plays).toHaveLength(summary.expected.goodPlays);
    expect(matchedPlays(winningSongs(back.songs), plays)).toBe(summary.expected.matchedPlays);
    expect(usersFrom(plays)).toEqual(summary.expected.users);
    // About matchShare of the plays match (fewer when song files are bad).
    expect(summary.expected.matchedPlays / summary.expected.goodPlays).toBeGreaterThan(options.faultRate ? 0.12 : 0.25);
    expect(summary.expected.matchedPlays / summary.expected.goodPlays).toBeLessThan(0.35);
  });
});

describe('log content looks like the app logs', () => {
  const generated = generateDatasetInMemory({ ...BASE, seed: 21, totalEvents: 6_000 });

  it('has the real field order and spellings', async () => {
    const { files } = await generated;
    const realLine =
      readFileSync(join(SAMPLE_DIR, 'log_data/2018/11/2018-11-01-events.json'), 'utf8').split('\n')[0] ?? '';
    const realKeys = Object.keys(JSON.parse(realLine) as object);
    const logs = [...files].filter(([key]) => key.startsWith('log_data/'));
    expect(logs.map(([key]) => key)).toEqual([
      'log_data/2018/11/2018-11-01-events.json',
      'log_data/2018/11/2018-11-02-events.json',
      'log_data/2018/11/2018-11-03-events.json',
    ]);
    for (const [, text] of logs) {
      expect(text.endsWith('}')).toBe(true);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included.
      expect(text).toMatch(/^[\x00-\x7f]*$/);
      const lines = linesOf(text);
      expect(
        lines.filter((line) => JSON.stringify(Object.keys(JSON.parse(line) as object)) !== JSON.stringify(realKeys)),
      ).toEqual([]);
      const loggedIn = lines.find((line) => line.includes('"auth":"Logged In"')) ?? '';
      expect(loggedIn).toMatch(/"registration":\d{13}\.0,/);
      expect(loggedIn).toContain('"userAgent":');
      expect(loggedIn).toContain('Mozilla\\/5.0');
      expect(loggedIn).toMatch(/"userId":"\d+"}$/);
    }
  });

  it('has sessions of increasing ts and items, logged-out events, level changes and mostly NextSong', async () => {
    const { files, summary } = await generated;
    type Event = Record<string, string | number | null>;
    const events: Event[] = [];
    for (const file of summary.logFiles) {
      const dayStart = Date.parse(`${file.date}T00:00:00Z`);
      const fileEvents = linesOf(files.get(file.key) ?? '').map((line) => JSON.parse(line) as Event);
      const ts = fileEvents.map((event) => event.ts as number);
      expect(
        ts.every(
          (value, i) =>
            value >= dayStart && value < dayStart + 86_400_000 && (i === 0 || value >= (ts[i - 1] as number)),
        ),
      ).toBe(true);
      events.push(...fileEvents);
    }
    const sessions = groupBy(events, (event) => event.sessionId);
    for (const session of sessions.values()) {
      expect(session.map((event) => event.itemInSession)).toEqual(session.map((_, i) => i));
      expect(session.every((event, i) => i === 0 || (event.ts as number) > (session[i - 1]?.ts as number))).toBe(true);
    }
    const pages = groupBy(events, (event) => event.page);
    const nextSongShare = (pages.get('NextSong')?.length ?? 0) / events.length;
    expect(nextSongShare).toBeGreaterThan(0.8);
    expect(nextSongShare).toBeLessThan(0.9);
    for (const page of ['Home', 'Login', 'Logout', 'Settings', 'About', 'Help', 'Upgrade', 'Downgrade'])
      expect(pages.has(page), page).toBe(true);
    const loggedOut = events.filter((event) => event.auth === 'Logged Out');
    expect(loggedOut.length).toBeGreaterThan(0);
    expect(
      loggedOut.every((event) => event.userId === '' && event.firstName === null && event.page !== 'NextSong'),
    ).toBe(true);
    const levels = groupBy(
      events.filter((event) => event.page === 'NextSong'),
      (event) => event.userId,
    );
    expect([...levels.values()].some((plays) => new Set(plays.map((play) => play.level)).size === 2)).toBe(true);
  });
});

/** What each line fault must do: a bad record for this reason, or the event kept. */
const OUTCOMES: Record<LogLineFault, RegExp | 'kept'> = {
  'truncated-line': /not valid JSON/,
  'garbage-line': /not valid JSON/,
  'array-line': /expected a JSON object, got an array/,
  'duplicate-key': /^line \d+: duplicated key "page" at position \d+$/,
  'lone-surrogate': /^line \d+: not valid Unicode: unpaired surrogate escape \\ud83d at position \d+$/,
  'invalid-utf8': /^line \d+: not valid UTF-8: byte 0xFF at byte \d+$/,
  'blank-line': 'kept',
  'numbers-as-strings': 'kept',
  'user-id-leading-zero': 'kept',
  'unknown-field': 'kept',
  'number-token-text': 'kept',
  'nextsong-empty-user': /userId: empty/,
  'nextsong-missing-ts': /ts: missing/,
  'nextsong-ts-out-of-range': /ts: epoch milliseconds outside 1990-01-01 … 2100-01-01 UTC/,
  'nextsong-float-session': /sessionId: expected a 32-bit integer/,
  'nextsong-bad-field': 'kept',
  'duplicate-event': 'kept',
};

/** A play without where it was read from: what a fault that keeps the event must leave unchanged. */
const content = ({ source_line: _line, rescued_data: _rescued, ...rest }: PlayRow) => rest;

describe('each log fault alone', () => {
  const options = { events: 400, songs: 50 };

  it.each(LOG_LINE_FAULTS)(
    '%s: the transform finds exactly the expected records, for the expected reason',
    async (fault) => {
      const { bytes, expectation } = await generateLogText({
        seed: fault,
        ...options,
        faultRate: 0.5,
        faults: [fault],
      });
      const result = await transformLogBytes(expectation.key, bytes);
      expect(result.stats.events).toBe(expectation.events);
      expect(result.stats.nextSongEvents).toBe(expectation.nextSongEvents);
      expect(result.stats.blankLines).toBe(expectation.blankLines);
      expect(result.plays).toHaveLength(expectation.goodPlays + expectation.duplicatePlays);
      const records = result.rejects.filter((reject) => reject.field === null);
      expect(records.map((reject) => reject.line)).toEqual(expectation.badRecords.map((record) => record.line));
      const outcome = OUTCOMES[fault];
      expect(BAD_LINE_FAULTS.has(fault)).toBe(outcome !== 'kept');
      if (outcome !== 'kept') {
        expect(expectation.badRecords.length).toBeGreaterThan(20);
        expect(records.filter((reject) => !outcome.test(reject.reason))).toEqual([]);
        return;
      }
      expect(expectation.badRecords).toEqual([]);
      // The same file without the fault: the fault draws come from their own generator.
      const clean = await generateLogText({ seed: fault, ...options });
      const cleanPlays = (await transformLogBytes(clean.expectation.key, clean.bytes)).plays;
      if (fault === 'nextsong-bad-field') {
        expect(expectation.fieldRejects.length).toBeGreaterThan(20);
        expect(
          result.rejects.filter((reject) => reject.field !== null).map((reject) => [reject.line, reject.field]),
        ).toEqual(expectation.fieldRejects.map((f) => [f.line, f.field]));
        for (const reject of result.rejects) expect(reject.reason).toMatch(/; stored as NULL, the event is kept$/);
        const byLine = new Map(result.plays.map((play) => [play.source_line, play]));
        for (const { line, field } of expectation.fieldRejects) {
          const column = { userAgent: 'user_agent', firstName: 'first_name', lastName: 'last_name' }[field] ?? field;
          expect(byLine.get(line as number)?.[column as keyof PlayRow], `${field} on line ${line}`).toBeNull();
        }
        return;
      }
      expect(result.rejects).toEqual([]);
      if (fault === 'blank-line') expect(expectation.blankLines).toBeGreaterThan(100);
      if (fault === 'duplicate-event') {
        // Each duplicate repeats the line before it: same identity, so one songplay; without the
        // repeats, the plays are those of the clean file.
        expect(expectation.duplicatePlays).toBeGreaterThan(20);
        const firsts = result.plays.filter(
          (play, i) => i === 0 || play.songplay_id !== result.plays[i - 1]?.songplay_id,
        );
        expect(firsts).toHaveLength(expectation.goodPlays);
        expect(firsts.map(content)).toEqual(cleanPlays.map(content));
        return;
      }
      if (fault === 'number-token-text') {
        // Locations spelled as number tokens are stored with every character; nothing else changes.
        const respelled = result.plays.filter((play) =>
          (RESPELLED_NUMBER_TOKENS as readonly (string | null)[]).includes(play.location),
        );
        expect(respelled.length).toBeGreaterThan(20);
        expect(new Set(respelled.map((play) => play.location)).size).toBeGreaterThan(3);
        expect(result.plays.map((play) => ({ ...content(play), location: null }))).toEqual(
          cleanPlays.map((play) => ({ ...content(play), location: null })),
        );
        return;
      }
      // Numbers as strings, user ids with leading zeros, unknown fields: every play as without the fault.
      expect(result.plays.map(content)).toEqual(cleanPlays.map(content));
      const rescued = result.plays.filter((play) => play.rescued_data !== null);
      expect(rescued).toHaveLength(expectation.rescuedFields);
      if (fault === 'unknown-field') {
        expect(rescued.length).toBeGreaterThan(20);
        for (const play of rescued)
          expect(play.rescued_data).toMatch(/^\{"deviceInfo":\{"os":"(iOS|Android)","build":\d{3}\.50\}\}$/);
      }
    },
  );

  it.each(['crlf', 'bom'] as const)('%s on every file is tolerated: nothing set aside', async (fault) => {
    const { text, expectation } = await generateLogText({
      seed: 5,
      events: 300,
      faultRate: 1,
      faults: [fault, 'blank-line'],
    });
    expect(expectation.fileFaults).toEqual([fault]);
    if (fault === 'crlf')
      expect(
        text
          .split('\n')
          .slice(0, -1)
          .every((line) => line.endsWith('\r')),
      ).toBe(true);
    else expect(text.startsWith('\uFEFF')).toBe(true);
    const result = await transformLogLines(expectation.key, linesOf(text));
    expect(result.rejects).toEqual([]);
    expect(result.stats.events).toBe(300);
    expect(result.stats.blankLines).toBe(300);
    expect(result.plays).toHaveLength(expectation.goodPlays);
  });
});
