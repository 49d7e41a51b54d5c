/** A form field as a string ('' when absent or not a string). */
export const formString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The positive whole numbers of a repeated form field (`id=1&id=2`, or one value). */
export function formIds(v: unknown): number[] {
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw.map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0);
}
