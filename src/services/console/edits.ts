import { asc, eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { invoiceView } from '../../db/invoices-repo';
import { requestEvents, requestItems, requests } from '../../db/schema';
import { localDate } from '../../domain/calendar';
import { isInWarranty } from '../../domain/warranty';
import { ClientError } from '../errors';

/** Statuses whose data staff may still correct (before the ERP import; a returned request is with the customer). */
export const EDITABLE_STATUSES: readonly string[] = ['submitted', 'accepted', 'charged'];

export const REASON_CATEGORIES = ['industria', 'transporte', 'cliente'] as const;

type RequestRow = typeof requests.$inferSelect;

async function lockEditable(tx: Tx, protocol: string): Promise<RequestRow> {
  const [req] = await tx.select().from(requests).where(eq(requests.protocol, protocol.toUpperCase())).for('update');
  if (!req) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
  if (!EDITABLE_STATUSES.includes(req.status)) {
    throw new ClientError(409, `Uma solicitação "${req.status}" não pode mais ser corrigida aqui.`);
  }
  return req;
}

/** Request-level warranty from its items: the earliest end; in warranty only when every item is, on submission day. */
async function refreshWarranty(tx: Tx, req: RequestRow) {
  const items = await tx.select().from(requestItems).where(eq(requestItems.requestId, req.id));
  const ends = items.map((i) => i.warrantyUntil).filter((d): d is string => !!d);
  // ISO dates sort as strings: the first is the earliest.
  const until = [...ends].sort()[0] ?? null;
  const on = localDate(req.submittedAt);
  const inWarranty =
    items.length > 0 && items.every((i) => i.warrantyUntil !== null && isInWarranty(i.warrantyUntil, on));
  await tx
    .update(requests)
    .set({ warrantyUntil: until, inWarranty, updatedAt: new Date() })
    .where(eq(requests.id, req.id));
}

async function editEvent(tx: Tx, requestId: number, by: string, note: string, data: Record<string, unknown>) {
  await tx.insert(requestEvents).values({ requestId, by, kind: 'edit', note, data });
}

export interface ItemChanges {
  /** New quantity by request item id. */
  quantities: Map<number, number>;
  remove: Set<number>;
  /** An item of the same invoice to add. */
  add?: { productId: number; quantity: number };
}

const itemKey = (i: { productCode: string; mask: string }) => (i.mask ? `${i.productCode} (${i.mask})` : i.productCode);

/** Change quantities, remove items, add an item of the same invoice. Returns the change as text. */
export async function editItems(
  db: Database,
  protocol: string,
  changes: ItemChanges,
  by: string,
  defaultWarrantyMonths: number,
): Promise<{ requestId: number; note: string }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lockEditable(tx, protocol);
    const items = await tx
      .select()
      .from(requestItems)
      .where(eq(requestItems.requestId, req.id))
      .orderBy(asc(requestItems.id));
    const invoice = req.invoiceNotFound ? null : await invoiceView(tx, req.invoiceNumber, defaultWarrantyMonths);
    const maxOf = (productId: number | null) =>
      invoice?.items.find((x) => x.productId === productId)?.quantity ?? Number.POSITIVE_INFINITY;
    const before = items.map((i) => ({ code: i.productCode, mask: i.mask, quantity: i.quantity }));
    const parts: string[] = [];

    for (const i of items) {
      if (changes.remove.has(i.id)) continue;
      const q = changes.quantities.get(i.id);
      if (q === undefined || q === i.quantity) continue;
      if (!Number.isInteger(q) || q < 1) throw new ClientError(400, `Quantidade inválida para ${itemKey(i)}.`);
      if (q > maxOf(i.productId)) {
        throw new ClientError(400, `A NF tem só ${maxOf(i.productId)} unidade(s) de ${itemKey(i)}.`);
      }
      await tx.update(requestItems).set({ quantity: q }).where(eq(requestItems.id, i.id));
      parts.push(`${itemKey(i)}: quantidade ${i.quantity} → ${q}`);
    }
    const removing = items.filter((i) => changes.remove.has(i.id));
    if (changes.add) {
      if (!invoice) throw new ClientError(400, 'Sem NF localizada não há itens da nota para adicionar.');
      const inv = invoice.items.find((x) => x.productId === changes.add!.productId);
      if (!inv) throw new ClientError(400, 'Esse item não consta na NF da solicitação.');
      const q = changes.add.quantity;
      if (!Number.isInteger(q) || q < 1 || q > inv.quantity) {
        throw new ClientError(400, `Quantidade para ${inv.code}: de 1 a ${inv.quantity}.`);
      }
      const present = items.find((i) => i.productId === inv.productId && !changes.remove.has(i.id));
      if (present)
        throw new ClientError(400, `${itemKey({ productCode: inv.code, mask: inv.mask })} já está na solicitação.`);
      await tx.insert(requestItems).values({
        requestId: req.id,
        productId: inv.productId,
        productCode: inv.code,
        mask: inv.mask,
        description: inv.description,
        quantity: q,
        weightKg: inv.weightKg,
        warrantyUntil: inv.warrantyUntil,
      });
      parts.push(`adicionado ${itemKey({ productCode: inv.code, mask: inv.mask })} (quantidade ${q})`);
    }
    if (removing.length && removing.length === items.length && !changes.add) {
      throw new ClientError(400, 'A solicitação precisa de pelo menos um item.');
    }
    for (const i of removing) {
      await tx.delete(requestItems).where(eq(requestItems.id, i.id));
      parts.push(`removido ${itemKey(i)} (quantidade ${i.quantity})`);
    }
    if (parts.length === 0) throw new ClientError(400, 'Nada foi alterado nos itens.');
    const after = (
      await tx.select().from(requestItems).where(eq(requestItems.requestId, req.id)).orderBy(asc(requestItems.id))
    ).map((i) => ({ code: i.productCode, mask: i.mask, quantity: i.quantity }));
    const note = `Itens corrigidos: ${parts.join('; ')}`;
    await editEvent(tx, req.id, by, note, { field: 'items', before, after });
    await refreshWarranty(tx, req);
    return { requestId: req.id, note };
  });
}

