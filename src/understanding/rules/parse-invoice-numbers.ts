import { normalizeInvoiceNumber } from '../../domain/invoice-number';
import type { UnderstandingContext } from '../signals';
import type { ProductVocabulary } from './product-vocabulary';
import { keywordBefore, significantDigits } from './token-utils';
import type { Claims, Message, Token } from './types';

const NF_KEYWORDS = new Set(['nf', 'nota', 'notas']);
/** Words that may stand between the keyword and the number: "nota fiscal nº 245110", "a nota certa é 4522". */
const NF_FILLERS = new Set([
  'fiscal',
  'fiscais',
  'eletronica',
  'numero',
  'e',
  'da',
  'de',
  'do',
  'a',
  'o',
  'certa',
  'correta',
  'certo',
  'correto',
  'mesmo',
  'mesma',
  'sua',
  'minha',
  'nossa',
  'seria',
  'foi',
  'era',
  'sao',
  'referente',
  'final',
  'emitida',
  // "nota errada! a certa é a 412592"
  'errada',
  'errado',
  '!',
  ':',
  '-',
  '#',
  '(',
  ',',
  '.',
]);
/** Between two invoice numbers of a list: "notas 3120 e 3121", "3120 / 3121". */
const LIST_CONNECTORS = new Set(['e', ',', '/', 'ou', '&', 'a', '-']);

/** "a nota é de 2022", "comprei em 2024": a year after "de"/"em", not an invoice number. */
function isYear(tokens: Token[], i: number): boolean {
  const n = Number(tokens[i]!.norm);
  const before = tokens[i - 1]?.norm;
  return (
    tokens[i]!.norm.length === 4 && n >= 1990 && n <= 2039 && (before === 'de' || before === 'em' || before === 'ano')
  );
}

/** An invoice number has 3 to 10 significant digits; shorter is a quantity, longer a phone or key. */
function invoiceShaped(t: Token): boolean {
  const sig = significantDigits(t);
  return t.kind === 'number' && sig.length >= 3 && sig.length <= 10;
}

/** Follows a list back to a number already taken (or rejected) as an invoice. */
function continuesInvoiceList(tokens: Token[], i: number, taken: Set<number>): boolean {
  for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
    if (taken.has(j)) return true;
    if (!LIST_CONNECTORS.has(tokens[j]!.norm)) return false;
  }
  return false;
}

/**
 * Invoice (NF) numbers: after an NF keyword ("NF 123456", "nota fiscal nº 245.110", "danfe
 * 123"), continuing a list of them, or — when the bot asked for the invoice — any free number of
 * 3–9 digits. Phones, CNPJs, dates, measures, money, protocols, orders and product codes are
 * separate tokens or already claimed, so they never get here.
 */
export function parseInvoiceNumbers(msg: Message, claims: Claims, vocabulary: ProductVocabulary): string[] {
  const { tokens } = msg;
  const found: string[] = [];
  // Numbers that anchor a list: accepted ones and ones the customer rejected ("não é 4521, é 4522").
  const anchors = new Set<number>();
  for (const [i, t] of tokens.entries()) {
    if (!invoiceShaped(t)) continue;
    const claim = claims.get(i);
    const keyworded = keywordBefore(tokens, i, NF_KEYWORDS, NF_FILLERS, 8) && !isYear(tokens, i);
    if (claim === 'negated') {
      if (keyworded) anchors.add(i);
      continue;
    }
    if (claim) continue;
    // "nf 88001, 410117 grafite": a number followed by a finish or a product word is an item, not a second NF.
    const next = tokens[i + 1];
    const describesProduct =
      next?.kind === 'word' && (vocabulary.isDescriptor(next.norm) || vocabulary.isNoun(next.norm));
    if (keyworded || (continuesInvoiceList(tokens, i, anchors) && !describesProduct)) {
      anchors.add(i);
      claims.set(i, 'invoice');
      const nf = normalizeInvoiceNumber(t.norm);
      if (nf && !found.includes(nf)) found.push(nf);
    }
  }
  return found;
}

/**
 * When the bot asked for the invoice, a free number of 3–9 digits is the answer ("4521",
 * "é a 318204"). Runs after product codes are claimed, so "a porta 615020" stays a product.
 */
export function parseBareInvoiceNumbers(msg: Message, ctx: UnderstandingContext, claims: Claims): string[] {
  if (ctx.expecting !== 'invoice') return [];
  const found: string[] = [];
  for (const [i, t] of msg.tokens.entries()) {
    if (t.kind !== 'number' || claims.has(i)) continue;
    const sig = significantDigits(t);
    if (sig.length < 3 || sig.length > 9) continue;
    claims.set(i, 'invoice');
    const nf = normalizeInvoiceNumber(t.norm);
    if (nf && !found.includes(nf)) found.push(nf);
  }
  return found;
}
