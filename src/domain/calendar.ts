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
