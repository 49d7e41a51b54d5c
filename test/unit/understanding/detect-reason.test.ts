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
    ['as dobradiças vieram com a caneca quebrada, já vieram assim de fábrica', 'industria'],
    ['a porta ja veio assim, quebrada', 'transporte'],
    ['as laterais molharam e incharam. o dano ocorreu na obra, não na fábrica', 'cliente'],
    ['as frentes vieram com a cor mais clara que o resto', 'industria'],
    ['as dobradiças vieram com a mola quebrada', 'industria'],
    ['veio com 2 pés quebrados dentro do saquinho lacrado', 'industria'],
    ['o montador apertou demais a bucha e rachou a lateral', 'cliente'],
  ])('%s → %s', (text, expected) => {
    expect(category(text)).toBe(expected);
  });

  it('keeps the customer words without greetings and attachments notes', () => {
    const r = understandRules('Bom dia!\nA porta chegou com a quina amassada.\nSegue foto.').reason;
    expect(r).toEqual({ category: 'transporte', description: 'A porta chegou com a quina amassada.' });
  });

  it('asks rather than guesses when "veio quebrado" is all there is (the trip or the factory)', () => {
    expect(understandRules('a porta veio quebrada').reason).toEqual({ description: 'a porta veio quebrada' });
    expect(category('a porta chegou quebrada')).toBe('transporte');
  });

  it('takes no reason from talk about what was typed ("digitei errado")', () => {
    expect(understandRules('pera, digitei errado, a nf certa é 318602').reason).toBeUndefined();
    expect(understandRules('a nota ta errada, é 4522').reason).toBeUndefined();
    expect(understandRules('a nota ta errada, é 4522').correction).toBe(true);
    expect(understandRules('veio a peça errada').reason?.category).toBe('industria');
  });

  it('leaves greetings and the invoice number out of the description', () => {
    const d = (text: string) => understandRules(text).reason?.description;
    expect(d('opa boa tarde, essa foto é da porta que chegou quebrada')).toBe(
      'essa foto é da porta que chegou quebrada',
    );
    expect(d('boa tarde meu rei, a porta veio riscada de fabrica')).toBe('a porta veio riscada de fabrica');
    expect(d('Referente à NF 318790: 4 dobradiças vieram com o amortecedor vazando óleo')).toBe(
      '4 dobradiças vieram com o amortecedor vazando óleo',
    );
    expect(d('Bom dia, pedido da NF 318574: as corrediças vieram travando')).toBe('as corrediças vieram travando');
    // Nothing left worth keeping: the sentence as it was.
    expect(d('oi, quebrou')).toBe('oi, quebrou');
  });

  it('does not cut the description at an abbreviation ("cód. 512057")', () => {
    const r = understandRules(
      'Prezados,\nas 2 laterais (cód. 512057) molharam na base. O dano ocorreu na obra.\nAtt, Ana',
    ).reason;
    expect(r?.description).toBe('as 2 laterais (cód. 512057) molharam na base. O dano ocorreu na obra.');
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
