import { normalizeCnpj } from '../../domain/cnpj';
import { normalizeInvoiceNumber } from '../../domain/invoice-number';
import { digitsOf, foldText } from '../../domain/text';
import { type Intent, intentSchema, type ProductRef, type Signals, type UnderstandingContext } from '../signals';
import { maskPii } from './mask-pii';
import type { Extraction } from './model-output';

/** Which source the engine kept for a slot. */
export type SlotSource = 'rules' | 'llm' | 'none';

export interface SlotChoice {
  source: SlotSource;
  /** Why a candidate was set aside or preferred (no customer text beyond the model's own words). */
  note?: string;
}

export const SLOTS = ['intent', 'invoice', 'cnpj', 'products', 'quantity', 'reason'] as const;
export type Slot = (typeof SLOTS)[number];
export type SlotChoices = Partial<Record<Slot, SlotChoice>>;

export interface MergeInput {
  /** The rules' reading of the message (always computed). */
  rules: Signals;
  /** The model's answer, already checked by zod. */
  model: Extraction;
  /** The customer's original text. */
  text: string;
  ctx: UnderstandingContext;
  /** Inside an intake: slots only, the model's intent is not used (the flow already knows the topic). */
  inFlow: boolean;
  /**
   * Invoice numbers checked against the customer (true: an invoice of this customer; false: not);
   * a number absent from the map was not checked (customer not known yet).
   */
  invoiceCheck?: ReadonlyMap<string, boolean>;
}

/** Intents the model may propose. Cancelling and greetings are left to the rules. */
const MODEL_INTENTS: ReadonlySet<Intent> = new Set(intentSchema.exclude(['saudacao', 'cancelar']).options);

/**
 * The model proposes, the rules and validators decide. Pure: rules win where they are certain
 * (codes, check digits, keyword NF), the model fills what they left empty, and every model value
 * must be backed by the customer's own words (numbers must appear in the text, an item code must be
 * on the invoice in play, a CNPJ must pass its check digits). Confirmation (yes/no, option picks),
 * protocols, order numbers and corrections come from the rules only: the model never moves the flow.
 */
