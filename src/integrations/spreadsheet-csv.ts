import { stringify } from 'csv-stringify/sync';

/**
 * CSV for Excel in Brazil, one place for every export (FOCCO batches, KPIs): `;` separated, UTF-8
 * with a byte order mark (Excel then keeps the accents), CRLF line ends, numbers with the chosen
 * decimal separator, and formula-looking text neutralised.
 */

/**
 * A text cell a spreadsheet would run as a formula (`= + - @`, or tab/CR that some spreadsheets
 * strip first) gets a leading apostrophe, the usual neutralisation (CSV/formula injection).
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function spreadsheetCsv(rows: readonly (readonly (string | number)[])[], decimal: ',' | '.' = ','): Buffer {
  const cells = rows.map((row) =>
    row.map((v) => (typeof v === 'number' ? String(v).replace('.', decimal) : neutralizeCell(v))),
  );
  return Buffer.from(`\uFEFF${stringify(cells, { delimiter: ';', record_delimiter: '\r\n' })}`, 'utf8');
}
