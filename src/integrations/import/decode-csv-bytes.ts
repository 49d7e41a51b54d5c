import iconv from 'iconv-lite';
import { ImportFileError } from './import-file-error';

/** How the bytes were read. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Files above this size are refused before decoding (the real ones are a few MB). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/** Share of non-text characters above which a file is called binary. */
const MAX_NON_TEXT_SHARE = 0.02;

// C0 controls except tab/LF/CR, DEL, C1 controls and the replacement character (undecodable byte).
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const NON_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/g;

function startsWith(bytes: Buffer, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function refuseKnownBinary(bytes: Buffer): void {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    throw new ImportFileError(
      'This is an Excel workbook (.xlsx) or another ZIP file, not CSV: save it in Excel as "CSV (separated by semicolons)" and import that file.',
    );
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new ImportFileError(
      'This is an old Excel workbook (.xls), not CSV: save it in Excel as "CSV (separated by semicolons)" and import that file.',
    );
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) {
    throw new ImportFileError('This is a PDF file, not CSV: export the data from the ERP or Excel as CSV.');
  }
}

/**
 * Bytes of an import file to text. UTF-8 (with or without BOM) when the bytes are valid UTF-8,
 * UTF-16 when a UTF-16 BOM says so, else Windows-1252 (what Excel in Brazil writes as "CSV").
 * The BOM is removed. Throws {@link ImportFileError} for an empty file and for binary content
 * (a NUL byte, a known binary signature, or more than 2% control/undecodable characters).
 */
export function decodeCsvBytes(bytes: Buffer): { text: string; encoding: CsvEncoding } {
  if (bytes.length === 0) throw new ImportFileError('The file is empty.');
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new ImportFileError(
      `The file is too large to import (${bytes.length} bytes, at most ${MAX_IMPORT_BYTES}): split it into smaller files.`,
    );
  }
  refuseKnownBinary(bytes);

  let text: string;
  let encoding: CsvEncoding;
  if (startsWith(bytes, [0xff, 0xfe])) {
    encoding = 'utf-16le';
    text = iconv.decode(bytes.subarray(2), 'utf16le');
  } else if (startsWith(bytes, [0xfe, 0xff])) {
    encoding = 'utf-16be';
    text = iconv.decode(bytes.subarray(2), 'utf16be');
  } else {
    if (bytes.includes(0)) {
      throw new ImportFileError('This is a binary file, not a CSV text file (it contains NUL bytes).');
    }
    try {
      // fatal: any invalid sequence throws, so Windows-1252 accents ("M\xF3veis") fall through.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
      encoding = 'utf-8';
    } catch {
      text = iconv.decode(bytes, 'win1252');
      encoding = 'windows-1252';
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const nonText = text.match(NON_TEXT)?.length ?? 0;
  if (nonText > 0 && (text.includes('\u0000') || nonText / text.length > MAX_NON_TEXT_SHARE)) {
    throw new ImportFileError(
      'This is a binary file, not a CSV text file (it is mostly control or undecodable bytes).',
    );
  }
  if (text.trim() === '') throw new ImportFileError('The file is empty (it holds only blank lines).');
  return { text, encoding };
}
