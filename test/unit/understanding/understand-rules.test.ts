import fc from 'fast-check';
import { understandRules } from '../../../src/understanding/rules';
import { signalsSchema } from '../../../src/understanding/signals';
import { KITCHEN } from './helpers';

describe('understandRules', () => {
  it('never throws and always returns valid signals', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(undefined, 'invoice', 'items', 'quantity', 'confirm'),
        (text, expecting) => {
          const s = understandRules(text, {
            expecting: expecting as never,
            invoiceItems: KITCHEN,
            options: ['Sim', 'Não'],
          });
          expect(signalsSchema.safeParse(s).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives hostile input', () => {
    for (const text of ['', '   ', '\n\n', '💥'.repeat(5000), '9'.repeat(10_000), 'nf '.repeat(3000), null as never]) {
      expect(signalsSchema.safeParse(understandRules(text, {})).success).toBe(true);
    }
  });

  it('understands a complete report in one message', () => {
    const s = understandRules('NF-e 246.021 — o montador riscou 2 frentes de gaveta cinza com a parafusadeira 😬', {
      invoiceItems: KITCHEN,
    });
    expect(s).toMatchObject({
      intents: ['assistencia'],
      invoiceNumbers: ['246021'],
      productRefs: [{ code: '615044', mask: 'CINZA CRISTAL 15MM', words: 'frentes de gaveta cinza', quantity: 2 }],
      reason: { category: 'cliente' },
    });
  });
});
