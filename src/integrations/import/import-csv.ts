import { z } from 'zod';
import type { Database } from '../../db/client';
import { decodeCsvBytes } from './decode-csv-bytes';
import { CUSTOMER_COLUMNS, importCustomers } from './import-customers';
import { ImportFileError } from './import-file-error';
import { INVOICE_COLUMNS, importInvoices } from './import-invoices';
import { importProducts, MAX_WARRANTY_MONTHS, PRODUCT_COLUMNS } from './import-products';
import { IMPORT_KINDS, type ImportKind, type ImportReport } from './import-report';
import { readCsvTable } from './read-csv-table';

const optionsSchema = z.object({
  /** Not stored: an empty `garantia_meses` is kept as null so the default applies when used. */
  defaultWarrantyMonths: z.number().int().min(0).max(MAX_WARRANTY_MONTHS),
});

/** Options of {@link importCsv}. */
export type ImportCsvOptions = z.input<typeof optionsSchema>;

const COLUMNS = { products: PRODUCT_COLUMNS, customers: CUSTOMER_COLUMNS, invoices: INVOICE_COLUMNS } as const;
const IMPORTERS = { products: importProducts, customers: importCustomers, invoices: importInvoices } as const;

/**
 * Imports one CSV file of CONTRACT §2 (`products`, `customers` or `invoices`) as idempotent
 * upserts: importing the same file again reports every row `unchanged` and writes nothing.
 *
 * Bytes are read as UTF-8 (BOM or not) or, when not valid UTF-8, Windows-1252; the delimiter
 * (`;` or `,`) comes from the header line; header names match case- and accent-insensitively in
 * any order. Each data row is validated on its own (zod) and, when invalid, listed in
 * `rejected` with its physical line number and a pt-BR reason; the valid rows are written in
 * ONE transaction per file (reads and writes in batches of 1000), so a database failure leaves
 * nothing half-imported.
 *
 * Throws {@link ImportFileError} when the file cannot be read at all: unknown kind, empty,
 * binary, broken quoting, no header row or a required column missing (named in the message).
 */
export async function importCsv(
  db: Database,
  kind: ImportKind,
  bytes: Buffer,
  opts: ImportCsvOptions,
): Promise<ImportReport> {
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
    throw new ImportFileError(`Unknown import kind "${String(kind)}": use one of ${IMPORT_KINDS.join(', ')}.`);
  }
  optionsSchema.parse(opts);
  const { text } = decodeCsvBytes(bytes);
  const table = readCsvTable(text, COLUMNS[kind]);
  return IMPORTERS[kind](db, table);
}
