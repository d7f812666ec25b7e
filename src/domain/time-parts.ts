/** The calendar parts of a UTC instant that the `time` table exposes. */
export interface TimeParts {
  readonly hour: number;
  readonly day: number;
  /** ISO-8601 week number (1-53); the week belongs to the year that holds its Thursday. */
  readonly week: number;
  readonly month: number;
  readonly year: number;
  /** 1 = Sunday ... 7 = Saturday, as Spark's dayofweek numbers them (Athena's day_of_week is ISO). */
  readonly weekday: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

// Events of a log file fall in a few dozen distinct hours: computing the parts once per hour took
// them off the per-row profile (two Dates and an ISO week per event before).
const byHour = new Map<number, TimeParts>();
const MAX_CACHED_HOURS = 10_000;

export function timePartsOf(epochMillis: number): TimeParts {
  const hour = Math.floor(epochMillis / HOUR_MS);
  let parts = byHour.get(hour);
  if (!parts) {
    if (byHour.size >= MAX_CACHED_HOURS) byHour.clear();
    parts = computeTimeParts(hour * HOUR_MS);
    byHour.set(hour, parts);
  }
  return parts;
}

function computeTimeParts(epochMillis: number): TimeParts {
  const date = new Date(epochMillis);
  const dayOfWeekSundayZero = date.getUTCDay();
  return {
    hour: date.getUTCHours(),
    day: date.getUTCDate(),
    week: isoWeek(date, dayOfWeekSundayZero),
    month: date.getUTCMonth() + 1,
    year: date.getUTCFullYear(),
    weekday: dayOfWeekSundayZero + 1,
  };
}

function isoWeek(date: Date, dayOfWeekSundayZero: number): number {
  const isoDayOfWeek = dayOfWeekSundayZero === 0 ? 7 : dayOfWeekSundayZero;
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const thursday = new Date(midnight + (4 - isoDayOfWeek) * DAY_MS);
  const januaryFirst = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - januaryFirst) / DAY_MS / 7) + 1;
}
