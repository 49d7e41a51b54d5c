import {
  addDays,
  addMonths,
  daysBetween,
  formatDateBr,
  isInWarranty,
  parseDateBrOrIso,
  warrantyUntil,
} from '../../../src/domain/warranty';

describe('warranty dates', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-01-15', 12, '2027-01-15'],
    ['2021-04-20', 60, '2026-04-20'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-05-10', 0, '2026-05-10'],
  ])('%s + %i months = %s', (d, m, out) => expect(addMonths(d, m)).toBe(out));
  it('covers the end day itself', () => {
    const until = warrantyUntil('2021-11-29', 60);
    expect(until).toBe('2026-11-29');
    expect(isInWarranty(until, '2026-11-29')).toBe(true);
    expect(isInWarranty(until, '2026-11-30')).toBe(false);
  });
  it('parses Brazilian and ISO dates, refusing impossible ones', () => {
    expect(parseDateBrOrIso('14/09/2026')).toBe('2026-09-14');
    expect(parseDateBrOrIso('2026-06-02')).toBe('2026-06-02');
    expect(parseDateBrOrIso('1/2/26')).toBe('2026-02-01');
    expect(parseDateBrOrIso('31/02/2026')).toBeNull();
    expect(parseDateBrOrIso('2026-13-01')).toBeNull();
    expect(parseDateBrOrIso('amanhã')).toBeNull();
  });
  it('counts days and formats', () => {
    expect(daysBetween('2026-01-30', '2026-03-02')).toBe(31);
    expect(addDays('2026-11-29', 9)).toBe('2026-12-08');
    expect(formatDateBr('2026-01-10')).toBe('10/01/2026');
  });
});
