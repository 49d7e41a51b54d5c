import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { insertRequest, resubmitRequest } from '../db/requests-repo';
import { contacts, customers, forwards, invoiceItems, invoices, products, requests } from '../db/schema';
import { financeStateOf } from '../domain/erp';
import { phoneMatchKeys } from '../domain/phone';
import type { RequestStatus } from '../domain/request-status';
import type { ConversationPort, CustomerInfo, InvoiceInfo, NewForward, NewRequest, ProductInfo } from './port';

/** Keys a channel address may be stored under in `contacts`. */
function contactKeys(address: string): string[] {
  return address.startsWith('+') ? phoneMatchKeys(address) : [address];
}

export function contactKind(address: string): 'phone' | 'email' | 'channel' {
  if (address.startsWith('+')) return 'phone';
  return address.includes('@') && !address.includes(':') ? 'email' : 'channel';
}

export interface PortContext {
  channel: string;
  address: string;
  conversationId: string;
  today: string;
  defaultWarrantyMonths: number;
  assistanceDeadlineDays: number;
}

/**
 * ConversationPort on one transaction (PGlite: never touch the outer handle inside it), or on the
 * database handle for read-only lookups outside a transaction.
 */
export function dbPort(tx: Executor, ctx: PortContext): ConversationPort {
  // Only the columns the engine uses: fewer to send, decode and map on every message.
  const customerInfo = { id: customers.id, code: customers.code, name: customers.name };
  const byContactKeys = async (keys: string[]): Promise<CustomerInfo | null> => {
    const rows = await tx
      .select(customerInfo)
      .from(contacts)
      .innerJoin(customers, eq(customers.id, contacts.customerId))
      .where(inArray(contacts.value, keys))
      .orderBy(asc(contacts.id))
      .limit(1);
    return rows[0] ?? null;
  };
  return {
    today: () => ctx.today,
    channel: ctx.channel,
    defaultWarrantyMonths: ctx.defaultWarrantyMonths,
    assistanceDeadlineDays: ctx.assistanceDeadlineDays,

    async customerByAddress() {
      return byContactKeys(contactKeys(ctx.address));
    },
    async customerByPhone(e164) {
      return byContactKeys(phoneMatchKeys(e164));
    },
    async customerById(id) {
      const [c] = await tx.select(customerInfo).from(customers).where(eq(customers.id, id));
      return c ?? null;
    },
    async customerByCnpj(cnpj) {
      const [c] = await tx.select(customerInfo).from(customers).where(eq(customers.cnpj, cnpj)).limit(1);
      return c ?? null;
    },
    async invoiceOfCustomer(customerId, number): Promise<InvoiceInfo | null> {
      const rows = await tx
        .select({
          id: invoices.id,
          number: invoices.number,
          customerId: invoices.customerId,
          issueDate: invoices.issueDate,
          orderNumber: invoices.orderNumber,
          productId: products.id,
          code: products.code,
          mask: products.mask,
          description: products.description,
          quantity: invoiceItems.quantity,
          weightKg: products.weightKg,
          warrantyMonths: products.warrantyMonths,
        })
        .from(invoices)
        .innerJoin(invoiceItems, eq(invoiceItems.invoiceId, invoices.id))
        .innerJoin(products, eq(products.id, invoiceItems.productId))
        .where(and(eq(invoices.number, number), eq(invoices.customerId, customerId)))
        .orderBy(asc(invoiceItems.id));
      const inv = rows[0];
      if (!inv) return null;
      return {
        id: inv.id,
        number: inv.number,
        customerId: inv.customerId,
        issueDate: inv.issueDate,
        orderNumber: inv.orderNumber,
        items: rows.map((r) => ({
          productId: r.productId,
          code: r.code,
          mask: r.mask,
          description: r.description,
          quantity: r.quantity,
          weightKg: r.weightKg,
          warrantyMonths: r.warrantyMonths,
        })),
      };
    },
    async productsByCode(code): Promise<ProductInfo[]> {
      const rows = await tx.select().from(products).where(eq(products.code, code));
      return rows.map((p) => ({
        id: p.id,
        code: p.code,
        mask: p.mask,
        description: p.description,
        weightKg: p.weightKg,
        warrantyMonths: p.warrantyMonths,
      }));
    },
    async requestsOfCustomer(customerId) {
      const rows = await tx
        .select({
          id: requests.id,
          protocol: requests.protocol,
          status: requests.status,
          invoiceNumber: requests.invoiceNumber,
          orderNumber: requests.orderNumber,
          erpOrderNumber: requests.erpOrderNumber,
          erpKind: sql<string | null>`${requests.erp}->>'kind'`,
          financeReleased: sql<boolean>`${requests.financeReleasedAt} is not null`,
          createdAt: requests.createdAt,
        })
        .from(requests)
        .where(eq(requests.customerId, customerId))
        .orderBy(desc(requests.createdAt))
        .limit(50);
      return rows.map(({ erpKind, financeReleased, ...r }) => ({
        ...r,
        status: r.status as RequestStatus,
        awaitingFinance: financeStateOf(r.status, erpKind, financeReleased) === 'awaiting-finance',
      }));
    },
    async linkContact(customerId) {
      await tx
        .insert(contacts)
        .values({ customerId, value: ctx.address, kind: contactKind(ctx.address), source: 'conversation' })
        .onConflictDoNothing();
    },
    async createRequest(req: NewRequest) {
      return insertRequest(tx, {
        ...req,
        channel: ctx.channel,
        contact: req.contact ?? ctx.address,
        conversationId: ctx.conversationId,
        by: 'bot',
      });
    },
    async resubmitRequest(requestId, req) {
      return resubmitRequest(tx, requestId, req, 'cliente (bot)');
    },
    async createForward(fwd: NewForward) {
      const [row] = await tx
        .insert(forwards)
        .values({
          team: fwd.team,
          intent: fwd.intent,
          question: fwd.question,
          customerId: fwd.customerId,
          orderNumber: fwd.orderNumber,
          requestId: fwd.requestId,
          conversationId: ctx.conversationId,
          channel: ctx.channel,
          address: ctx.address,
        })
        .returning({ id: forwards.id });
      return { id: row!.id };
    },
    async chargedRequestByOrder(customerId, orderNumber) {
      const [r] = await tx
        .select({ id: requests.id, protocol: requests.protocol })
        .from(requests)
        .where(
          and(
            eq(requests.customerId, customerId),
            eq(requests.status, 'charged'),
            // The customer may give the original sales order or the ERP order.
            inArray(requests.orderNumber, [orderNumber]),
          ),
        )
        .limit(1);
      if (r) return r;
      const [e] = await tx
        .select({ id: requests.id, protocol: requests.protocol })
        .from(requests)
        .where(and(eq(requests.customerId, customerId), eq(requests.erpOrderNumber, orderNumber)))
        .limit(1);
      return e ?? null;
    },
  };
}
