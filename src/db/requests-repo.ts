import { and, asc, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { NewRequest } from '../conversation/port';
import type { RequestStatus } from '../domain/request-status';
import { type Executor, rowsOf } from './client';
import { customers, invoices, media, messages, requestEvents, requestItems, requestPhotos, requests } from './schema';

/** The REQUEST object of CONTRACT §4 (extended with a few fields). */
export interface RequestJson {
  protocol: string;
  status: string;
  channel: string;
  origin: string;
  customer: { code: string; name: string; cnpj: string };
  contact: string;
  conversationId: string | null;
  invoiceNumber: string;
  invoiceNotFound: boolean;
  invoiceIssueDate: string | null;
  orderNumber: string | null;
  erpOrderNumber: string | null;
  reason: { category: string; description: string };
  items: {
    productCode: string;
    description: string;
    mask: string;
    quantity: number;
    weightKg: number;
    warrantyUntil: string | null;
  }[];
  photos: { url: string; thumbUrl: string; contentType: string; sha256: string; round: number }[];
  warranty: { until: string | null; inWarranty: boolean };
  round: number;
  returnMessage: string | null;
  createdAt: string;
  submittedAt: string;
  ageDays: number;
  history: { at: string; status: string | null; from: string | null; by: string; kind: string; note: string | null }[];
}

export function protocolFor(n: number): string {
  return `AT-${String(n).padStart(6, '0')}`;
}

/**
 * Insert a request with its items, photos and the first event: one statement (round trips dominate the
 * message path). Items and photos travel as one JSON parameter each, so the statement text is the same
 * whatever their number and PostgreSQL prepares it once per connection.
 */
export async function insertRequest(
  tx: Executor,
  req: NewRequest & { channel: string; contact: string; conversationId?: string; origin?: 'bot' | 'sac'; by: string },
): Promise<{ id: number; protocol: string }> {
  const items = req.items.map((i) => ({
    productId: i.productId ?? null,
    code: i.code,
    mask: i.mask,
    description: i.description,
    quantity: i.quantity,
    weightKg: i.weightKg,
    warrantyUntil: i.warrantyUntil,
  }));
  const result = await tx.execute(sql`
    with r as (
      insert into ${requests} (protocol, status, channel, origin, customer_id, contact, conversation_id, invoice_id,
        invoice_number, invoice_not_found, order_number, reason_category, reason_description, warranty_until, in_warranty)
      select 'AT-' || lpad(s.n::text, greatest(6, length(s.n::text)), '0'), 'submitted', ${req.channel},
        ${req.origin ?? 'bot'}, ${req.customerId}, ${req.contact}, ${req.conversationId ?? null}, ${req.invoiceId ?? null}::int,
        ${req.invoiceNumber}, ${req.invoiceNotFound}, ${req.orderNumber ?? null}, ${req.reason.category},
        ${req.reason.description}, ${req.warrantyUntil}::date, ${req.inWarranty}
      from (select nextval('request_protocol_seq') as n) s
      returning id, protocol
    ), i as (
      insert into ${requestItems} (request_id, product_id, product_code, mask, description, quantity, weight_kg, warranty_until)
      select r.id, (x.v->>'productId')::int, x.v->>'code', x.v->>'mask', x.v->>'description', (x.v->>'quantity')::int,
        (x.v->>'weightKg')::float8, (x.v->>'warrantyUntil')::date
      from r, jsonb_array_elements(${JSON.stringify(items)}::jsonb) with ordinality as x(v, ord)
      order by x.ord
    ), p as (
      insert into ${requestPhotos} (request_id, sha256, position, round)
      select r.id, x.sha256, x.ord - 1, 1
      from r, jsonb_array_elements_text(${JSON.stringify(req.photos)}::jsonb) with ordinality as x(sha256, ord)
      on conflict do nothing
    ), ev as (
      insert into ${requestEvents} (request_id, by, kind, to_status, note)
      select r.id, ${req.by}, 'status', 'submitted', null from r
    )
    select id, protocol from r`);
  const row = rowsOf(result)[0];
  if (!row) throw new Error('request insert returned nothing');
  return { id: Number(row.id), protocol: String(row.protocol) };
}

async function writeItemsAndPhotos(tx: Executor, requestId: number, req: NewRequest, round: number) {
  if (req.items.length) {
    await tx.insert(requestItems).values(
      req.items.map((i) => ({
        requestId,
        productId: i.productId,
        productCode: i.code,
        mask: i.mask,
        description: i.description,
        quantity: i.quantity,
        weightKg: i.weightKg,
        warrantyUntil: i.warrantyUntil,
      })),
    );
  }
  if (req.photos.length) {
    await tx
      .insert(requestPhotos)
      .values(req.photos.map((sha256, position) => ({ requestId, sha256, position, round })))
      .onConflictDoNothing();
  }
}

/**
 * A returned request resubmitted by the customer: same protocol, next round. The previous
 * items are kept in the event's data (history shows both rounds).
 */
export async function resubmitRequest(tx: Executor, requestId: number, req: NewRequest, by: string) {
  const [cur] = await tx.select().from(requests).where(eq(requests.id, requestId)).for('update');
  if (!cur) throw new Error(`request ${requestId} not found`);
  const before = await tx.select().from(requestItems).where(eq(requestItems.requestId, requestId));
  const round = cur.round + 1;
  await tx
    .update(requests)
    .set({
      status: 'submitted',
      round,
      invoiceId: req.invoiceId,
      invoiceNumber: req.invoiceNumber,
      invoiceNotFound: req.invoiceNotFound,
      orderNumber: req.orderNumber,
      reasonCategory: req.reason.category,
      reasonDescription: req.reason.description,
      warrantyUntil: req.warrantyUntil,
      inWarranty: req.inWarranty,
      submittedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(eq(requests.id, requestId));
  // Items are the current truth; the previous round's are kept in the event below.
  await tx.delete(requestItems).where(eq(requestItems.requestId, requestId));
  await writeItemsAndPhotos(tx, requestId, req, round);
  await tx.insert(requestEvents).values({
    requestId,
    by,
    kind: 'status',
    fromStatus: cur.status,
    toStatus: 'submitted',
    note: `Reenviada pelo cliente (rodada ${round})`,
    data: { previousItems: before.map((b) => ({ code: b.productCode, mask: b.mask, quantity: b.quantity })) },
  });
  return { protocol: cur.protocol };
}

export interface RequestFilter {
  status?: string;
  customerCode?: string;
  q?: string;
  limit?: number;
}

export async function listRequestIds(db: Executor, f: RequestFilter): Promise<number[]> {
  const where: SQL[] = [];
  if (f.status) where.push(inArray(requests.status, f.status.split(',')));
  if (f.customerCode) where.push(eq(customers.code, f.customerCode));
  if (f.q) {
    const q = f.q.trim();
    const digits = q.replace(/\D/g, '').replace(/^0+/, '');
    const ors: SQL[] = [ilike(requests.protocol, `%${q}%`), ilike(customers.name, `%${q}%`)];
    if (digits) {
      ors.push(eq(requests.invoiceNumber, digits), eq(requests.orderNumber, q), eq(requests.erpOrderNumber, q));
      ors.push(eq(customers.cnpj, digits));
    }
    where.push(or(...ors)!);
  }
  const rows = await db
    .select({ id: requests.id })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(f.limit ?? 200);
  return rows.map((r) => r.id);
}

/** Build the REQUEST JSON for a set of requests (4 queries whatever the count). */
export async function requestsJson(db: Executor, ids: number[], today: string): Promise<RequestJson[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ r: requests, c: customers, issueDate: invoices.issueDate })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .leftJoin(invoices, eq(invoices.id, requests.invoiceId))
    .where(inArray(requests.id, ids));
  const items = await db
    .select()
    .from(requestItems)
    .where(inArray(requestItems.requestId, ids))
    .orderBy(asc(requestItems.id));
  const photos = await db
    .select({ p: requestPhotos, contentType: media.contentType })
    .from(requestPhotos)
    .innerJoin(media, eq(media.sha256, requestPhotos.sha256))
    .where(inArray(requestPhotos.requestId, ids))
    .orderBy(asc(requestPhotos.round), asc(requestPhotos.position));
  const events = await db
    .select()
    .from(requestEvents)
    .where(inArray(requestEvents.requestId, ids))
    .orderBy(asc(requestEvents.id));
  const byId = new Map(rows.map((x) => [x.r.id, x]));
  return ids
    .map((id) => byId.get(id))
    .filter((x): x is NonNullable<typeof x> => x !== undefined)
    .map(({ r, c, issueDate }) => ({
      protocol: r.protocol,
      status: r.status,
      channel: r.channel,
      origin: r.origin,
      customer: { code: c.code, name: c.name, cnpj: c.cnpj },
      contact: r.contact,
      conversationId: r.conversationId,
      invoiceNumber: r.invoiceNumber,
      invoiceNotFound: r.invoiceNotFound,
      invoiceIssueDate: issueDate ?? null,
      orderNumber: r.orderNumber,
      erpOrderNumber: r.erpOrderNumber,
      reason: { category: r.reasonCategory, description: r.reasonDescription },
      items: items
        .filter((i) => i.requestId === r.id)
        .map((i) => ({
          productCode: i.productCode,
          description: i.description,
          mask: i.mask,
          quantity: i.quantity,
          weightKg: i.weightKg,
          warrantyUntil: i.warrantyUntil,
        })),
      photos: photos
        .filter((p) => p.p.requestId === r.id)
        .map((p) => ({
          url: `/media/${p.p.sha256}`,
          thumbUrl: `/media/${p.p.sha256}?variant=thumb`,
          contentType: p.contentType,
          sha256: p.p.sha256,
          round: p.p.round,
        })),
      warranty: { until: r.warrantyUntil, inWarranty: r.inWarranty },
      round: r.round,
      returnMessage: r.returnMessage,
      createdAt: r.createdAt.toISOString(),
      submittedAt: r.submittedAt.toISOString(),
      ageDays: Math.max(0, Math.floor((Date.parse(`${today}T12:00:00Z`) - r.createdAt.getTime()) / 86_400_000)),
      history: events
        .filter((e) => e.requestId === r.id)
        .map((e) => ({
          at: e.at.toISOString(),
          status: e.toStatus,
          from: e.fromStatus,
          by: e.by,
          kind: e.kind,
          note: e.note,
        })),
    }));
}

export async function requestIdByProtocol(db: Executor, protocol: string): Promise<number | null> {
  const [r] = await db.select({ id: requests.id }).from(requests).where(eq(requests.protocol, protocol.toUpperCase()));
  return r?.id ?? null;
}

export async function setRequestStatus(
  tx: Executor,
  requestId: number,
  from: RequestStatus,
  to: RequestStatus,
  by: string,
  note: string | null,
  extra: Partial<typeof requests.$inferInsert> = {},
) {
  await tx
    .update(requests)
    .set({ status: to, updatedAt: new Date(), ...extra })
    .where(eq(requests.id, requestId));
  await tx.insert(requestEvents).values({ requestId, by, kind: 'status', fromStatus: from, toStatus: to, note });
}

/** The transcript of a conversation (for staff). */
export async function transcript(db: Executor, conversationId: string) {
  return db
    .select({
      direction: messages.direction,
      text: messages.text,
      options: messages.options,
      attachments: messages.attachments,
      author: messages.author,
      at: messages.createdAt,
    })
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.id));
}
