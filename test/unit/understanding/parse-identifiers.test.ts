import { understandRules } from '../../../src/understanding/rules';
import { formatProtocol } from '../../../src/understanding/rules/parse-protocol';

describe('CNPJ', () => {
  it('accepts formatted and bare CNPJs with valid check digits', () => {
    expect(understandRules('cnpj 11.222.333/0001-81').cnpj).toBe('11222333000181');
    expect(understandRules('45723174000110').cnpj).toBe('45723174000110');
  });

  it('ignores a CNPJ with a bad check digit', () => {
    expect(understandRules('o cnpj é 11222333000182').cnpj).toBeUndefined();
    expect(understandRules('12.345.678/0001-00').cnpj).toBeUndefined();
  });

  it('finds the store CNPJ in an e-mail signature', () => {
    const s = understandRules('Bom dia, a porta veio riscada.\nAtt,\nCarlos – CH Interiores\nCNPJ 11.222.333/0001-81');
    expect(s.cnpj).toBe('11222333000181');
  });
});

describe('protocol', () => {
  it.each([
    ['AT-000123', 'AT-000123'],
    ['at 123', 'AT-000123'],
    ['AT000123', 'AT-000123'],
    ['protocolo 123', 'AT-000123'],
    ['protocolo: 000045', 'AT-000045'],
    ['qual o status do AT-000481?', 'AT-000481'],
  ])('%s → %s', (text, expected) => {
    expect(understandRules(text).protocol).toBe(expected);
  });

  it('takes a bare number when the protocol was asked', () => {
    expect(understandRules('481', { expecting: 'protocol' }).protocol).toBe('AT-000481');
  });

  it('pads to six digits', () => {
    expect(formatProtocol('7')).toBe('AT-000007');
  });

  it('does not take "att" of a signature for a protocol', () => {
    expect(understandRules('obrigado att 123').protocol).toBeUndefined();
  });
});

describe('order number', () => {
  it.each([
    ['pedido 91502', '91502'],
    ['o pedido é 91502', '91502'],
    ['ped. 91502', '91502'],
    ['ordem 91502', '91502'],
    ['pedido nº 90155', '90155'],
    ['o pedido certo é 91503', '91503'],
  ])('%s → %s', (text, expected) => {
    const s = understandRules(text);
    expect(s.orderNumber).toBe(expected);
    expect(s.invoiceNumbers).toEqual([]);
  });

  it('takes a bare number when the order was asked', () => {
    expect(understandRules('91502', { expecting: 'order' }).orderNumber).toBe('91502');
  });

  it('does not read a request for assistance as an order number', () => {
    expect(understandRules('meu pedido de assistência AT-000123').orderNumber).toBeUndefined();
  });
});