export async function editReason(
  db: Database,
  protocol: string,
  category: string,
  by: string,
): Promise<{ requestId: number; note: string }> {
  if (!(REASON_CATEGORIES as readonly string[]).includes(category)) throw new ClientError(400, 'Motivo inválido.');
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lockEditable(tx, protocol);
    if (req.reasonCategory === category) throw new ClientError(400, 'O motivo já é esse.');
    await tx.update(requests).set({ reasonCategory: category, updatedAt: new Date() }).where(eq(requests.id, req.id));
    const note = `Motivo corrigido: ${req.reasonCategory} → ${category}`;
    await editEvent(tx, req.id, by, note, { field: 'reasonCategory', before: req.reasonCategory, after: category });
    return { requestId: req.id, note };
  });
}

/**
 * Point the request at another NF of the same customer. Items keep their quantities; their
 * warranty is recomputed from the new NF's issue date (items not on that NF keep theirs and are
 * flagged on the page).
 */
export async function editInvoice(
  db: Database,
  protocol: string,
  rawNumber: string,
  by: string,
  defaultWarrantyMonths: number,
): Promise<{ requestId: number; note: string }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lockEditable(tx, protocol);
    const inv = await invoiceView(tx, rawNumber, defaultWarrantyMonths);
    if (!inv) throw new ClientError(400, `NF ${rawNumber} não encontrada no cadastro (importe a nota antes).`);
    if (inv.customer.id !== req.customerId) throw new ClientError(400, `A NF ${inv.number} é de outro cliente.`);
    if (inv.id === req.invoiceId) throw new ClientError(400, 'A solicitação já está nessa NF.');
    await tx
      .update(requests)
      .set({
        invoiceId: inv.id,
        invoiceNumber: inv.number,
        invoiceNotFound: false,
        orderNumber: inv.orderNumber,
        updatedAt: new Date(),
      })
      .where(eq(requests.id, req.id));
    const items = await tx.select().from(requestItems).where(eq(requestItems.requestId, req.id));
    for (const i of items) {
      const onInvoice = inv.items.find((x) => x.productId === i.productId);
      if (onInvoice) {
        await tx.update(requestItems).set({ warrantyUntil: onInvoice.warrantyUntil }).where(eq(requestItems.id, i.id));
      }
    }
    const note = `NF corrigida: ${req.invoiceNumber}${req.invoiceNotFound ? ' (não localizada)' : ''} → ${inv.number}`;
    await editEvent(tx, req.id, by, note, {
      field: 'invoice',
      before: { number: req.invoiceNumber, notFound: req.invoiceNotFound, orderNumber: req.orderNumber },
      after: { number: inv.number, notFound: false, orderNumber: inv.orderNumber },
    });
    await refreshWarranty(tx, req);
    return { requestId: req.id, note };
  });
}

/** An internal note: history only, never sent to the customer. */
export async function addNote(
  db: Database,
  protocol: string,
  text: string,
  by: string,
): Promise<{ requestId: number }> {
  const body = text.trim();
  if (!body) throw new ClientError(400, 'Escreva a nota.');
  if (body.length > 5000) throw new ClientError(400, 'Nota longa demais (máximo 5000 caracteres).');
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const [req] = await tx
      .select({ id: requests.id })
      .from(requests)
      .where(eq(requests.protocol, protocol.toUpperCase()));
    if (!req) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
    await tx.insert(requestEvents).values({ requestId: req.id, by, kind: 'note', note: body });
    return { requestId: req.id };
  });
}
