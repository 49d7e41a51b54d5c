import { localDate, startOfLocalDay } from '../../../src/domain/calendar';

describe('the company calendar (America/Sao_Paulo)', () => {
  it('gives the local date an instant falls on', () => {
    expect(localDate(new Date('2026-11-30T01:00:00Z'))).toBe('2026-11-29');
    expect(localDate(new Date('2026-11-30T03:00:00Z'))).toBe('2026-11-30');
  });

  it('gives the instant the local day began', () => {
    expect(startOfLocalDay(new Date('2026-11-30T01:00:00Z')).toISOString()).toBe('2026-11-29T03:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-11-30T02:59:59.999Z')).toISOString()).toBe('2026-11-29T03:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-11-30T03:00:00Z')).toISOString()).toBe('2026-11-30T03:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-11-30T12:34:56Z')).toISOString()).toBe('2026-11-30T03:00:00.000Z');
  });

  it('follows a zone whose offset changes (daylight saving), for any other time zone', () => {
    // New York: EST (UTC-5) in winter, EDT (UTC-4) in summer.
    expect(startOfLocalDay(new Date('2026-01-15T12:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-01-15T05:00:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-07-15T12:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-07-15T04:00:00.000Z',
    );
    // 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT; the day began at 00:00 EST.
    expect(startOfLocalDay(new Date('2026-03-08T20:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST; the day began at 00:00 EDT.
    expect(startOfLocalDay(new Date('2026-11-01T20:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-01T04:00:00.000Z',
    );
  });
});
