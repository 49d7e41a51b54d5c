import { parseDecimal, parseWholeNumber } from '../../../src/domain/parse-decimal';
import { looksLikeFormula, showValue, textProblem } from '../../../src/integrations/import/cell-schemas';

describe('parseDecimal', () => {
  it.each([
    ['2,6', 2.6],
    ['2.6', 2.6],
    ['21', 21],
    ['0,35', 0.35],
    ['1234,5', 1234.5],
    ['1234.5', 1234.5],
    ['1.234,56', 1234.56],
    ['12.345.678,9', 12345678.9],
    ['1.234', 1.234],
    [' 7,25 ', 7.25],
  ])('%s → %d', (input, expected) => {
    expect(parseDecimal(input)).toBe(expected);
  });

  it.each(['', '-2', '+2', '-2+3', 'abc', '1,234.56', '1.234.567', '2,6kg', ',5', '5,', '1e3', '1 234,5', '2,,6'])(
    'refuses %j',
    (input) => {
      expect(parseDecimal(input)).toBeNull();
    },
  );
});

describe('parseWholeNumber', () => {
  it('reads digits only', () => {
    expect(parseWholeNumber('60')).toBe(60);
    expect(parseWholeNumber('007')).toBe(7);
    expect(parseWholeNumber('7,5')).toBeNull();
    expect(parseWholeNumber('-1')).toBeNull();
    expect(parseWholeNumber('')).toBeNull();
  });
});

describe('looksLikeFormula', () => {
  it.each(['=HYPERLINK("http://x","y")', '+cmd', '-2+3', '@SUM(A1)', '=1'])('%s is a formula', (v) => {
    expect(looksLikeFormula(v)).toBe(true);
  });
  it.each(['PORTA GIRO', '-', 'TECA 18MM', 'a=b', 'x@y.com', ''])('%j is not', (v) => {
    expect(looksLikeFormula(v)).toBe(false);
  });
});

describe('showValue', () => {
  it('escapes control and invisible characters', () => {
    expect(showValue('a\nb\tc\u0007d\u202Ee')).toBe('a\\nb\\tc\\u0007d\\u202ee');
  });
  it('cuts long values', () => {
    expect(showValue('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('textProblem', () => {
  it('names the column and the value', () => {
    expect(textProblem('descricao', '=1+1', 300)).toBe('descricao: conteúdo parece fórmula de planilha (=1+1)');
    expect(textProblem('nome', 'A\u0007B', 300)).toBe('nome: contém caracteres de controle ou invisíveis (A\\u0007B)');
    expect(textProblem('codigo', 'ABCDEF', 5)).toBe('codigo com 6 caracteres, o máximo é 5 (ABCDEF)');
    expect(textProblem('nome', 'LOJA BOA', 300)).toBeNull();
  });
});
