import { normalizeInvoiceNumber } from '../../../src/domain/invoice-number';

describe('invoice number', () => {
  it.each([
    ['123456', '123456'],
    ['000123456', '123456'],
    ['123.456', '123456'],
    ['NF-e 246.021', '246021'],
    ['000.123.456', '123456'],
  ])('%s → %s', (a, b) => expect(normalizeInvoiceNumber(a)).toBe(b));
  it('has no number in zeros or nothing', () => {
    expect(normalizeInvoiceNumber('000')).toBeNull();
    expect(normalizeInvoiceNumber('abc')).toBeNull();
    expect(normalizeInvoiceNumber('1234567890123')).toBeNull();
  });
});
