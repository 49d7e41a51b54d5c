import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { compile, compiledFamily, run } from '../db/compiled';
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
  const byContactKeys = async (keys: string[]): Promise<CustomerInfo | null> => {
    if (keys.length === 0) return null;
    const values = Object.fromEntries(keys.map((k, i) => [`key${i}`, k]));
    return customerOf((await run(tx, customerByContactStatement(keys.length), values))[0]);
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
      return customerOf((await run(tx, customerByIdStatement, { id }))[0]);
    },
    async customerByCnpj(cnpj) {
      const [c] = await tx
        .select({ id: customers.id, code: customers.code, name: customers.name })
        .from(customers)
        .where(eq(customers.cnpj, cnpj))
        .limit(1);
      return c ?? null;
    },
    async invoiceOfCustomer(customerId, number): Promise<InvoiceInfo | null> {
      const rows = await run(tx, invoiceOfCustomerStatement, { customerId, number });
      const inv = rows[0];
      if (!inv) return null;
      return {
        id: inv.id as number,
        number: inv.number as string,
        customerId: inv.customer_id as number,
        issueDate: inv.issue_date as string,
        orderNumber: inv.order_number as string,
        items: rows.map((r) => ({
          productId: r.product_id as number,
          code: r.code as string,
          mask: r.mask as string,
          description: r.description as string,
          quantity: r.quantity as number,
          weightKg: r.weight_kg as number,
          warrantyMonths: r.warranty_months as number | null,
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
      const rows = await run(tx, requestsOfCustomerStatement, { customerId });
      return rows.map((r) => {
        const status = r.status as RequestStatus;
        return {
          id: r.id as number,
          protocol: r.protocol as string,
          status,
          invoiceNumber: r.invoice_number as string,
          orderNumber: r.order_number as string | null,
          erpOrderNumber: r.erp_order_number as string | null,
          awaitingFinance:
            financeStateOf(status, r.erp_kind as string | null, r.finance_released as boolean) === 'awaiting-finance',
          createdAt: new Date(r.created_at as string),
        };
      });
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

// The lookups of every message, compiled once (src/db/compiled.ts). Integer and text columns come back as the
// drizzle builder gave them; the one timestamp is text and mapped above.

function customerOf(row: Record<string, unknown> | undefined): CustomerInfo | null {
  return row ? { id: row.id as number, code: row.code as string, name: row.name as string } : null;
}

/** The first contact row matching any of the keys (one statement shape per number of keys). */
const customerByContactStatement = compiledFamily<number, Record<string, unknown>>(
  (count, p) => sql`
    select ${customers.id}, ${customers.code}, ${customers.name}
    from ${contacts} inner join ${customers} on ${customers.id} = ${contacts.customerId}
    where ${contacts.value} in (${sql.join(
      Array.from({ length: count }, (_, i) => p[`key${i}`]),
      sql`, `,
    )})
    order by ${contacts.id} limit 1`,
);

const customerByIdStatement = compile<{ id: number }>(
  (p) =>
    sql`select ${customers.id}, ${customers.code}, ${customers.name} from ${customers} where ${customers.id} = ${p.id}`,
);

const invoiceOfCustomerStatement = compile<{ customerId: number; number: string }>(
  (p) => sql`
    select ${invoices.id}, ${invoices.number}, ${invoices.customerId}, ${invoices.issueDate}, ${invoices.orderNumber},
           ${products.id} as product_id, ${products.code}, ${products.mask}, ${products.description},
           ${invoiceItems.quantity}, ${products.weightKg}, ${products.warrantyMonths}
    from ${invoices}
    inner join ${invoiceItems} on ${invoiceItems.invoiceId} = ${invoices.id}
    inner join ${products} on ${products.id} = ${invoiceItems.productId}
    where ${invoices.number} = ${p.number} and ${invoices.customerId} = ${p.customerId}
    order by ${invoiceItems.id}`,
);

const requestsOfCustomerStatement = compile<{ customerId: number }>(
  (p) => sql`
    select ${requests.id}, ${requests.protocol}, ${requests.status}, ${requests.invoiceNumber}, ${requests.orderNumber},
           ${requests.erpOrderNumber}, ${requests.erp}->>'kind' as erp_kind,
           ${requests.financeReleasedAt} is not null as finance_released, ${requests.createdAt}
    from ${requests}
    where ${requests.customerId} = ${p.customerId}
    order by ${requests.createdAt} desc
    limit 50`,
);
