import { understandRules } from '../../../src/understanding/rules';

const category = (text: string, expecting?: 'reason') => understandRules(text, { expecting }).reason?.category;

describe('reason', () => {
  it.each([
    ['chegou quebrado', 'transporte'],
    ['a caixa veio rasgada', 'transporte'],
    ['caixa molhada', 'transporte'],
    ['avaria na entrega', 'transporte'],
    ['a transportadora derrubou', 'transporte'],
    ['o montador lascou a lateral', 'cliente'],
    ['caiu na instalação', 'cliente'],
    ['a gente quebrou sem querer', 'cliente'],
    ['ficou armazenado e molhou', 'cliente'],
    ['umidade na obra', 'cliente'],
    ['o montador furou errado', 'cliente'],
    ['defeito de fábrica', 'industria'],
    ['veio empenada', 'industria'],
    ['a fita de borda está descolando', 'industria'],
    ['veio sem furação', 'industria'],
    ['furação errada', 'industria'],
    ['cor diferente', 'industria'],
    ['medida errada', 'industria'],
    ['peça errada', 'industria'],
    ['faltou peça na caixa', 'industria'],
    ['manchada', 'industria'],
    ['com bolha', 'industria'],
  ])('%s → %s', (text, expected) => {
    expect(category(text)).toBe(expected);
  });

  it('keeps the customer words without greetings and attachments notes', () => {
    const r = understandRules('Bom dia!\nA porta chegou com a quina amassada.\nSegue foto.').reason;
    expect(r).toEqual({ category: 'transporte', description: 'A porta chegou com a quina amassada.' });
  });

  it('gives a description without category when the problem is unclear', () => {
    expect(
      understandRules('a porta está com problema no canto, veio riscada por dentro e por fora').reason?.description,
    ).toBeDefined();
    expect(understandRules('a porta está riscada por dentro').reason).toEqual({
      description: 'a porta está riscada por dentro',
    });
  });

  it('takes the whole answer as the description when the reason was asked', () => {
    expect(understandRules('não sei dizer, quando abrimos estava assim', { expecting: 'reason' }).reason).toEqual({
      description: 'não sei dizer, quando abrimos estava assim',
    });
  });

  it('has no reason when no problem is told', () => {
    expect(understandRules('NF 245110').reason).toBeUndefined();
    expect(understandRules('bom dia').reason).toBeUndefined();
  });

  it('reads a correction of the cause', () => {
    const s = understandRules('Na verdade o montador que quebrou');
    expect(s.reason?.category).toBe('cliente');
    expect(s.correction).toBe(true);
  });
});
