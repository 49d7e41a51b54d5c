import type { IsoDate } from './warranty';

/**
 * The company's calendar: the factory is in Rio Grande do Sul, and its procedure counts days (deadlines,
 * warranty, KPIs) as local calendar days. An instant becomes the date it falls on there, so a request opened
 * at 22:00 is opened "today", not on tomorrow's UTC date.
 */
export const COMPANY_TIME_ZONE = 'America/Sao_Paulo';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date an instant falls on in `timeZone` (default the company's). */
export function localDate(at: Date, timeZone = COMPANY_TIME_ZONE): IsoDate {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(at);
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes `timeZone` is ahead of UTC at the instant `at` (São Paulo: -180). */
function offsetMinutes(at: Date, timeZone: string): number {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    clocks.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant the local day of `at` began in `timeZone` (default the company's): for 2026-11-30T01:00Z, which
 * is 22:00 on the 29th in São Paulo, 2026-11-29T03:00Z. Daily limits (the model's budget) reset then.
 */
export function startOfLocalDay(at: Date, timeZone = COMPANY_TIME_ZONE): Date {
  return startOfLocalDate(localDate(at, timeZone), timeZone);
}

/**
 * The instant the calendar date `date` began in `timeZone` (default the company's): for 2026-11-29 in São Paulo,
 * 2026-11-29T03:00Z. A date typed in a filter means that local day, as the console shows times in it.
 */
export function startOfLocalDate(date: IsoDate, timeZone = COMPANY_TIME_ZONE): Date {
  const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
  // Two steps: the offset at local midnight may differ from the one twelve hours away on a daylight-saving day.
  const guess = midnightAsUtc - offsetMinutes(new Date(midnightAsUtc + 12 * 3_600_000), timeZone) * 60_000;
  return new Date(midnightAsUtc - offsetMinutes(new Date(guess), timeZone) * 60_000);
}
