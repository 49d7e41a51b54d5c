import { and, asc, count, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { customers, requestItems, requestPhotos, requests } from '../../db/schema';
import { OPEN_STATUSES } from '../../domain/request-status';
import { ageInDays, type DeadlineMark, deadlineMark } from './deadline';

export interface QueueFilter {
  /** One status; absent = every status the role may see. */
  status?: string;
  reason?: string;
  channel?: string;
  /** Customer code, CNPJ or part of the name. */
  customer?: string;
  warranty?: 'in' | 'out';
  /** Protocol, NF, order number (sales or ERP), customer name or CNPJ. */
  q?: string;
  limit?: number;
}

export interface QueueRow {
  protocol: string;
  status: string;
  channel: string;
  origin: string;
  customerCode: string;
  customerName: string;
  invoiceNumber: string;
  invoiceNotFound: boolean;
  orderNumber: string | null;
  reasonCategory: string;
  reasonDescription: string;
  inWarranty: boolean;
  round: number;
  itemCount: number;
  photoCount: number;
  createdAt: Date;
  ageDays: number;
  deadline: DeadlineMark;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

function scopeWhere(scope: readonly string[] | undefined): SQL | undefined {
  return scope ? inArray(requests.status, [...scope]) : undefined;
}

/**
 * The review queue: requests matching the filter, oldest first for open statuses (closest to
 * the deadline on top), newest first otherwise. `scope` limits the statuses a role may see.
 */
export async function listQueue(
  db: Executor,
  f: QueueFilter,
  opts: { today: string; deadlineDays: number; scope?: readonly string[] },
): Promise<QueueRow[]> {
  const where: SQL[] = [];
  const scoped = scopeWhere(opts.scope);
  if (scoped) where.push(scoped);
  if (f.status) where.push(eq(requests.status, f.status));
  if (f.reason) where.push(eq(requests.reasonCategory, f.reason));
  if (f.channel) where.push(eq(requests.channel, f.channel));
  if (f.warranty) where.push(eq(requests.inWarranty, f.warranty === 'in'));
  if (f.customer?.trim()) {
    const c = f.customer.trim();
    const digits = c.replace(/\D/g, '');
    const ors: SQL[] = [ilike(customers.name, `%${likeEscape(c)}%`), eq(customers.code, c.toUpperCase())];
    if (digits.length === 14) ors.push(eq(customers.cnpj, digits));
    where.push(or(...ors)!);
  }
  if (f.q?.trim()) {
    const q = f.q.trim();
    const digits = q.replace(/\D/g, '').replace(/^0+/, '');
    const ors: SQL[] = [ilike(requests.protocol, `%${likeEscape(q)}%`), ilike(customers.name, `%${likeEscape(q)}%`)];
    ors.push(eq(requests.orderNumber, q), eq(requests.erpOrderNumber, q));
    if (digits) {
      ors.push(eq(requests.invoiceNumber, digits), eq(requests.orderNumber, digits));
      ors.push(eq(requests.erpOrderNumber, digits), eq(customers.cnpj, digits));
    }
    where.push(or(...ors)!);
  }
  const openOnly = f.status ? (OPEN_STATUSES as readonly string[]).includes(f.status) : false;
  const rows = await db
    .select({
      r: requests,
      customerCode: customers.code,
      customerName: customers.name,
      itemCount: sql<number>`(select count(*) from ${requestItems} where ${requestItems.requestId} = ${requests.id})`,
      photoCount: sql<number>`(select count(*) from ${requestPhotos} where ${requestPhotos.requestId} = ${requests.id})`,
    })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(openOnly ? asc(requests.createdAt) : desc(requests.createdAt), asc(requests.id))
    .limit(f.limit ?? 300);
  return rows.map(({ r, customerCode, customerName, itemCount, photoCount }) => {
    const ageDays = ageInDays(r.createdAt, opts.today);
    return {
      protocol: r.protocol,
      status: r.status,
      channel: r.channel,
      origin: r.origin,
      customerCode,
      customerName,
      invoiceNumber: r.invoiceNumber,
      invoiceNotFound: r.invoiceNotFound,
      orderNumber: r.orderNumber,
      reasonCategory: r.reasonCategory,
      reasonDescription: r.reasonDescription,
      inWarranty: r.inWarranty,
      round: r.round,
      itemCount: Number(itemCount),
      photoCount: Number(photoCount),
      createdAt: r.createdAt,
      ageDays,
      deadline: deadlineMark(ageDays, opts.deadlineDays, r.status),
    };
  });
}

/** Requests per status (within the role's scope). */
export async function statusCounts(db: Executor, scope?: readonly string[]): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: requests.status, n: count() })
    .from(requests)
    .where(scopeWhere(scope))
    .groupBy(requests.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
