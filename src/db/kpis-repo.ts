import { and, asc, eq, gte, inArray, lt, or } from 'drizzle-orm';
import type { KpiRequestFact } from '../domain/kpis';
import type { IsoDate } from '../domain/warranty';
import type { Executor } from './client';
import { customers, products, requestEvents, requestItems, requests } from './schema';

const DAY_MS = 86_400_000;

/**
 * The facts `computeKpis` needs for a period: every request first submitted (created) or shipped
 * in it, with its items (and their product's unit cost) and its status events. The window is
 * widened by a day on both sides so any time zone's local dates are covered; the domain keeps
 * exactly the requests whose local dates fall in [from, to]. Plain SQL both PGlite and
 * PostgreSQL run.
 */
export async function loadKpiFacts(db: Executor, period: { from: IsoDate; to: IsoDate }): Promise<KpiRequestFact[]> {
  const start = new Date(Date.parse(`${period.from}T00:00:00Z`) - DAY_MS);
  const end = new Date(Date.parse(`${period.to}T00:00:00Z`) + 2 * DAY_MS);
  const rows = await db
    .select({ r: requests, customerCode: customers.code, customerName: customers.name })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(
      or(
        and(gte(requests.createdAt, start), lt(requests.createdAt, end)),
        and(gte(requests.shippedAt, start), lt(requests.shippedAt, end)),
      ),
    )
    .orderBy(asc(requests.id));
  if (!rows.length) return [];
  const ids = rows.map((x) => x.r.id);
  const items = new Map<number, KpiRequestFact['items']>();
  const events = new Map<number, KpiRequestFact['statusEvents']>();
  // Bounded chunks: one IN list per 1,000 requests.
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const itemRows = await itemCosts(db, chunk);
    for (const it of itemRows) {
      const list = items.get(it.requestId) ?? [];
      list.push({
        productCode: it.productCode,
        description: it.description,
        quantity: it.quantity,
        unitCost: it.unitCost ?? null,
      });
      items.set(it.requestId, list);
    }
    const eventRows = await db
      .select({
        requestId: requestEvents.requestId,
        at: requestEvents.at,
        from: requestEvents.fromStatus,
        to: requestEvents.toStatus,
      })
      .from(requestEvents)
      .where(and(inArray(requestEvents.requestId, chunk), eq(requestEvents.kind, 'status')))
      .orderBy(asc(requestEvents.at), asc(requestEvents.id));
    for (const e of eventRows) {
      if (!e.to) continue;
      const list = events.get(e.requestId) ?? [];
      list.push({ at: e.at, from: e.from, to: e.to });
      events.set(e.requestId, list);
    }
  }
  return rows.map(({ r, customerCode, customerName }) => ({
    protocol: r.protocol,
    status: r.status,
    origin: r.origin,
    channel: r.channel,
    reasonCategory: r.reasonCategory,
    inWarranty: r.inWarranty,
    customer: { code: customerCode, name: customerName },
    openedAt: r.createdAt,
    releasedAt: r.releasedAt,
    shippedAt: r.shippedAt,
    costBrl: r.costBrl,
    items: items.get(r.id) ?? [],
    statusEvents: events.get(r.id) ?? [],
  }));
}

/** The items of these requests with their product's unit cost (null when the product has none). */
export async function itemCosts(db: Executor, requestIds: number[]) {
  const rows = await db
    .select({
      requestId: requestItems.requestId,
      productCode: requestItems.productCode,
      description: requestItems.description,
      quantity: requestItems.quantity,
      unitCost: products.cost,
    })
    .from(requestItems)
    .leftJoin(products, eq(products.id, requestItems.productId))
    .where(inArray(requestItems.requestId, requestIds))
    .orderBy(asc(requestItems.id));
  return rows.map((r) => ({ ...r, unitCost: r.unitCost ?? null }));
}
