// Unit tests (no server) for the quote/signature stripper; kept here because the e-mail work owns
// test/integration/channels/email*.test.ts. They would sit in test/unit/channels/email/ otherwise.
import { stripQuotedReply } from '../../../../src/channels/email/strip-quoted-reply';

describe('stripQuotedReply', () => {
  it('Gmail pt-BR: cuts the (wrapped) attribution, the quote and the signature', () => {
    const text = [
      'Sim, pode registrar. A nota é 123456.',
      '',
      'Obrigado,',
      'João Silva',
      'Móveis Silva Ltda',
      '',
      'Em seg., 2 de mar. de 2026 às 10:15, Posvenda <posvenda@posvenda.test>',
      'escreveu:',
      '',
      '> Olá! Qual o número da nota fiscal?',
      '>',
    ].join('\n');
    expect(stripQuotedReply(text)).toBe('Sim, pode registrar. A nota é 123456.');
  });

  it('Gmail pt-BR on one line, and the harness-style attribution', () => {
    expect(stripQuotedReply('2\n\nEm 02/03/2026 10:15, posvenda@posvenda.test escreveu:\n> 1. Sim\n> 2. Não\n')).toBe(
      '2',
    );
  });

  it('Gmail English', () => {
    const text =
      'The invoice is 98765.\n\nOn Mon, Mar 2, 2026 at 10:15 AM Posvenda <posvenda@posvenda.test> wrote:\n\n> Which invoice?\n';
    expect(stripQuotedReply(text)).toBe('The invoice is 98765.');
  });

  it('Gmail English with the attribution wrapped after the address bracket', () => {
    const text =
      'Yes\n\nOn Mon, Mar 2, 2026 at 10:15 AM Posvenda Assistencia Tecnica <\nposvenda@posvenda.test> wrote:\n> Confirm?';
    expect(stripQuotedReply(text)).toBe('Yes');
  });

  it('Outlook pt-BR: underscores + De/Enviado/Para/Assunto block, "Atenciosamente," signature', () => {
    const text = [
      'Bom dia,',
      '',
      'A peça veio com a lateral quebrada.',
      '',
      'Atenciosamente,',
      '',
      'Maria Souza',
      'Loja Central Móveis',
      'Tel.: (41) 3333-4444',
      '',
      '________________________________',
      'De: Posvenda <posvenda@posvenda.test>',
      'Enviado: segunda-feira, 2 de março de 2026 10:15',
      'Para: Maria Souza <maria@lojacentral.com.br>',
      'Assunto: [AT-000012] Assistência Técnica',
      '',
      'Olá! Pode enviar uma foto?',
    ].join('\r\n');
    expect(stripQuotedReply(text)).toBe('Bom dia,\n\nA peça veio com a lateral quebrada.');
  });

  it('Outlook English: -----Original Message-----', () => {
    const text =
      'Two pieces arrived broken.\n\n-----Original Message-----\nFrom: Posvenda\nSent: Monday\nSubject: Hi\n\nHello';
    expect(stripQuotedReply(text)).toBe('Two pieces arrived broken.');
  });

  it('Outlook English header block without underscores', () => {
    const text =
      'See attached.\n\nFrom: Posvenda <posvenda@posvenda.test>\nSent: Monday, March 2, 2026 10:15 AM\nTo: Bob <bob@x.com>\nSubject: RE: help\n\nOld text';
    expect(stripQuotedReply(text)).toBe('See attached.');
  });

  it('Apple Mail pt-BR: "Enviado do meu iPhone" and the à(s) attribution', () => {
    const text =
      'Segue a foto do puxador.\n\nEnviado do meu iPhone\n\nEm 2 de mar. de 2026, à(s) 10:20, Posvenda <posvenda@posvenda.test> escreveu:\n\n> Pode me enviar uma foto?\n';
    expect(stripQuotedReply(text)).toBe('Segue a foto do puxador.');
  });

  it('Apple Mail English: "Sent from my iPhone" and "On … at …, X wrote:"', () => {
    const text =
      'Photo attached\n\nSent from my iPhone\n\n> On Mar 2, 2026, at 10:20, Posvenda <posvenda@posvenda.test> wrote:\n> \n> Photo?';
    expect(stripQuotedReply(text)).toBe('Photo attached');
  });

  it('RFC 3676 "-- " separator', () => {
    expect(stripQuotedReply('O pedido é 555.\n-- \nCarlos\nMontagens Express\n(11) 91234-5678')).toBe(
      'O pedido é 555.',
    );
  });

  it('"Att," and "Abs," in the end block', () => {
    expect(stripQuotedReply('Quero abrir uma assistência.\n\nAtt,\nFulano de Tal\nCompras')).toBe(
      'Quero abrir uma assistência.',
    );
    expect(stripQuotedReply('Pode ser amanhã.\nAbs,\nBeto')).toBe('Pode ser amanhã.');
  });

  it('keeps a valediction followed by a lot of text (not an end block)', () => {
    const long = Array.from({ length: 12 }, (_, i) => `Linha ${i + 1} com o relato do problema do cliente.`);
    const text = ['Obrigado,', ...long].join('\n');
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('keeps a message that is only thanks', () => {
    expect(stripQuotedReply('Obrigado!')).toBe('Obrigado!');
    expect(stripQuotedReply('Obrigado,\nJoão')).toBe('Obrigado,\nJoão');
  });

  it('keeps ordinary lines that merely look like markers', () => {
    const text = 'Em 2023 comprei 3 camas.\nDe: 10 peças, 2 vieram quebradas.\nAssunto resolvido? Não.';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('keeps the customer lines of an inline (interleaved) reply', () => {
    const text = '> Qual o número da nota?\n123456\n> Quantas peças?\n2';
    expect(stripQuotedReply(text)).toBe('123456\n2');
  });

  it('does not cut a forwarded message (it is often the request itself)', () => {
    const text =
      'Veja a reclamação do cliente abaixo.\n\n---------- Forwarded message ---------\nDe: Cliente <c@x.com>\nDate: seg., 2 de mar.\nSubject: cama quebrada\n\nA cama veio quebrada.';
    expect(stripQuotedReply(text)).toContain('A cama veio quebrada.');
  });

  it('collapses blank lines and trims', () => {
    expect(stripQuotedReply('\n\n  Oi\n\n\n\nTudo bem?  \n\n')).toBe('Oi\n\nTudo bem?');
  });
});

describe('stripQuotedReply with Outlook forwards', () => {
  it('keeps an Outlook forward (ENC: subject)', () => {
    const text =
      'Segue o e-mail da cliente.\n\n________________________________\nDe: Ana <ana@x.com>\nEnviado: terça-feira\nPara: Loja <loja@x.com>\nAssunto: ENC: guarda-roupa\n\nA porta do guarda-roupa empenou.';
    expect(stripQuotedReply(text)).toContain('A porta do guarda-roupa empenou.');
  });
});
