import { maskPii } from '../../../../src/understanding/llm/mask-pii';

describe('maskPii', () => {
  it.each([
    ['me liga no (54) 99911-2233', 'me liga no [telefone]'],
    ['whats +55 54 99911-2233 obrigado', 'whats [telefone] obrigado'],
    ['fone 5499911 2233', 'fone [telefone]'],
    ['fixo 51 3344-5566', 'fixo [telefone]'],
    ['tel 54999112233.', 'tel [telefone].'],
    ['escreve pra contato@artemoveis.com.br por favor', 'escreve pra [email] por favor'],
    ['CNPJ 11.222.333/0001-81', 'CNPJ [cnpj]'],
    ['cnpj 11222333000181', 'cnpj [cnpj]'],
    ['cpf 123.456.789-09', 'cpf [cpf]'],
  ])('%s', (input, masked) => {
    expect(maskPii(input)).toBe(masked);
  });

  it.each([
    'NF 88001 porta 410100 qtd 2',
    'NFe 000.123.456 pedido 70001',
    'nota 245110 615020 748012',
    'protocolo AT-000123',
    'medida 700x350 e 2100mm',
  ])('leaves invoice numbers, codes and measures: %s', (text) => {
    expect(maskPii(text)).toBe(text);
  });
});
