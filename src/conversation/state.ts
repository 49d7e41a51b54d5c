import { z } from 'zod';
import { intentSchema, productRefSchema, reasonCategorySchema } from '../understanding/signals';

/** One item of the request being built, resolved against the invoice (or the catalogue). */
export const draftItemSchema = z.object({
  productId: z.number().int().optional(),
  code: z.string(),
  mask: z.string(),
  description: z.string(),
  quantity: z.number().int().positive(),
  /** Whether the customer stated the quantity (else the default was assumed). */
  quantityStated: z.boolean().default(false),
  /** Quantity on the invoice, the upper bound. */
  invoiceQuantity: z.number().int().positive().optional(),
  weightKg: z.number().nonnegative(),
  warrantyUntil: z.string().nullable(),
});
export type DraftItem = z.infer<typeof draftItemSchema>;

export const draftInvoiceSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  customerId: z.number().int(),
  issueDate: z.string(),
  orderNumber: z.string(),
});

export const draftSchema = z.object({
  invoiceNumber: z.string().optional(),
  invoice: draftInvoiceSchema.optional(),
  /** The resolved invoice's items (for offering them and matching words against them). */
  invoiceItems: z
    .array(
      z.object({
        productId: z.number().int(),
        code: z.string(),
        mask: z.string(),
        description: z.string(),
        quantity: z.number().int(),
        weightKg: z.number(),
        warrantyMonths: z.number().int().nullable(),
      }),
    )
    .optional(),
  invoiceMisses: z.number().int().default(0),
  /** The last number looked up and not found (not tried again unless the customer says it again). */
  missedInvoice: z.string().optional(),
  invoiceNotFound: z.boolean().default(false),
  /** Product references given before the invoice was known; resolved once it is. */
  pendingRefs: z.array(productRefSchema).default([]),
  /** Products named that were not on the invoice: tried again if the customer corrects the NF. */
  unmatchedRefs: z.array(productRefSchema).default([]),
  items: z.array(draftItemSchema).default([]),
  reason: z.object({ category: reasonCategorySchema.optional(), description: z.string() }).optional(),
  photos: z.array(z.string()).default([]),
  /** Photos already on the request when it was returned (for the "new photos" count). */
  previousPhotos: z.number().int().default(0),
  /** Charged-assistance warnings already given (`warranty:<date>`, `reason:cliente`): each said once. */
  warned: z.array(z.string()).default([]),
});
export type Draft = z.infer<typeof draftSchema>;

export const phaseSchema = z.enum([
  'idle',
  /** Menu offered; waiting for a pick. */
  'menu',
  /** Collecting the intake slots. */
  'intake',
  /** Summary shown; waiting for yes/no/correction. */
  'confirming',
  /** Waiting for the order number for finance. */
  'awaiting_order',
  /** Status asked by an unknown contact: identifying first. */
  'status_identify',
]);
export type Phase = z.infer<typeof phaseSchema>;

export const convStateSchema = z.object({
  v: z.literal(1),
  phase: phaseSchema,
  /** Identified customer: a known contact, or a CNPJ confirmed by one of its invoices. */
  customerId: z.number().int().optional(),
  /** The sender's phone as verified by the channel (Telegram contact share), E.164. */
  phone: z.string().optional(),
  /** Customer claimed by CNPJ, not yet confirmed by an NF (no data shown until then). */
  claimedCustomerId: z.number().int().optional(),
  intent: intentSchema.optional(),
  expecting: z.string().optional(),
  options: z.array(z.string()).optional(),
  optionValues: z.array(z.string()).optional(),
  draft: draftSchema.optional(),
  /** A returned request being corrected (resubmitted under the same protocol). */
  returned: z.object({ requestId: z.number().int(), protocol: z.string(), message: z.string() }).optional(),
  lastProtocol: z.string().optional(),
  /** An intake in progress set aside while a returned request is corrected; resumed afterwards. */
  stash: z.object({ draft: draftSchema }).optional(),
  /** The last question asked (to stay quiet on a burst of photos that changes nothing). */
  lastAsk: z.string().optional(),
});
export type ConvState = z.infer<typeof convStateSchema>;

export const initialState = (): ConvState => ({ v: 1, phase: 'idle' });
export const emptyDraft = (): Draft => draftSchema.parse({});

/**
 * Read a persisted state. Unknown or older shapes are migrated here; anything unreadable
 * starts a fresh conversation instead of failing the customer's message.
 */
export function readState(raw: unknown): ConvState {
  const parsed = convStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : initialState();
}

/** Put a resolved invoice (with its items) into a draft. */
export function invoiceIntoDraft(
  d: Draft,
  inv: {
    id: number;
    number: string;
    customerId: number;
    issueDate: string;
    orderNumber: string;
    items: NonNullable<Draft['invoiceItems']>;
  },
) {
  d.invoiceNumber = inv.number;
  d.invoice = {
    id: inv.id,
    number: inv.number,
    customerId: inv.customerId,
    issueDate: inv.issueDate,
    orderNumber: inv.orderNumber,
  };
  d.invoiceItems = inv.items.map((i) => ({ ...i }));
  d.invoiceNotFound = false;
}
