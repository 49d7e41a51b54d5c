/** Dates here are calendar days as `YYYY-MM-DD` strings (no time zone games). */
export type IsoDate = string;

const pad = (n: number) => String(n).padStart(2, '0');

export function toIsoDate(d: Date): IsoDate {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Calendar months added; a day past the target month's end is clamped (31/01 + 1 → 28 or 29/02). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = m - 1 + months;
  const year = y + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return toIsoDate(new Date(Date.UTC(year, month, Math.min(d, last))));
}

/** Last day covered by the warranty: issue date + months (the end day itself is covered). */
export function warrantyUntil(issueDate: IsoDate, months: number): IsoDate {
  return addMonths(issueDate, months);
}

export function isInWarranty(until: IsoDate, on: IsoDate): boolean {
  return on <= until;
}

/** Whole days from `from` to `to` (may be negative). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));
}

/** `2026-01-10` → `10/01/2026`, the way customers read dates. */
export function formatDateBr(date: IsoDate): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * `dd/mm/aaaa`, `dd/mm/aa` or `aaaa-mm-dd` → ISO date, or null when not a real calendar date.
 */
export function parseDateBrOrIso(input: string): IsoDate | null {
  const s = input.trim();
  let y: number;
  let m: number;
  let d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
    if (!match) return null;
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (y < 100) y += 2000;
  }
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return toIsoDate(dt);
}
