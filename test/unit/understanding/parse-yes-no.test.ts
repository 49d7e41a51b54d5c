import { understandRules } from '../../../src/understanding/rules';

const yn = (text: string, expecting?: 'confirm') => understandRules(text, { expecting }).yesNo;

describe('yes/no', () => {
  it.each([
    'sim',
    's',
    'ss',
    'isso',
    'pode',
    'pode sim',
    'confirmo',
    'correto',
    'certo',
    'ok',
    'blz',
    'beleza',
    'tá certo',
    '👍',
    'exato',
    'perfeito',
    'manda',
    'SIM!',
    'ok, obrigado',
  ])('%s → yes', (text) => {
    expect(yn(text)).toBe('yes');
  });

  it.each(['não', 'nao', 'n', 'negativo', 'errado', 'tá errado', 'ainda não', 'NÃO!'])('%s → no', (text) => {
    expect(yn(text)).toBe('no');
  });

  it('reads "não, a nota certa é 4522" as no plus a correction', () => {
    const s = understandRules('nao, a nota certa é 4522', { expecting: 'confirm' });
    expect(s.yesNo).toBe('no');
    expect(s.invoiceNumbers).toEqual(['4522']);
    expect(s.correction).toBe(true);
  });

  it('does not take a "não" inside a statement for an answer', () => {
    expect(yn('não achei no manual a altura')).toBeUndefined();
    expect(yn('nao sei a nota')).toBeUndefined();
    expect(yn('a porta não fecha')).toBeUndefined();
    expect(yn('pode me ligar?')).toBeUndefined();
  });

  it('reads the opening word as the answer to a confirmation question', () => {
    expect(yn('sim pode abrir o chamado', 'confirm')).toBe('yes');
    expect(yn('nao ta certo nao, a quantidade é 3', 'confirm')).toBe('no');
  });
});
