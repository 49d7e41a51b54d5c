import { understandRules } from '../../../src/understanding/rules';
import { item, KITCHEN } from './helpers';

const nfs = (text: string, ctx = {}) => understandRules(text, ctx).invoiceNumbers;

describe('invoice numbers', () => {
  it.each([
    ['NF 123456', ['123456']],
    ['nota 4521', ['4521']],
    ['nota fiscal 245110', ['245110']],
    ['NFe 123.456', ['123456']],
    ['NF-e 246.021', ['246021']],
    ['nf: 000123456', ['123456']],
    ['n.f. 123', ['123']],
    ['danfe 123456', ['123456']],
    ['a nota é 245377', ['245377']],
    ['Nº da nota: 245110', ['245110']],
    ['nf245110', ['245110']],
    ['notas 3120 e 3121', ['3120', '3121']],
    ['notas 3120 / 3121', ['3120', '3121']],
    ['nota fiscal número 401877, emitida em 12/10/2026', ['401877']],
  ])('%s → %j', (text, expected) => {
    expect(nfs(text)).toEqual(expected);
  });

  it.each([
    ['450x700'],
    ['350X720'],
    ['18mm'],
    ['15 mm'],
    ['2 portas'],
    ['20/04/2021'],
    ['R$ 1.250,00'],
    ['(54) 99654-3210'],
    ['54999887766'],
    ['55 54 99999-0000'],
    ['24.680.135/0001-03'],
    ['12.345.678/0001-00'],
    ['AT-000123'],
    ['pedido 91502'],
    ['cep 95700-000'],
    ['nf 24511O'],
  ])('%s is never an invoice, even when one was asked', (text) => {
    expect(nfs(text, { expecting: 'invoice' })).toEqual([]);
  });

  it('takes a bare number only when the invoice was asked', () => {
    expect(nfs('4521', { expecting: 'invoice' })).toEqual(['4521']);
    expect(nfs('245.377', { expecting: 'invoice' })).toEqual(['245377']);
    expect(nfs('4521')).toEqual([]);
  });

  it('never reads a code of the invoice items in play as an NF', () => {
    expect(nfs('615020', { expecting: 'invoice', invoiceItems: KITCHEN })).toEqual([]);
    expect(nfs('nota 615020', { invoiceItems: KITCHEN })).toEqual([]);
  });

  it('prefers a product code next to a product word over a bare NF', () => {
    const s = understandRules('a porta 615020 veio riscada', { expecting: 'invoice' });
    expect(s.invoiceNumbers).toEqual([]);
    expect(s.productRefs[0]?.code).toBe('615020');
  });

  it('keeps NF and order apart', () => {
    const s = understandRules('a nota é 57832 e o pedido 77812');
    expect(s.invoiceNumbers).toEqual(['57832']);
    expect(s.orderNumber).toBe('77812');
  });

  it('keeps only the corrected number', () => {
    const s = understandRules('na verdade é a nota 4522');
    expect(s.invoiceNumbers).toEqual(['4522']);
    expect(s.correction).toBe(true);
    expect(nfs('não é 4521, é 4522', { expecting: 'invoice' })).toEqual(['4522']);
    expect(nfs('não é a nota 4521, é a 4522')).toEqual(['4522']);
  });

  it('takes "nota errada! a certa é a 412592", and never a year ("a nota é de 2022")', () => {
    expect(nfs('ops, nota errada! a certa é a 412592, a outra é de outra obra')).toEqual(['412592']);
    expect(nfs('a porta da NF 398114 empenou. Sei que a nota é de 2022, mas tem garantia')).toEqual(['398114']);
    expect(nfs('nf 88001, 410117 grafite 2 unidades')).toEqual(['88001']);
    expect(nfs('notas 3120 e 3121')).toEqual(['3120', '3121']);
  });

  it('ignores a phone and a CNPJ next to the NF', () => {
    const s = understandRules('nf 245110 cnpj 24.680.135/0001-03 tel 54 3452-1100');
    expect(s.invoiceNumbers).toEqual(['245110']);
    expect(s.cnpj).toBe('24680135000103');
  });

  it('does not confuse an item code with an NF when both are given', () => {
    const s = understandRules('nf 245110 porta 615099', {
      invoiceItems: [item('615099', 'PORTA GIRO 400X700', 'TECA 18MM')],
    });
    expect(s.invoiceNumbers).toEqual(['245110']);
    expect(s.productRefs.map((r) => r.code)).toEqual(['615099']);
  });
});
