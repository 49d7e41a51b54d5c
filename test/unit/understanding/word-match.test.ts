import { sameNoun, sameWord, stemPt } from '../../../src/understanding/rules/word-match';

describe('word matching', () => {
  it('folds plural and gender', () => {
    expect(stemPt('portas')).toBe(stemPt('porta'));
    expect(stemPt('branca')).toBe(stemPt('branco'));
    expect(stemPt('puxadores')).toBe('puxador');
    expect(stemPt('laterais')).toBe('lateral');
  });

  it.each([
    ['nixo', 'nicho'],
    ['gavetero', 'gaveteiro'],
    ['dobradissa', 'dobradica'],
    ['corredicas', 'corredica'],
    ['brancas', 'branco'],
  ])('%s ≈ %s', (a, b) => {
    expect(sameWord(a, b)).toBe(true);
  });

  it.each([
    ['porta', 'prata'],
    ['caixa', 'cinza'],
    ['espelho', 'espelheira'],
    ['teca', 'tela'],
  ])('%s ≠ %s', (a, b) => {
    expect(sameWord(a, b)).toBe(false);
  });

  it('tells nouns of different gender apart', () => {
    expect(sameNoun('tampa', 'tampo')).toBe(false);
    expect(sameNoun('portas', 'porta')).toBe(true);
  });
});
