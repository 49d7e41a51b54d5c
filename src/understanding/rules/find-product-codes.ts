import type { UnderstandingContext } from '../signals';
import type { ProductVocabulary } from './product-vocabulary';
import { significantDigits } from './token-utils';
import type { Claims, Message } from './types';

/** Words that introduce a product code: "cod 626035", "ref. 615044", "código do produto 615020". */
const CODE_KEYWORDS = new Set(['codigo', 'referencia', 'produto', 'item', 'peca', 'sku']);
/** Punctuation customers put between a keyword and a code: "ref. 615044", "cód: 626035". */
const CODE_PUNCT = new Set(['.', ':', '-', '#']);
/** Words that end the search for a product word on the left ("nota 245110" is not a product). */
const BLOCKERS = new Set(['nf', 'nota', 'notas', 'pedido', 'ped', 'ordem', 'protocolo', 'cnpj']);

/**
 * Claims numbers equal to a code of the invoice items in play: those are products even right
 * after "nota" (customers paste item lines). Leading zeros are ignored on both sides.
 */
export function claimInvoiceItemCodes(msg: Message, ctx: UnderstandingContext, claims: Claims): void {
  const codes = new Set((ctx.invoiceItems ?? []).map((i) => i.code.replace(/^0+/, '')));
  if (codes.size === 0) return;
  for (const [i, t] of msg.tokens.entries()) {
    if (t.kind === 'number' && !claims.has(i) && codes.has(significantDigits(t))) claims.set(i, 'code');
  }
}

/**
 * Claims 5–8 digit numbers that read as product codes without an invoice to check them against:
 * next to a product word ("a porta 615020", "armário de banheiro 626035", "cod 626035"), before a
 * finish ("615020 branco supremo"), any such number when the bot asked for items or quantities,
 * or a second number after an NF was already given ("nf 61230, o 415039 veio…").
 */
export function claimAdjacentCodes(
  msg: Message,
  ctx: UnderstandingContext,
  claims: Claims,
  vocabulary: ProductVocabulary,
): void {
  const { tokens } = msg;
  const invoiceGiven = [...claims.values()].includes('invoice');
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== 'number' || claims.has(i)) continue;
    const len = significantDigits(t).length;
    if (len < 5 || len > 8) continue;
    let adjacent = false;
    for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
      const w = tokens[j]!;
      if (w.kind === 'punct' && CODE_PUNCT.has(w.norm)) continue;
      if (w.kind !== 'word' || BLOCKERS.has(w.norm)) break;
      if (CODE_KEYWORDS.has(w.norm) || vocabulary.isNoun(w.norm)) {
        adjacent = true;
        break;
      }
    }
    // "615020 branco supremo": a finish right after the number names a product.
    const next = tokens[i + 1];
    const described = next?.kind === 'word' && vocabulary.isDescriptor(next.norm) && !vocabulary.isNoun(next.norm);
    const asked = ctx.expecting === 'items' || ctx.expecting === 'quantity';
    if (adjacent || described || asked || invoiceGiven) claims.set(i, 'code');
  }
}
