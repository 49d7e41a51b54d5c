import { formatImportReport } from '../../../src/integrations/import';

describe('formatImportReport', () => {
  it('prints the counts then one line per rejected row, by line', () => {
    expect(
      formatImportReport({
        kind: 'customers',
        total: 4,
        imported: 2,
        updated: 0,
        unchanged: 1,
        rejected: [
          { line: 9, reason: 'nome vazio' },
          { line: 7, reason: 'CNPJ inválido (12.345.678/0001-00)' },
        ],
      }),
    ).toBe(
      [
        'clientes: 4 linhas — 2 importadas, 0 atualizadas, 1 sem alteração, 2 rejeitadas',
        'linha 7: CNPJ inválido (12.345.678/0001-00)',
        'linha 9: nome vazio',
      ].join('\n'),
    );
    expect(
      formatImportReport({ kind: 'invoices', total: 1, imported: 1, updated: 1, unchanged: 0, rejected: [] }),
    ).toBe('notas fiscais: 1 linha — 1 importada, 1 atualizada, 0 sem alteração, 0 rejeitadas');
  });
});
