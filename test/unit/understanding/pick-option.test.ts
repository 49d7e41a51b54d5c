import { understandRules } from '../../../src/understanding/rules';
import { KITCHEN } from './helpers';

const MENU = [
  'Assistência técnica (peça com defeito)',
  'Consultar andamento',
  'Dúvida sobre Promob',
  'Dúvida de montagem',
  'Financeiro',
  'Falar com uma pessoa',
];
const pick = (text: string, options = MENU, expecting: 'menu' | 'quantity' | 'invoice' | 'items' | 'reason' = 'menu') =>
  understandRules(text, { options, expecting, invoiceItems: KITCHEN }).option;

describe('option pick', () => {
  it.each([
    ['2', 1],
    ['opção 2', 1],
    ['2️⃣', 1],
    ['a segunda', 1],
    ['a última', 5],
    ['promob', 2],
    ['Financeiro', 4],
    ['falar com uma pessoa', 5],
    ['quero ver o andamento', 1],
    ['opcao 1 - assistencia', 0],
    ['minha porta chegou quebrada', 0],
  ])('%s → %d', (text, index) => {
    expect(pick(text)).toBe(index);
  });

  it('ignores numbers out of range and counts inside sentences', () => {
    expect(pick('7')).toBeUndefined();
    expect(pick('2 portas')).toBeUndefined();
  });

  it('maps Sim/Não answers', () => {
    expect(pick('pode sim', ['Sim', 'Não'])).toBe(0);
    expect(pick('não', ['Sim', 'Não'])).toBe(1);
  });

  it('picks an invoice item by code or description', () => {
    const options = KITCHEN.map((i) => `${i.code} - ${i.description} ${i.mask}`);
    expect(pick('o 615044', options, 'items')).toBe(2);
    expect(pick('a grafite', options, 'items')).toBe(1);
  });

  it('picks a reason category by the words of the problem', () => {
    const options = ['Defeito de fábrica', 'Dano no transporte', 'Dano na montagem ou manuseio'];
    expect(pick('chegou amassado na entrega', options, 'reason')).toBe(1);
    expect(pick('1', options, 'reason')).toBe(0);
  });

  it('when a quantity is expected, a number within the options is a pick and still a quantity', () => {
    const s = understandRules('2', { expecting: 'quantity', options: ['1', '2', 'Outra quantidade'] });
    expect(s.option).toBe(1);
    expect(s.quantity).toBe(2);
    const big = understandRules('5', { expecting: 'quantity', options: ['1', '2', 'Outra quantidade'] });
    expect(big.option).toBeUndefined();
    expect(big.quantity).toBe(5);
  });
});
