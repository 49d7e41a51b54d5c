import { asc, eq } from 'drizzle-orm';
import { normalizeInvoiceNumber } from '../domain/invoice-number';
import { warrantyUntil } from '../domain/warranty';
import type { Executor } from './client';
import { contacts, customers, invoiceItems, invoices, products } from './schema';

export interface InvoiceView {
  id: number;
  number: string;
  issueDate: string;
  orderNumber: string;
  customer: { id: number; code: string; name: string; cnpj: string };
  items: {
    productId: number;
    code: string;
    mask: string;
    description: string;
    quantity: number;
    weightKg: number;
    /** The product's warranty, or the configured default when it has none. */
    warrantyMonths: number;
    warrantyUntil: string;
  }[];
}

/** An invoice with its customer and items (warranty end per item), or null. */
export async function invoiceView(
  db: Executor,
  rawNumber: string,
  defaultWarrantyMonths: number,
): Promise<InvoiceView | null> {
  const number = normalizeInvoiceNumber(rawNumber);
  if (!number) return null;
  const [inv] = await db
    .select({ i: invoices, c: customers })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(eq(invoices.number, number));
  if (!inv) return null;
  const rows = await db
    .select({ it: invoiceItems, p: products })
    .from(invoiceItems)
    .innerJoin(products, eq(products.id, invoiceItems.productId))
    .where(eq(invoiceItems.invoiceId, inv.i.id))
    .orderBy(asc(invoiceItems.id));
  return {
    id: inv.i.id,
    number: inv.i.number,
    issueDate: inv.i.issueDate,
    orderNumber: inv.i.orderNumber,
    customer: { id: inv.c.id, code: inv.c.code, name: inv.c.name, cnpj: inv.c.cnpj },
    items: rows.map(({ it, p }) => {
      const months = p.warrantyMonths ?? defaultWarrantyMonths;
      return {
        productId: p.id,
        code: p.code,
        mask: p.mask,
        description: p.description,
        quantity: it.quantity,
        weightKg: p.weightKg,
        warrantyMonths: months,
        warrantyUntil: warrantyUntil(inv.i.issueDate, months),
      };
    }),
  };
}

export async function customerContacts(db: Executor, customerId: number) {
  return db
    .select({ value: contacts.value, kind: contacts.kind })
    .from(contacts)
    .where(eq(contacts.customerId, customerId))
    .orderBy(asc(contacts.id));
}
