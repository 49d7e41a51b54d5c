import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { customers, invoiceItems, invoices, products } from '../../db/schema';
import { normalizeInvoiceNumber } from '../../domain/invoice-number';
import { parseWholeNumber } from '../../domain/parse-decimal';
import { foldText } from '../../domain/text';
import { formatDateBr, parseDateBrOrIso } from '../../domain/warranty';
import { fail, issuesReason, showValue, textCell } from './cell-schemas';
import { excluded } from './excluded';
import { productLabel } from './import-products';
import type { ImportReport, RowRejection } from './import-report';
import { distinct, inBatches } from './in-batches';
import type { ColumnSpec, CsvTable } from './read-csv-table';

/** Columns of the invoices file (CONTRACT §2): one row per invoice item. */
export const INVOICE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'numero', required: true },
  { name: 'cliente', required: true },
  { name: 'emissao', required: true },
  { name: 'pedido', required: true },
  { name: 'produto', required: true },
  { name: 'mascara', required: true },
  { name: 'quantidade', required: true },
];

/** Largest quantity of one item accepted (keeps clear of the int4 column's range). */
export const MAX_ITEM_QUANTITY = 1_000_000;

const invoiceRow = z.object({
  numero: textCell('numero', { required: true, max: 40, emptyMessage: 'numero da NF vazio' }).transform((v, ctx) => {
    const n = /^[\d\s./-]+$/.test(v) ? normalizeInvoiceNumber(v) : null;
    return n ?? fail(ctx, `numero da NF inválido (${showValue(v)})`);
  }),
  cliente: textCell('cliente', { required: true, max: 60 }),
  emissao: z.string().transform((raw, ctx) => {
    const v = raw.trim();
    if (v === '') return fail(ctx, 'emissao vazia');
    return parseDateBrOrIso(v) ?? fail(ctx, `emissao inválida (${showValue(v)}): use dd/mm/aaaa ou aaaa-mm-dd`);
  }),
  pedido: textCell('pedido', { max: 60 }),
  produto: textCell('produto', { required: true, max: 60 }),
  mascara: textCell('mascara', { max: 120 }),
  quantidade: z.string().transform((raw, ctx) => {
    const v = raw.trim();
    if (v === '') return fail(ctx, 'quantidade vazia');
    const n = parseWholeNumber(v);
    return n !== null && n > 0 && n <= MAX_ITEM_QUANTITY
      ? n
      : fail(ctx, `quantidade inválida (${showValue(v)}): use um número inteiro maior que zero`);
  }),
});

/** An invoice item row as validated: normalised NF number, ISO issue date. */
export type InvoiceRow = z.output<typeof invoiceRow>;

interface CatalogueEntry {
  id: number;
  mask: string;
}

/** The product of a code + mask: exact mask, else the only case/accent-insensitive match; else a reason. */
function resolveProduct(byCode: Map<string, CatalogueEntry[]>, code: string, mask: string): number | string {
  const entries = byCode.get(code);
  if (!entries) return `produto ${productLabel(code, mask)} não cadastrado`;
  const exact = entries.find((e) => e.mask === mask);
  if (exact) return exact.id;
  const folded = foldText(mask);
  const loose = entries.filter((e) => foldText(e.mask) === folded);
  if (loose.length === 1) return loose[0]!.id;
  const masks = entries.map((e) => (e.mask === '' ? '(sem máscara)' : showValue(e.mask)));
  if (mask === '') {
    return entries.length === 1
      ? `produto ${productLabel(code, mask)} não cadastrado: o código só existe com a máscara ${masks[0]}; preencha a mascara`
      : `produto ${productLabel(code, mask)} não cadastrado: o código existe com as máscaras ${masks.join(', ')}; preencha a mascara`;
  }
  return `produto ${productLabel(code, mask)} não cadastrado (máscaras desse código: ${masks.join(', ')})`;
}

interface Header {
  line: number;
  customerCode: string;
  customerId: number;
  issueDate: string;
  orderNumber: string;
}

interface Item {
  line: number;
  number: string;
  productId: number;
  quantity: number;
}

/**
 * Upserts the rows of an invoices file (one row per item; the rows of one invoice may be
 * anywhere in the file) in one transaction. Customers (`cliente` = customer code) and products
 * (`produto` + `mascara`) must already be in the database. The first valid row of an invoice
 * fixes its customer, date and order; a later row disagreeing is rejected naming that line, and
 * so is an item (same product) repeated in one invoice. Lookups are one query per batch of keys;
 * new and changed invoices, then items, are written with multi-row `insert … on conflict do
 * update`. Items missing from the file are kept (nothing is deleted).
 */
