import { z } from 'zod';

/** What a customer may want. `saudacao` alone (a bare greeting) is not a request. */
export const intentSchema = z.enum([
  'assistencia',
  'status',
  'promob',
  'montagem',
  'financeiro',
  'humano',
  'saudacao',
  'cancelar',
]);
export type Intent = z.infer<typeof intentSchema>;

export const reasonCategorySchema = z.enum(['industria', 'transporte', 'cliente']);
export type ReasonCategory = z.infer<typeof reasonCategorySchema>;

/** A product the customer referred to, resolved against the invoice items in play when possible. */
export const productRefSchema = z.object({
  /** Product code as found in the text or resolved from description words. */
  code: z.string().optional(),
  /** Mask (finish) when the reference is resolved to one invoice item. */
  mask: z.string().optional(),
  /** The customer's own words for the product ("frentes de gaveta cinza"). */
  words: z.string().optional(),
  /** Quantity stated for this product ("2 portas"), when stated. */
  quantity: z.number().int().positive().optional(),
});
export type ProductRef = z.infer<typeof productRefSchema>;

/**
 * Everything one message says, as far as understanding can tell. Produced by the rules
 * (always) and possibly completed by an LLM; the engine validates every candidate before use.
 */
export const signalsSchema = z.object({
  /** Intents found, most likely first. Empty when nothing recognisable. */
  intents: z.array(intentSchema),
  /** Invoice numbers, digits only, no leading zeros. */
  invoiceNumbers: z.array(z.string()),
  /** A CNPJ with valid check digits, 14 digits. */
  cnpj: z.string().optional(),
  productRefs: z.array(productRefSchema),
  /** A quantity stated without a product ("são 2", "2 unidades") — applies to the item in focus. */
  quantity: z.number().int().positive().optional(),
  reason: z
    .object({
      category: reasonCategorySchema.optional(),
      /** The customer's original words describing what happened. */
      description: z.string(),
    })
    .optional(),
  yesNo: z.enum(['yes', 'no']).optional(),
  /** Zero-based index of the offered option picked (by number or by text). */
  option: z.number().int().nonnegative().optional(),
  /** Request protocol mentioned (`AT-000123`), normalised. */
  protocol: z.string().optional(),
  /** Sales order number mentioned ("pedido 91502"). */
  orderNumber: z.string().optional(),
  /** For `promob`: learning/how-to questions go to training, others to projects. */
  promobTeam: z.enum(['projects', 'training']).optional(),
  /** The customer corrects something already said ("na verdade", "errei", "não é"). */
  correction: z.boolean().optional(),
});
export type Signals = z.infer<typeof signalsSchema>;

/** The slot the bot asked for last; lets a bare answer ("4521") be read as that slot. */
export type ExpectedSlot =
  | 'cnpj'
  | 'invoice'
  | 'items'
  | 'quantity'
  | 'reason'
  | 'reason_category'
  | 'photos'
  | 'confirm'
  | 'protocol'
  | 'order'
  | 'menu';

export interface InvoiceItemHint {
  code: string;
  description: string;
  mask: string;
  quantity: number;
}

/** What the conversation knows when a message is understood. */
export interface UnderstandingContext {
  expecting?: ExpectedSlot;
  /** Options offered in the bot's last message, in order. */
  options?: string[];
  /** Items of the invoice in play, for matching products described in words. */
  invoiceItems?: InvoiceItemHint[];
}

export const emptySignals = (): Signals => ({ intents: [], invoiceNumbers: [], productRefs: [] });
