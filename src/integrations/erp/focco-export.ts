import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AssistanceKind, ErpData } from '../../domain/erp';
import { neutralizeCell, spreadsheetCsv } from '../spreadsheet-csv';

/**
 * The FOCCO import file: which columns, in which order, with which headers, comes from a layout
 * file (default `focco-layout.default.json`; `FOCCO_LAYOUT_FILE` points at the company's own) so
 * it can match the import template the ERP expects without a code change.
 */

/** What a column can show. Item fields repeat the request's fields on each item row. */
export const EXPORT_FIELDS = [
  'erpOrderNumber',
  'protocol',
  'customerCode',
  'customerCnpj',
  'customerName',
  'customerUf',
  'salesDivision',
  'reason',
  'paymentCondition',
  'cfop',
  'kind',
  'kindLabel',
  'invoiceNumber',
  'orderNumber',
  'orderSequence',
  'weightKg',
  'volumes',
  'decidedOn',
  'itemCode',
  'itemMask',
  'itemDescription',
  'itemQuantity',
  'itemWeightKg',
] as const;
export type ExportField = (typeof EXPORT_FIELDS)[number];

const cfopPair = z.object({ inState: z.string(), outOfState: z.string() });

export const layoutSchema = z.object({
  sheetName: z.string().min(1).max(31).default('FOCCO'),
  /** One row per request, or one per item (request fields repeated). */
  rowPer: z.enum(['request', 'item']).default('item'),
  decimalSeparator: z.enum([',', '.']).default(','),
  dateFormat: z.enum(['dd/mm/yyyy', 'yyyy-mm-dd']).default('dd/mm/yyyy'),
  cfop: z.object({ warranty: cfopPair, charged: cfopPair }),
  defaults: z.object({
    salesDivision: z.string(),
    paymentCondition: z.object({ warranty: z.string(), charged: z.string() }),
    reason: z.object({ industria: z.string(), transporte: z.string(), cliente: z.string() }),
  }),
  columns: z
    .array(z.object({ header: z.string().min(1), field: z.enum(EXPORT_FIELDS) }))
    .min(1)
    .refine((cols) => new Set(cols.map((c) => c.header)).size === cols.length, 'column headers must be unique'),
});
export type FoccoLayout = z.infer<typeof layoutSchema>;

export const DEFAULT_LAYOUT_FILE = path.join(__dirname, 'focco-layout.default.json');

/** Reads and validates a layout file; a bad file stops the start with the file and the problem named. */
export function loadLayout(file = DEFAULT_LAYOUT_FILE): FoccoLayout {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`FOCCO layout ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const parsed = layoutSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new Error(`FOCCO layout ${file}: ${problems}`);
  }
  return parsed.data;
}

export interface ExportRequest {
  protocol: string;
  customerCode: string;
  customerCnpj: string;
  customerName: string;
  customerUf: string | null;
  invoiceNumber: string;
  orderNumber: string | null;
  /** The decision day (YYYY-MM-DD). */
  decidedOn: string;
  erp: ErpData;
  items: { code: string; mask: string; description: string; quantity: number; weightKg: number }[];
}

export type Cell = string | number;
/** Header row + data rows, exactly as written to the files. */
export type ExportTable = Cell[][];

const KIND_LABEL: Record<AssistanceKind, string> = { warranty: 'GARANTIA', charged: 'COBRADA' };

function formatDate(iso: string, fmt: FoccoLayout['dateFormat']): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return fmt === 'yyyy-mm-dd' ? `${y}-${m}-${d}` : `${d}/${m}/${y}`;
}

/** The rows of a batch, in the order given (the caller sorts), with the layout's columns. */
export function buildTable(layout: FoccoLayout, reqs: readonly ExportRequest[]): ExportTable {
  const table: ExportTable = [layout.columns.map((c) => c.header)];
  for (const r of reqs) {
    const base: Partial<Record<ExportField, Cell>> = {
      erpOrderNumber: r.erp.erpOrderNumber,
      protocol: r.protocol,
      customerCode: r.customerCode,
      customerCnpj: r.customerCnpj,
      customerName: r.customerName,
      customerUf: r.customerUf ?? '',
      salesDivision: r.erp.salesDivision,
      reason: r.erp.reason,
      paymentCondition: r.erp.paymentCondition,
      cfop: r.erp.cfop,
      kind: r.erp.kind,
      kindLabel: KIND_LABEL[r.erp.kind],
      invoiceNumber: r.invoiceNumber,
      orderNumber: r.orderNumber ?? '',
      orderSequence: r.erp.orderSequence ?? '',
      weightKg: r.erp.weightKg,
      volumes: r.erp.volumes,
      decidedOn: formatDate(r.decidedOn, layout.dateFormat),
    };
    const lines =
      layout.rowPer === 'request'
        ? [base]
        : r.items.map((i) => ({
            ...base,
            itemCode: i.code,
            itemMask: i.mask,
            itemDescription: i.description,
            itemQuantity: i.quantity,
            itemWeightKg: i.weightKg,
          }));
    for (const line of lines) table.push(layout.columns.map((c) => line[c.field] ?? ''));
  }
  return table;
}

/** The batch as CSV for Excel (see `spreadsheetCsv`). */
export function toCsv(table: ExportTable, layout: FoccoLayout): Buffer {
  return spreadsheetCsv(table, layout.decimalSeparator);
}

/**
 * XLSX with text as text (never a formula) and numbers as numbers. The zip is rewritten with
 * fixed entry dates (the batch's time) so exporting the same batch again gives the same bytes.
 */
export async function toXlsx(table: ExportTable, layout: FoccoLayout, at: Date): Promise<Buffer> {
  // Loaded on first use: exceljs takes ~0.3 s to load, which every start would otherwise pay.
  const [{ default: ExcelJS }, { default: JSZip }] = await Promise.all([import('exceljs'), import('jszip')]);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Posvenda';
  wb.created = at;
  wb.modified = at;
  const ws = wb.addWorksheet(layout.sheetName);
  for (const row of table) ws.addRow(row.map((v) => (typeof v === 'string' ? neutralizeCell(v) : v)));
  ws.getRow(1).font = { bold: true };
  const raw = await wb.xlsx.writeBuffer();
  const zip = await JSZip.loadAsync(raw);
  const out = new JSZip();
  for (const name of Object.keys(zip.files).sort()) {
    const f = zip.files[name]!;
    if (f.dir) continue;
    out.file(name, await f.async('uint8array'), { date: at, createFolders: false });
  }
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