export async function importInvoices(db: Database, table: CsvTable): Promise<ImportReport> {
  const rejected: RowRejection[] = [...table.rejected];
  const valid: { line: number; row: InvoiceRow }[] = [];
  for (const { line, cells } of table.rows) {
    const parsed = invoiceRow.safeParse(cells);
    if (parsed.success) valid.push({ line, row: parsed.data });
    else rejected.push({ line, reason: issuesReason(parsed.error) });
  }

  let imported = 0;
  let updated = 0;
  let unchanged = 0;
  await db.transaction(async (tx) => {
    const customerIds = new Map<string, number>();
    for (const codes of inBatches(distinct(valid.map((v) => v.row.cliente)))) {
      const rows = await tx
        .select({ id: customers.id, code: customers.code })
        .from(customers)
        .where(inArray(customers.code, codes));
      for (const r of rows) customerIds.set(r.code, r.id);
    }
    const catalogue = new Map<string, CatalogueEntry[]>();
    for (const codes of inBatches(distinct(valid.map((v) => v.row.produto)))) {
      const rows = await tx
        .select({ id: products.id, code: products.code, mask: products.mask })
        .from(products)
        .where(inArray(products.code, codes));
      for (const r of rows) {
        const list = catalogue.get(r.code);
        if (list) list.push(r);
        else catalogue.set(r.code, [r]);
      }
    }

    // Per row: references, then agreement with the invoice's first valid header, then duplicates.
    const headers = new Map<string, Header>();
    const seenItem = new Map<string, number>();
    const items: Item[] = [];
    for (const { line, row } of valid) {
      const reasons: string[] = [];
      const customerId = customerIds.get(row.cliente);
      if (customerId === undefined) {
        reasons.push(`cliente ${showValue(row.cliente)} não cadastrado (importe o arquivo de clientes antes)`);
      } else {
        const header = headers.get(row.numero);
        if (!header) {
          headers.set(row.numero, {
            line,
            customerCode: row.cliente,
            customerId,
            issueDate: row.emissao,
            orderNumber: row.pedido,
          });
        } else {
          const nf = `NF ${row.numero}`;
          if (header.customerId !== customerId) {
            reasons.push(
              `${nf}: cliente ${showValue(row.cliente)} diverge da linha ${header.line} (${showValue(header.customerCode)})`,
            );
          }
          if (header.issueDate !== row.emissao) {
            reasons.push(
              `${nf}: emissao ${formatDateBr(row.emissao)} diverge da linha ${header.line} (${formatDateBr(header.issueDate)})`,
            );
          }
          if (header.orderNumber !== row.pedido) {
            reasons.push(
              `${nf}: pedido ${showValue(row.pedido) || '(vazio)'} diverge da linha ${header.line} (${showValue(header.orderNumber) || '(vazio)'})`,
            );
          }
        }
      }
      const product = resolveProduct(catalogue, row.produto, row.mascara);
      if (typeof product === 'string') reasons.push(product);
      else if (reasons.length === 0) {
        const key = `${row.numero}\u0000${product}`;
        const first = seenItem.get(key);
        if (first !== undefined) {
          reasons.push(
            `NF ${row.numero}: produto ${productLabel(row.produto, row.mascara)} repetido (primeira vez na linha ${first})`,
          );
        } else seenItem.set(key, line);
      }
      if (reasons.length > 0) rejected.push({ line, reason: reasons.join('; ') });
      else items.push({ line, number: row.numero, productId: product as number, quantity: row.quantidade });
    }

    // Invoice headers: load the existing ones, write the new and changed ones.
    const numbers = distinct(items.map((i) => i.number));
    const invoiceIds = new Map<string, number>();
    const headerChanged = new Set<string>();
    const isNew = new Set<string>();
    for (const batch of inBatches(numbers)) {
      const existing = await tx
        .select({
          id: invoices.id,
          number: invoices.number,
          customerId: invoices.customerId,
          issueDate: invoices.issueDate,
          orderNumber: invoices.orderNumber,
        })
        .from(invoices)
        .where(inArray(invoices.number, batch));
      const byNumber = new Map(existing.map((e) => [e.number, e]));
      const writes: (typeof invoices.$inferInsert)[] = [];
      for (const number of batch) {
        const h = headers.get(number)!;
        const e = byNumber.get(number);
        if (e) invoiceIds.set(number, e.id);
        else isNew.add(number);
        if (e && e.customerId === h.customerId && e.issueDate === h.issueDate && e.orderNumber === h.orderNumber) {
          continue;
        }
        if (e) headerChanged.add(number);
        writes.push({ number, customerId: h.customerId, issueDate: h.issueDate, orderNumber: h.orderNumber });
      }
      if (writes.length === 0) continue;
      const written = await tx
        .insert(invoices)
        .values(writes)
        .onConflictDoUpdate({
          target: invoices.number,
          set: {
            customerId: excluded(invoices.customerId),
            issueDate: excluded(invoices.issueDate),
            orderNumber: excluded(invoices.orderNumber),
            updatedAt: sql`now()`,
          },
        })
        .returning({ id: invoices.id, number: invoices.number });
      for (const w of written) invoiceIds.set(w.number, w.id);
    }

    // Items: quantities of the invoices that already existed, then one upsert per batch.
    const quantities = new Map<string, number>();
    const oldIds = numbers.filter((n) => !isNew.has(n)).map((n) => invoiceIds.get(n)!);
    for (const ids of inBatches(oldIds)) {
      const rows = await tx
        .select({
          invoiceId: invoiceItems.invoiceId,
          productId: invoiceItems.productId,
          quantity: invoiceItems.quantity,
        })
        .from(invoiceItems)
        .where(inArray(invoiceItems.invoiceId, ids));
      for (const r of rows) quantities.set(`${r.invoiceId}\u0000${r.productId}`, r.quantity);
    }
    const writes: (typeof invoiceItems.$inferInsert)[] = [];
    for (const item of items) {
      const invoiceId = invoiceIds.get(item.number)!;
      const current = quantities.get(`${invoiceId}\u0000${item.productId}`);
      if (current === undefined) imported++;
      else if (current !== item.quantity) updated++;
      else {
        if (headerChanged.has(item.number)) updated++;
        else unchanged++;
        continue;
      }
      writes.push({ invoiceId, productId: item.productId, quantity: item.quantity });
    }
    for (const batch of inBatches(writes)) {
      await tx
        .insert(invoiceItems)
        .values(batch)
        .onConflictDoUpdate({
          target: [invoiceItems.invoiceId, invoiceItems.productId],
          set: { quantity: excluded(invoiceItems.quantity) },
        });
    }
  });
  rejected.sort((a, b) => a.line - b.line);
  return { kind: 'invoices', total: table.total, imported, updated, unchanged, rejected };
}
