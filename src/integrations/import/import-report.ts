/** The three import files of CONTRACT §2. */
export const IMPORT_KINDS = ['products', 'customers', 'invoices'] as const;
/** Which import file: `products`, `customers` or `invoices`. */
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** One row that was not imported: its 1-based physical line in the file and a pt-BR reason. */
export interface RowRejection {
  line: number;
  reason: string;
}

/**
 * Outcome of one file. Every data row counts exactly once:
 * `total = imported + updated + unchanged + rejected.length`.
 * For invoices a row is one item: `imported` when the item is new, `updated` when its quantity
 * or its invoice's customer/date/order changed, `unchanged` otherwise.
 */
export interface ImportReport {
  kind: ImportKind;
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  /** Sorted by line. */
  rejected: RowRejection[];
}
