import { ImportFileError } from '../../../src/integrations/import/import-file-error';
import { detectDelimiter, foldHeader, readCsvTable } from '../../../src/integrations/import/read-csv-table';

const SPEC = [
  { name: 'codigo', required: true },
  { name: 'descricao', required: true },
  { name: 'peso_kg', required: true },
  { name: 'custo', required: false },
];

describe('foldHeader', () => {
  it.each([
    ['Código', 'codigo'],
    ['CODIGO', 'codigo'],
    [' Descrição ', 'descricao'],
    ['Peso (kg)', 'peso_kg'],
    ['GARANTIA MESES', 'garantia_meses'],
    ['emissão', 'emissao'],
  ])('%j → %s', (input, expected) => {
    expect(foldHeader(input)).toBe(expected);
  });
});

describe('detectDelimiter', () => {
  it('counts outside quotes in the header line', () => {
    expect(detectDelimiter('a;b;c\n1,2,3,4,5')).toBe(';');
    expect(detectDelimiter('a,b,c\n1;2;3;4;5')).toBe(',');
    expect(detectDelimiter('"a;b;c",d,e\n')).toBe(',');
    expect(detectDelimiter('\n\na\tb\tc\n')).toBe('\t');
    expect(detectDelimiter('codigo\n')).toBe(';');
  });
});

describe('readCsvTable', () => {
  it('maps headers in any order and keeps physical line numbers across multi-line cells', () => {
    const text = 'PESO KG;Código;Descrição;extra\n2,6;A;"PORTA\nGIRO";x\n\n1;B;"X;Y";\n;;;\n3;C\n';
    const t = readCsvTable(text, SPEC);
    expect(t.delimiter).toBe(';');
    expect(t.columns).toEqual(['peso_kg', 'codigo', 'descricao']);
    expect(t.rows).toEqual([
      { line: 2, cells: { peso_kg: '2,6', codigo: 'A', descricao: 'PORTA\nGIRO' } },
      { line: 5, cells: { peso_kg: '1', codigo: 'B', descricao: 'X;Y' } },
    ]);
    expect(t.rejected).toEqual([{ line: 7, reason: 'linha com 2 colunas, o cabeçalho tem 4' }]);
    expect(t.total).toBe(3);
  });

  it('accepts trailing empty cells but not extra values', () => {
    const t = readCsvTable('codigo;descricao;peso_kg\nA;B;1;;\nC;D;2;3\n', SPEC);
    expect(t.rows.map((r) => r.line)).toEqual([2]);
    expect(t.rejected).toEqual([
      { line: 3, reason: 'linha com 4 colunas, o cabeçalho tem 3 (há algum ";" fora de aspas?)' },
    ]);
  });

  it('ignores unnamed trailing header cells', () => {
    const t = readCsvTable('codigo;descricao;peso_kg;;;\nA;B;1\nC;D;2;;;\nE;F\n', SPEC);
    expect(t.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(t.rejected).toEqual([{ line: 4, reason: 'linha com 2 colunas, o cabeçalho tem 3' }]);
  });

  it('handles CRLF and lone CR line ends', () => {
    const t = readCsvTable('codigo,descricao,peso_kg\r\nA,"B\r\nC",1\rD,E,2\r\n', SPEC);
    expect(t.rows.map((r) => [r.line, r.cells.codigo])).toEqual([
      [2, 'A'],
      [4, 'D'],
    ]);
  });

  it('refuses a file without a header or with missing/duplicate columns', () => {
    expect(() => readCsvTable('A;PORTA;2,6\n', SPEC)).toThrow(
      new ImportFileError(
        'The file has no header row: its first line names none of the expected columns (codigo;descricao;peso_kg;custo); add the header as the first line.',
      ),
    );
    expect(() => readCsvTable('codigo;descricao\nA;B\n', SPEC)).toThrow(
      new ImportFileError(
        'The header is missing the required column peso_kg (expected codigo;descricao;peso_kg;custo).',
      ),
    );
    expect(() => readCsvTable('codigo\nA\n', SPEC)).toThrow(/missing the required columns descricao, peso_kg/);
    expect(() => readCsvTable('codigo;Código;descricao;peso_kg\n', SPEC)).toThrow(/names the column "codigo" twice/);
  });

  it('reports broken quoting as a file error with the line', () => {
    expect(() => readCsvTable('codigo;descricao;peso_kg\nA;"B" x;1\n', SPEC)).toThrow(
      /unexpected text after a closing quote on line 2/,
    );
    expect(() => readCsvTable('codigo;descricao;peso_kg\nA;"B;1\nC;D;2\n', SPEC)).toThrow(
      /quoted field is never closed/,
    );
  });
});
