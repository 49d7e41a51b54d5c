import { OPTIONS_HINT, renderWhatsappText } from '../../../src/channels/whatsapp/render-whatsapp-text';

describe('renderWhatsappText', () => {
  test('no options: the text as is', () => {
    expect(renderWhatsappText('Olá!')).toBe('Olá!');
    expect(renderWhatsappText('Olá!', [])).toBe('Olá!');
  });

  test('options as a numbered list and the hint', () => {
    expect(renderWhatsappText('Confirma?', ['Sim', 'Não'])).toBe(`Confirma?\n\n1. Sim\n2. Não\n\n${OPTIONS_HINT}`);
    expect(OPTIONS_HINT).toBe('Responda com o número.');
  });

  test('no second hint when the text already has one', () => {
    const text = 'Qual peça da NF 123 está com problema? Responda com o número da opção.';
    expect(renderWhatsappText(text, ['Porta', 'Gaveta'])).toBe(`${text}\n\n1. Porta\n2. Gaveta`);
  });
});
