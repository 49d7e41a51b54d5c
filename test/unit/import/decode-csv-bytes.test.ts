import iconv from 'iconv-lite';
import { decodeCsvBytes } from '../../../src/integrations/import/decode-csv-bytes';
import { ImportFileError } from '../../../src/integrations/import/import-file-error';

describe('decodeCsvBytes', () => {
  it('reads UTF-8 with and without BOM', () => {
    expect(decodeCsvBytes(Buffer.from('nome\nMóveis\n'))).toEqual({ text: 'nome\nMóveis\n', encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('nome\nMóveis\n')]);
    expect(decodeCsvBytes(bom)).toEqual({ text: 'nome\nMóveis\n', encoding: 'utf-8' });
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', () => {
    const bytes = iconv.encode('nome;descrição\nMóveis São João;€ 10\n', 'win1252');
    expect(decodeCsvBytes(bytes)).toEqual({ text: 'nome;descrição\nMóveis São João;€ 10\n', encoding: 'windows-1252' });
  });

  it('reads UTF-16 with a BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('nome\nMóveis\n', 'utf16le')]);
    expect(decodeCsvBytes(bytes)).toEqual({ text: 'nome\nMóveis\n', encoding: 'utf-16le' });
  });

  it('refuses empty, blank and binary files', () => {
    expect(() => decodeCsvBytes(Buffer.alloc(0))).toThrow(new ImportFileError('The file is empty.'));
    expect(() => decodeCsvBytes(Buffer.from(' \n\r\n'))).toThrow(
      new ImportFileError('The file is empty (it holds only blank lines).'),
    );
    expect(() => decodeCsvBytes(Buffer.from([0x61, 0x00, 0x62]))).toThrow(
      new ImportFileError('This is a binary file, not a CSV text file (it contains NUL bytes).'),
    );
    const controls = Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)));
    expect(() => decodeCsvBytes(controls)).toThrow(/binary file/);
    expect(() => decodeCsvBytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toThrow(/Excel workbook/);
  });
});
