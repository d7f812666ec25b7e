/**
 * Each user's latest NextSong event within one log file: the partial result the users view
 * combines across files (base_user_latest). "Latest" is the contract's order: greatest ts, then
 * sessionId, then itemInSession; copies of one event (same identity) keep the smallest line.
 */
import type { PlayRow, UserLatestRow } from './rows.js';

export class LatestEventPerUser {
  private readonly latest = new Map<number, PlayRow>();

  add(play: PlayRow): void {
    const current = this.latest.get(play.user_id);
    if (!current || isLater(play, current)) this.latest.set(play.user_id, play);
  }

  rows(): UserLatestRow[] {
    return [...this.latest.values()].map((play) => ({
      user_id: play.user_id,
      first_name: play.first_name,
      last_name: play.last_name,
      gender: play.gender,
      level: play.level,
      start_time: play.start_time,
      session_id: play.session_id,
      item_in_session: play.item_in_session,
      source_key: play.source_key,
      source_line: play.source_line,
    }));
  }
}

function isLater(a: PlayRow, b: PlayRow): boolean {
  if (a.start_time !== b.start_time) return a.start_time > b.start_time;
  if (a.session_id !== b.session_id) return a.session_id > b.session_id;
  if (a.item_in_session !== b.item_in_session) return a.item_in_session > b.item_in_session;
  return a.source_line < b.source_line;
}
