import { CsvError, parse } from 'csv-parse/sync';
import { foldText } from '../../domain/text';
import { ImportFileError } from './import-file-error';
import type { RowRejection } from './import-report';

/** A column of an import file, by its canonical (folded) header name. */
export interface ColumnSpec {
  name: string;
  required: boolean;
}

/** One data row: its first physical line (1-based) and its cells by canonical column name. */
export interface CsvRow {
  line: number;
  /** Trimmed cells of the known columns present in the header; absent optional columns are missing. */
  cells: Record<string, string>;
}

/** A parsed import file. */
export interface CsvTable {
  delimiter: CsvDelimiter;
  /** Known columns present in the header (canonical names). */
  columns: string[];
  /** Non-blank data rows with the right number of cells. */
  rows: CsvRow[];
  /** Data rows refused for their shape (too few / too many cells). */
  rejected: RowRejection[];
  /** Data rows counted, blank ones (only delimiters/spaces) excluded. */
  total: number;
}

/** Delimiters recognised in the header line. */
export type CsvDelimiter = ';' | ',' | '\t';

/**
 * Header name to its canonical form: accents and case folded, every run of other characters
 * an underscore (`Código` → `codigo`, `Peso (kg)` → `peso_kg`, `GARANTIA MESES` → `garantia_meses`).
 */
export function foldHeader(name: string): string {
  return foldText(name)
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * The delimiter of a CSV text: whichever of `;`, `,` and tab occurs most often outside quotes in
 * its first non-blank line (the header). `;` wins ties and is the default (Excel in Brazil).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ';': 0, ',': 0, '\t': 0 };
  let inQuotes = false;
  let seenContent = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (seenContent) break;
    } else if (!inQuotes && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++;
    if (ch.trim() !== '') seenContent = true;
  }
  let best: CsvDelimiter = ';';
  for (const d of [',', '\t'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
  raw: string;
}

function csvFailure(e: CsvError): ImportFileError {
  const line = (e as CsvError & { lines?: number }).lines;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportFileError(
        `The file is not valid CSV: a quoted field is never closed (the file ends at line ${line} still inside quotes); check the quotes (") before that line.`,
      );
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new ImportFileError(
        `The file is not valid CSV: unexpected text after a closing quote on line ${line}; a field with quotes inside must be quoted as a whole with the inner quotes doubled ("").`,
      );
    default:
      return new ImportFileError(`The file is not valid CSV near line ${line}: ${e.message}.`);
  }
}

/** First physical line of a record: the line it ends on minus the line breaks inside it. */
function startLine(rec: ParsedRecord): number {
  // `raw` may start with skipped blank lines and ends with the record delimiter, if any.
  const raw = rec.raw.replace(/^\n+/, '');
  let breaks = 0;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) === 10) breaks++;
  if (raw.endsWith('\n')) breaks--;
  return rec.info.lines - breaks;
}

/**
 * Parses decoded CSV text with csv-parse: delimiter detected from the header line, cells trimmed,
 * blank lines skipped, line numbers kept even across quoted fields spanning lines. The first
 * non-blank record is the header; its names are matched to `spec` case- and accent-insensitively,
 * in any order, unknown columns ignored. Throws {@link ImportFileError} when there is no header
 * row, a required column is missing, a known column appears twice, or the quoting is broken.
 */
export function readCsvTable(text: string, spec: readonly ColumnSpec[]): CsvTable {
  const normalized = text.replace(/\r\n?/g, '\n');
  const delimiter = detectDelimiter(normalized);
  let records: ParsedRecord[];
  try {
    records = parse(normalized, {
      delimiter,
      record_delimiter: '\n',
      bom: true,
      trim: true,
      info: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    if (e instanceof CsvError) throw csvFailure(e);
    throw e;
  }

  const isBlank = (r: ParsedRecord) => r.record.every((c) => c === '');
  const headerIdx = records.findIndex((r) => !isBlank(r));
  if (headerIdx < 0) throw new ImportFileError('The file is empty (it holds only blank lines).');
  const header = records[headerIdx]!;
  const known = new Map(spec.map((c) => [c.name, c]));
  const indexOf = new Map<string, number>();
  header.record.forEach((name, i) => {
    const folded = foldHeader(name);
    if (!known.has(folded)) return;
    if (indexOf.has(folded)) {
      throw new ImportFileError(`The header names the column "${folded}" twice: keep only one of them.`);
    }
    indexOf.set(folded, i);
  });
  const expected = spec.map((c) => c.name).join(delimiter === '\t' ? ', ' : delimiter);
  if (indexOf.size === 0) {
    throw new ImportFileError(
      `The file has no header row: its first line names none of the expected columns (${expected}); add the header as the first line.`,
    );
  }
  const missing = spec.filter((c) => c.required && !indexOf.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new ImportFileError(
      `The header is missing the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${expected}).`,
    );
  }

  // Trailing unnamed header cells (Excel's `codigo;nome;;;`) do not count: rows may omit them.
  let width = header.record.length;
  while (width > 0 && header.record[width - 1] === '') width--;
  const rows: CsvRow[] = [];
  const rejected: RowRejection[] = [];
  let total = 0;
  for (let r = headerIdx + 1; r < records.length; r++) {
    const rec = records[r]!;
    if (isBlank(rec)) continue;
    total++;
    const line = startLine(rec);
    const n = rec.record.length;
    if (n < width) {
      rejected.push({ line, reason: `linha com ${n} ${n === 1 ? 'coluna' : 'colunas'}, o cabeçalho tem ${width}` });
      continue;
    }
    if (n > width && rec.record.slice(width).some((c) => c !== '')) {
      rejected.push({
        line,
        reason: `linha com ${n} colunas, o cabeçalho tem ${width} (há algum "${delimiter === '\t' ? 'tab' : delimiter}" fora de aspas?)`,
      });
      continue;
    }
    const cells: Record<string, string> = {};
    for (const [name, i] of indexOf) cells[name] = rec.record[i]!;
    rows.push({ line, cells });
  }
  return { delimiter, columns: [...indexOf.keys()], rows, rejected, total };
}
