/**
 * A non-negative decimal as written in Brazilian spreadsheets, or null: `2,6`, `2.6`, `1234,5`,
 * `1234.5`, and with both separators `1.234,56` (thousands dot, decimal comma). A single
 * separator is always the decimal one (`1.234` is 1.234). Signs, spaces inside, exponents and
 * US thousands (`1,234.56`) are refused.
 */
export function parseDecimal(input: string): number | null {
  const t = input.trim();
  let plain: string;
  if (/^\d+(?:[.,]\d+)?$/.test(t)) plain = t.replace(',', '.');
  else if (/^\d{1,3}(?:\.\d{3})+,\d+$/.test(t)) plain = t.replace(/\./g, '').replace(',', '.');
  else return null;
  const n = Number(plain);
  return Number.isFinite(n) ? n : null;
}

/** A non-negative integer written with digits only (`007` is 7), or null. */
export function parseWholeNumber(input: string): number | null {
  const t = input.trim();
  if (!/^\d{1,15}$/.test(t)) return null;
  return Number(t);
}
