import { findSpecialSpans } from '../../../src/understanding/rules/find-special-spans';
import { prepareMessage } from '../../../src/understanding/rules/prepare-message';
import { tokenize } from '../../../src/understanding/rules/tokenize';

const kinds = (text: string) => findSpecialSpans(text).map((s) => `${s.kind}:${text.slice(s.start, s.end)}`);

describe('findSpecialSpans', () => {
  it.each([
    ['(54) 99654-3210', 'phone'],
    ['+55 54 99999-0000', 'phone'],
    ['55 54 99999-0000', 'phone'],
    ['47 99187-2626', 'phone'],
    ['54 3452-1100', 'phone'],
    ['3333-4444', 'phone'],
    ['54999887766', 'long'],
    ['24.680.135/0001-03', 'cnpj'],
    ['24680135000103', 'cnpj'],
    ['20/04/2021', 'date'],
    ['15/10', 'date'],
    ['14:30', 'time'],
    ['r$ 1.250,00', 'money'],
    ['1.250,00', 'money'],
    ['350 reais', 'money'],
    ['450x700', 'measure'],
    ['350 x 720', 'measure'],
    ['18mm', 'measure'],
    ['15 mm', 'measure'],
    ['165°', 'measure'],
    ['2 meses', 'duration'],
    ['x2', 'times'],
    ['at-000123', 'protocol'],
    ['at 1520', 'protocol'],
    ['95700-000', 'cep'],
  ])('%s is one %s span', (text, kind) => {
    expect(kinds(text)).toEqual([`${kind}:${text}`]);
  });

  it('does not take a product code and a count for a measure', () => {
    expect(kinds('612332 x2')).toEqual(['times:x2']);
  });

  it('rejects impossible dates', () => {
    expect(kinds('45/13')).toEqual([]);
  });

  it('keeps zero padding of an NF as a number', () => {
    expect(kinds('000123456')).toEqual([]);
  });
});

describe('tokenize', () => {
  it('reads thousands dots as one number', () => {
    expect(tokenize('nf 246.021').map((t) => [t.kind, t.norm])).toEqual([
      ['word', 'nf'],
      ['number', '246021'],
    ]);
  });

  it('keeps a number glued to a letter as one alnum token (typos are not invoices)', () => {
    expect(tokenize('24511o').map((t) => t.kind)).toEqual(['alnum']);
  });

  it('expands abbreviations and the two meanings of "n"', () => {
    expect(prepareMessage('vc tb n sabe? n 123').text).toBe('voce tambem nao sabe ? numero 123');
  });
});
