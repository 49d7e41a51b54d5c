import { z } from 'zod';
import { parseDecimal, parseWholeNumber } from './parse-decimal';
import { isUf } from './uf';

/**
 * The FOCCO ERP import data of an accepted or charged request (seed 6.1: order number, sales
 * division, reason, payment condition, NF type (CFOP), weight, pieces, the customer's order
 * sequence). Filled by the assistant in the console; validated here with messages in pt-BR.
 */

/** Warranty (accepted, "procedente") or charged assistance ("assistência cobrada"). */
export type AssistanceKind = 'warranty' | 'charged';

const text = (label: string, max: number) =>
  z
    .string({ error: `${label}: preencha.` })
    .transform((v) => v.trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(1, `${label}: preencha.`).max(max, `${label}: no máximo ${max} caracteres.`));

/** Decimal with comma or point, as typed in Brazil ("12,5", "1.234,5"). */
const decimal = (label: string, min: number, max: number) =>
  z.union([z.number(), z.string()], { error: `${label}: informe um número.` }).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : parseDecimal(v);
    if (n === null || !Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${label}: informe um número entre ${min} e ${max}, como 12,5.` });
      return z.NEVER;
    }
    return Math.round(n * 1000) / 1000;
  });

const wholeNumber = (label: string, min: number, max: number) =>
  z.union([z.number(), z.string()], { error: `${label}: informe um número inteiro.` }).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : parseWholeNumber(v);
    if (n === null || !Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${label}: informe um número inteiro entre ${min} e ${max}.` });
      return z.NEVER;
    }
    return n;
  });

/** CFOP: four digits, first 1–7; stored as "5.949". */
export function normalizeCfop(raw: string): string | null {
  const digits = raw.replace(/[.\s]/g, '');
  return /^[1-7]\d{3}$/.test(digits) ? `${digits[0]}.${digits.slice(1)}` : null;
}

export const erpInputSchema = z.object({
  erpOrderNumber: z
    .string({ error: 'Número do pedido no ERP: preencha.' })
    .transform((v) => v.trim())
    .pipe(z.string().regex(/^\d{1,12}$/, 'Número do pedido no ERP: só números (até 12 dígitos).')),
  salesDivision: text('Divisão de venda', 60),
  reason: text('Motivo', 120),
  paymentCondition: text('Condição de pagamento', 60),
  cfop: z.string({ error: 'CFOP: preencha.' }).transform((v, ctx) => {
    const c = normalizeCfop(v.trim());
    if (!c) {
      ctx.addIssue({ code: 'custom', message: 'CFOP: use 4 dígitos, como 5.949 ou 6.949.' });
      return z.NEVER;
    }
    return c;
  }),
  weightKg: decimal('Peso (kg)', 0.001, 100_000),
  volumes: wholeNumber('Volumes (peças)', 1, 10_000),
  /** The customer's order sequence: which of their orders goes first. */
  orderSequence: z
    .union([z.number(), z.string(), z.null(), z.undefined()])
    .transform((v) => (v === null || v === undefined || String(v).trim() === '' ? null : v))
    .pipe(z.union([z.null(), wholeNumber('Sequência do pedido do cliente', 1, 9999)])),
});
export type ErpInput = z.input<typeof erpInputSchema>;
export type ErpFields = z.output<typeof erpInputSchema>;

/** What is stored in `requests.erp` (the order number also has its own column, for search). */
export interface ErpData extends ErpFields {
  kind: AssistanceKind;
  updatedBy: string;
  updatedAt: string;
}

export const erpDataSchema = z.object({
  erpOrderNumber: z.string(),
  salesDivision: z.string(),
  reason: z.string(),
  paymentCondition: z.string(),
  cfop: z.string(),
  weightKg: z.number(),
  volumes: z.number().int(),
  orderSequence: z.number().int().nullable(),
  kind: z.enum(['warranty', 'charged']),
  updatedBy: z.string(),
  updatedAt: z.string(),
});

/** Reads stored ERP data; null when absent or not in the current shape. */
export function readErpData(raw: unknown): ErpData | null {
  const parsed = erpDataSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface CfopDefaults {
  /** CFOP when the customer is in the company's state, and when outside it. */
  inState: string;
  outOfState: string;
}

/**
 * Default CFOP: inside the company's state or outside it. Unknown customer state → null (the
 * assistant chooses; accountants differ, so it is always editable per case).
 */
export function defaultCfop(companyUf: string, customerUf: string | null, defaults: CfopDefaults): string | null {
  if (!customerUf || !isUf(customerUf)) return null;
  return customerUf === companyUf ? defaults.inState : defaults.outOfState;
}

/** Total weight of the request's items: Σ quantity × unit weight, to the gram. */
export function itemsWeightKg(items: readonly { quantity: number; weightKg: number }[]): number {
  return Math.round(items.reduce((s, i) => s + i.quantity * i.weightKg, 0) * 1000) / 1000;
}

/** Pieces: the sum of the items' quantities (editable: some parts ship in several volumes). */
export function itemsPieces(items: readonly { quantity: number }[]): number {
  return items.reduce((s, i) => s + i.quantity, 0);
}

export type FinanceState = 'awaiting-import' | 'awaiting-finance' | 'released' | 'n/a';

/**
 * Where a request stands with finance (only charged assistance goes through finance, and only after
 * the ERP import — seed 6.2). `kind` is the stored ERP data's kind, when there is any.
 */
export function financeStateOf(
  status: string,
  kind: string | null | undefined,
  financeReleased: boolean,
): FinanceState {
  if (status === 'charged') return 'awaiting-import';
  if (kind !== 'charged') return 'n/a';
  if (financeReleased) return 'released';
  return status === 'imported' ? 'awaiting-finance' : 'n/a';
}
