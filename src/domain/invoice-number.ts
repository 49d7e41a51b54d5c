import { digitsOf } from './text';

/**
 * Invoice (NF) numbers are kept as digits only, without leading zeros: `NFe 000.123.456`
 * and `123456` are the same invoice. Returns null when there are no significant digits.
 * Decision (docs/decisions.md): leading zeros are always stripped, everywhere (import,
 * conversation, API), because ERPs and DANFEs print them inconsistently.
 */
export function normalizeInvoiceNumber(input: string): string | null {
  const d = digitsOf(input).replace(/^0+/, '');
  return d.length > 0 && d.length <= 12 ? d : null;
}