export function mergeCandidates(input: MergeInput): { signals: Signals; choices: SlotChoices } {
  const { rules, model, text, ctx } = input;
  const signals: Signals = structuredClone(rules);
  const choices: SlotChoices = {};
  const said = new Evidence(text);

  // ---- intent
  const ruleIntents = rules.intents.filter((i) => i !== 'saudacao');
  if (ruleIntents.length) choices.intent = { source: 'rules' };
  else if (model.intent && MODEL_INTENTS.has(model.intent) && !input.inFlow) {
    signals.intents = [model.intent, ...rules.intents.filter((i) => i !== model.intent)];
    choices.intent = { source: 'llm' };
  } else choices.intent = { source: rules.intents.length ? 'rules' : 'none' };

  // ---- invoice
  const usedByRules = new Set<string>(
    [
      ...rules.productRefs.map((r) => r.code ?? ''),
      rules.orderNumber ?? '',
      digitsOf(rules.protocol ?? '').replace(/^0+/, ''),
      rules.cnpj ?? '',
    ].filter(Boolean),
  );
  const modelNfs: string[] = [];
  let nfNote: string | undefined;
  for (const c of model.invoice_numbers) {
    const nf = normalizeInvoiceNumber(c.value);
    if (!nf || nf.length < 3) continue;
    if (!said.number(nf)) nfNote = 'model number not in the text';
    else if (usedByRules.has(nf)) nfNote = 'model number read otherwise by the rules';
    else if (input.invoiceCheck?.get(nf) === false) nfNote = 'model number is not an invoice of this customer';
    else if (!modelNfs.includes(nf)) modelNfs.push(nf);
  }
  const rulesNf = rules.invoiceNumbers.at(-1);
  if (rulesNf) {
    const better = modelNfs.find((n) => n !== rulesNf && input.invoiceCheck?.get(n) === true);
    if (input.invoiceCheck?.get(rulesNf) === false && better) {
      signals.invoiceNumbers = [better];
      choices.invoice = { source: 'llm', note: "rules' number is not an invoice of this customer" };
    } else choices.invoice = { source: 'rules' };
  } else if (modelNfs.length) {
    signals.invoiceNumbers = modelNfs;
    choices.invoice = { source: 'llm' };
  } else choices.invoice = { source: 'none', ...(nfNote ? { note: nfNote } : {}) };

  // ---- cnpj (masked before sending unless configured otherwise; then the rules have it anyway)
  if (rules.cnpj) choices.cnpj = { source: 'rules' };
  else {
    const c = model.cnpj ? normalizeCnpj(model.cnpj.value) : null;
    if (c && said.number(c)) {
      signals.cnpj = c;
      choices.cnpj = { source: 'llm' };
    } else choices.cnpj = { source: 'none', ...(model.cnpj ? { note: 'model CNPJ invalid or not in the text' } : {}) };
  }

  // ---- products
  const items = ctx.invoiceItems;
  const modelRefs: ProductRef[] = [];
  let productNote: string | undefined;
  for (const p of model.products) {
    const words = p.words.trim();
    const quantity = p.quantity ?? undefined;
    const code = p.item_code?.trim();
    if (code && items?.length) {
      const matching = items.filter((i) => i.code === code);
      if (!matching.length) {
        productNote = 'model item not on the invoice';
        continue;
      }
      modelRefs.push({
        code,
        ...(matching.length === 1 ? { mask: matching[0]!.mask } : {}),
        ...(words && said.words(words) ? { words } : {}),
        ...(quantity !== undefined ? { quantity } : {}),
      });
    } else if (code && /^\d{4,8}$/.test(code) && said.number(code)) {
      // No invoice in play yet: a code the customer typed; the engine checks it against the invoice later.
      modelRefs.push({ code, ...(quantity !== undefined ? { quantity } : {}) });
    } else if (words && said.words(words)) {
      modelRefs.push({ words, ...(quantity !== undefined ? { quantity } : {}) });
    } else productNote = 'model product not backed by the text';
  }
  const rulesHaveCodes = rules.productRefs.some((r) => r.code);
  const modelHasCodes = modelRefs.some((r) => r.code);
  if (rulesHaveCodes) {
    choices.products = { source: 'rules' };
    // Quantities the rules missed, for the same item.
    let filled = false;
    for (const r of signals.productRefs) {
      if (r.quantity !== undefined || !r.code) continue;
      const m = modelRefs.find((x) => x.code === r.code && x.quantity !== undefined);
      if (m && said.number(String(m.quantity)) && rules.quantity === undefined) {
        r.quantity = m.quantity;
        filled = true;
      }
    }
    choices.quantity = { source: filled ? 'llm' : rulesQuantity(rules) ? 'rules' : 'none' };
  } else if (modelRefs.length && (modelHasCodes || rules.productRefs.length === 0)) {
    // Quantities from the model only when the number is in the text ("duas portas" counts as said).
    signals.productRefs = modelRefs.map((r) =>
      r.quantity !== undefined && !said.quantity(r.quantity) ? withoutQuantity(r) : r,
    );
    // A loose quantity of the rules belongs to the single item the model found.
    const only = signals.productRefs.length === 1 ? signals.productRefs[0] : undefined;
    if (only && only.quantity === undefined && rules.quantity !== undefined) {
      only.quantity = rules.quantity;
      delete signals.quantity;
    }
    choices.products = { source: 'llm', ...(rules.productRefs.length ? { note: 'rules had words only' } : {}) };
    choices.quantity = {
      source:
        signals.productRefs.some((r) => r.quantity !== undefined) || signals.quantity !== undefined ? 'llm' : 'none',
    };
  } else {
    choices.products = {
      source: rules.productRefs.length ? 'rules' : 'none',
      ...(productNote ? { note: productNote } : {}),
    };
    choices.quantity = { source: rulesQuantity(rules) ? 'rules' : 'none' };
  }

  // ---- reason
  if (rules.reason?.category) choices.reason = { source: 'rules' };
  else if (model.reason?.category) {
    const evidence = model.reason.evidence.trim();
    if (evidence && said.words(evidence)) {
      signals.reason = { category: model.reason.category, description: rules.reason?.description ?? evidence };
      choices.reason = { source: 'llm' };
    } else choices.reason = { source: rules.reason ? 'rules' : 'none', note: 'model reason not backed by the text' };
  } else choices.reason = { source: rules.reason ? 'rules' : 'none' };

  return { signals, choices };
}

function rulesQuantity(s: Signals): boolean {
  return s.quantity !== undefined || s.productRefs.some((r) => r.quantity !== undefined);
}

function withoutQuantity(r: ProductRef): ProductRef {
  const { quantity: _q, ...rest } = r;
  return rest;
}

const NUMBER_WORDS: Record<number, string[]> = {
  1: ['um', 'uma'],
  2: ['dois', 'duas', 'par'],
  3: ['tres'],
  4: ['quatro'],
  5: ['cinco'],
  6: ['seis'],
  7: ['sete'],
  8: ['oito'],
  9: ['nove'],
  10: ['dez'],
};

/** What the customer actually said, for checking the model's evidence. */
class Evidence {
  private readonly folded: string[];
  private readonly numbers: Set<string>;
  private readonly tokens: Set<string>;

  constructor(text: string) {
    // The model saw the masked text; its quotes may carry the masks.
    this.folded = [foldText(text), foldText(maskPii(text))];
    this.numbers = new Set(
      (text.match(/\d(?:[\d./-]*\d)?/g) ?? []).flatMap((n) => {
        const d = digitsOf(n);
        return [d, d.replace(/^0+/, '')];
      }),
    );
    this.tokens = new Set(this.folded[0]!.split(/[^a-z0-9]+/));
  }

  /** A number that appears in the text (leading zeros and separators ignored). */
  number(n: string): boolean {
    return this.numbers.has(n) || this.numbers.has(n.replace(/^0+/, ''));
  }

  /** The model's quote occurs in the text (accents, case and spacing ignored). */
  words(quote: string): boolean {
    const q = foldText(quote).replace(/^["'“”]+|["'“”]+$/g, '');
    return q.length > 0 && this.folded.some((t) => t.includes(q));
  }

  /** A quantity the customer said, in digits or in words up to ten. */
  quantity(q: number): boolean {
    return this.number(String(q)) || (NUMBER_WORDS[q] ?? []).some((w) => this.tokens.has(w));
  }
}
