/** Rows (or keys) per statement: one lookup query and at most one multi-row upsert per batch. */
export const BATCH_SIZE = 1000;

/** `items` cut into consecutive slices of at most `size`. */
export function inBatches<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Distinct values, in first-seen order. */
export function distinct<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
