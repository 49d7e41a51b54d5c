import { understandRules } from '../../../src/understanding/rules';
import { detectIntents } from '../../../src/understanding/rules/detect-intents';

const top = (text: string) => understandRules(text).intents[0];

describe('intents', () => {
  it.each([
    ['a porta chegou quebrada', 'assistencia'],
    ['veio riscada', 'assistencia'],
    ['faltou peça', 'assistencia'],
    ['nota 245110 item 615020 qtd 1', 'assistencia'],
    ['o montador riscou a porta', 'assistencia'],
    ['alguma novidade da minha solicitação?', 'status'],
    ['como está meu pedido de assistência', 'status'],
    ['conseguem ver em que pé está a assistência do pedido 73077? aquela dos gaveteiros', 'status'],
    ['AT-000123', 'status'],
    ['Como faço pra atualizar a biblioteca no Promob?', 'promob'],
    ['qual a altura certa pra instalar o aereo?', 'montagem'],
    ['furação pra dobradiça onde fica?', 'montagem'],
    ['ja paguei o pix, podem liberar o envio?', 'financeiro'],
    ['quero falar com um atendente', 'humano'],
    ['Preciso falar com alguém do setor de assistência, podem me ligar?', 'humano'],
    ['olá', 'saudacao'],
    ['deixa pra lá', 'cancelar'],
    ['o pedido foi cancelado?', 'status'],
  ])('%s → %s', (text, intent) => {
    expect(top(text)).toBe(intent);
  });

  it('lists the real intent before the greeting', () => {
    expect(understandRules('Oi, bom dia! a porta veio quebrada').intents).toEqual(['assistencia', 'saudacao']);
  });

  it('does not read "o montador riscou" as an assembly question', () => {
    expect(understandRules('o montador riscou 2 frentes').intents).not.toContain('montagem');
  });

  it('has no intent for small talk', () => {
    expect(understandRules('obrigado!').intents).toEqual([]);
    expect(understandRules('kkkk').intents).toEqual([]);
  });

  it('routes Promob how-to questions to training and the rest to projects', () => {
    expect(detectIntents('vcs tem curso de promob ?').promobTeam).toBe('training');
    expect(detectIntents('o promob nao abre o arquivo do projeto').promobTeam).toBe('projects');
    expect(detectIntents('a porta veio quebrada').promobTeam).toBeUndefined();
  });
});

describe('products inside questions', () => {
  it('does not report the product of an assembly question as a part to replace', () => {
    const s = understandRules('qual a altura certa pra instalar o armario do banheiro 626035? nao achei no manual');
    expect(s.intents[0]).toBe('montagem');
    expect(s.productRefs).toEqual([]);
  });

  it('still reports products when the bot asked for them', () => {
    expect(understandRules('como monto o 626035?', { expecting: 'items' }).productRefs[0]?.code).toBe('626035');
  });
});
