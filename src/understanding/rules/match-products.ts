import type { InvoiceItemHint, ProductRef, UnderstandingContext } from '../signals';
import { findProductPhrases, PREPOSITIONS, type ProductPhrase } from './find-product-phrases';
import { numberWordValue } from './number-words';
import { quantityAfter, quantityBefore } from './parse-quantity';
import type { ProductVocabulary } from './product-vocabulary';
import { type ItemScore, scoreItem } from './score-items';
import { significantDigits } from './token-utils';
import type { Claims, Message, Token } from './types';
import { wordKey } from './word-match';

/** Least evidence for a description match: a type word (3) or a strong qualifier pair. */
const MIN_SCORE = 2;
/** A description match must beat the runner-up by this much, or the engine offers options. */
const MIN_MARGIN = 1;
/**
 * When the runner-up has evidence of its own ("a porta do balcão": PORTA vs BALCÃO), the words
 * point at two items and only a large lead decides.
 */
const MIN_MARGIN_RIVAL = 2;
/** When the bot asked for the items, a colour alone ("a grafite") may decide. */
const MIN_SCORE_WHEN_ASKED = 1.5;

interface Candidate {
  item: InvoiceItemHint;
  score: ItemScore;
}

interface Resolved {
  ref: ProductRef;
  /**
   * Named by description after a preposition ("o resto do balcão", "não fecha no trilho"): where the damage is
   * or what it is compared with, not the product reported — unless nothing else is named.
   */
  contextual: boolean;
  /** Keys of the product nouns in the phrase ("portas do aéreo" → porta, aereo). */
  nounKeys: Set<string>;
  /** The phrase is nouns only ("1 porta", "portas do aéreo"): it adds no identity of its own. */
  bare: boolean;
  generic: boolean;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

function rank(items: readonly InvoiceItemHint[], msg: Message, indexes: number[], claims: Claims): Candidate[] {
  return items
    .map((item) => ({ item, score: scoreItem(item, msg.tokens, indexes, claims) }))
    .sort((a, b) => b.score.score - a.score.score);
}

/**
 * Picks the clear winner among ranked candidates. Items sharing a code (one product, several
 * masks) do not compete for the code: the code is resolved and the mask only when it is clear.
 */
function pickWinner(
  ranked: Candidate[],
  minScore: number,
): { code: string; mask?: string; best: Candidate } | undefined {
  const best = ranked[0];
  if (!best || best.score.score < minScore) return undefined;
  const otherCode = ranked.find((c) => c.item.code !== best.item.code);
  if (otherCode && best.score.score - otherCode.score.score < requiredMargin(best, otherCode)) return undefined;
  const sameCode = ranked.filter((c) => c.item.code === best.item.code);
  const runnerUp = sameCode[1];
  const maskClear = !runnerUp || best.score.score - runnerUp.score.score >= MIN_MARGIN;
  return { code: best.item.code, mask: maskClear && best.item.mask ? best.item.mask : undefined, best };
}

function requiredMargin(best: Candidate, other: Candidate): number {
  const own = new Set(best.score.matched);
  return other.score.matched.every((i) => own.has(i)) ? MIN_MARGIN : MIN_MARGIN_RIVAL;
}

function wordsOf(msg: Message, from: number, to: number): string | undefined {
  const slice = msg.tokens.slice(from, to + 1);
  if (!slice.some((t) => t.kind === 'word')) return undefined;
  return msg.folded.slice(slice[0]!.start, slice[slice.length - 1]!.end);
}

function claimFeatures(score: ItemScore, claims: Claims): void {
  for (const i of score.featureNumbers) if (!claims.has(i)) claims.set(i, 'feature');
}

/** Resolves one phrase to an invoice item (by code or description) or keeps the customer's words. */
function resolvePhrase(phrase: ProductPhrase, msg: Message, ctx: UnderstandingContext, claims: Claims): ProductRef {
  const items = ctx.invoiceItems ?? [];
  const indexes = range(phrase.head, phrase.end);
  const words = wordsOf(msg, phrase.head, phrase.end);
  if (phrase.code !== undefined) {
    const code = significantDigits(msg.tokens[phrase.code]!);
    const same = items.filter((i) => i.code.replace(/^0+/, '') === code);
    const winner = same.length > 0 ? pickWinner(rank(same, msg, indexes, claims), 0) : undefined;
    if (winner) claimFeatures(winner.best.score, claims);
    const mask = same.length === 1 ? same[0]!.mask || undefined : winner?.mask;
    return { code: same[0]?.code ?? msg.tokens[phrase.code]!.norm, mask, words };
  }
  if (items.length === 0 || phrase.generic) return { words };
  const ranked = rank(items, msg, indexes, claims);
  let winner = pickWinner(ranked, MIN_SCORE);
  const top = ranked[0];
  if (!winner && top && top.score.score >= MIN_SCORE) {
    // Tied on the phrase ("a porta" with two doors): words elsewhere ("…é a branca") may decide.
    const rivals = ranked.filter((c) => c === top || top.score.score - c.score.score < requiredMargin(top, c));
    if (rivals.length > 1) {
      const rivalItems = rivals.map((c) => c.item);
      winner = pickWinner(rank(rivalItems, msg, range(0, msg.tokens.length - 1), claims), MIN_SCORE);
    }
  }
  if (!winner) return { words };
  claimFeatures(winner.best.score, claims);
  return { code: winner.code, mask: winner.mask, words };
}

/** Articles skipped when looking at the word that introduces a product phrase ("do o" never occurs, "no a" neither). */
const ARTICLES = new Set(['o', 'a', 'os', 'as', 'um', 'uma', 'uns', 'umas']);
/** Prepositions that make the noun after them a place or a comparison: "fica no trilho", "o resto do balcão". */
const LOCATIVE = new Set([
  ...PREPOSITIONS,
  'no',
  'na',
  'nos',
  'nas',
  'em',
  'num',
  'numa',
  'ao',
  'aos',
  'pelo',
  'pela',
  'pelos',
  'pelas',
  'sobre',
  'entre',
]);

/**
 * Whether the phrase at `head` is introduced by a locative preposition (articles skipped). A partitive count is
 * not one: "2 das frentes", "uma das portas" name the product.
 */
function introducedByPreposition(tokens: Token[], head: number): boolean {
  let k = head - 1;
  while (k >= 0 && tokens[k]!.kind === 'word' && ARTICLES.has(tokens[k]!.norm)) k--;
  const t = tokens[k];
  if (t?.kind !== 'word' || !LOCATIVE.has(t.norm)) return false;
  const before = tokens[k - 1];
  const count = before?.kind === 'number' || (before?.kind === 'word' && numberWordValue(before.norm) !== undefined);
  return !(count && PREPOSITIONS.has(t.norm));
}

const COPULAS = new Set([
  'esta',
  'ta',
  'estao',
  'tao',
  'ficou',
  'ficaram',
  'veio',
  'vieram',
  'chegou',
  'chegaram',
  'e',
]);
const FINE = new Set([
  'bom',
  'boa',
  'bons',
  'boas',
  'ok',
  'certo',
  'certa',
  'certos',
  'certas',
  'perfeito',
  'perfeita',
  'perfeitos',
  'perfeitas',
  'normal',
  'inteiro',
  'inteira',
  'inteiros',
  'inteiras',
]);

/** "o trilho tá bom", "as portas vieram perfeitas", "a lateral está ok": the product is said to be fine. */
function saidToBeFine(tokens: Token[], end: number): boolean {
  const a = tokens[end + 1];
  const b = tokens[end + 2];
  if (a?.kind !== 'word' || !COPULAS.has(a.norm)) return false;
  if (b?.kind === 'word' && FINE.has(b.norm)) return true;
  return (
    b?.norm === 'sem' && ['problema', 'problemas', 'defeito', 'defeitos', 'nada'].includes(tokens[end + 3]?.norm ?? '')
  );
}

const COMPARISON = new Set([
  'igual',
  'iguais',
  'parecido',
  'parecida',
  'identico',
  'identica',
  'nem',
  'feito',
  'diferente',
]);

/** "ficou igual à da esquerda", "que nem a do balcão": a product named to compare with, never the one reported. */
function comparedWith(tokens: Token[], head: number): boolean {
  for (let k = head - 1; k >= 0 && head - k <= 4; k--) {
    const t = tokens[k]!;
    if (t.kind !== 'word') return false;
    if (COMPARISON.has(t.norm)) return true;
    if (!ARTICLES.has(t.norm) && !LOCATIVE.has(t.norm)) return false;
  }
  return false;
}

/** Merges refs to the same item and attaches loose quantities ("…1 peça", "…1 porta"). */
function consolidate(all: Resolved[], invoiceKnown: boolean): { refs: ProductRef[]; looseQuantity?: number } {
  // A product mentioned only as a place or a comparison, beside one that is reported, is not an item.
  const reported = all.some((r) => !r.contextual && !r.generic);
  // After a preposition, words that match no item of a known invoice are a place ("esfarelando na dobradiça").
  const place = (r: Resolved) =>
    r.contextual && r.ref.quantity === undefined && (reported || (invoiceKnown && !r.ref.code));
  const found = all.filter((r) => !place(r));
  const resolved: Resolved[] = [];
  const loose: Resolved[] = [];
  for (const r of found) (r.ref.code ? resolved : loose).push(r);

  const merged: Resolved[] = [];
  for (const r of resolved) {
    const twin = merged.find(
      (m) => m.ref.code === r.ref.code && (!m.ref.mask || !r.ref.mask || m.ref.mask === r.ref.mask),
    );
    if (!twin) {
      merged.push({ ...r, ref: { ...r.ref } });
      continue;
    }
    twin.ref.quantity ??= r.ref.quantity;
    twin.ref.mask ??= r.ref.mask;
  }

  let looseQuantity: number | undefined;
  const kept: Resolved[] = [];
  const covers = (m: Resolved, r: Resolved) => r.nounKeys.size > 0 && [...r.nounKeys].every((k) => m.nounKeys.has(k));
  // Bare phrases last, so that "portas do aéreo … aéreo teca de 3 portas" folds into the richer one.
  for (const r of [...loose.filter((x) => !x.bare), ...loose.filter((x) => x.bare)]) {
    const same = r.bare ? [...merged, ...kept].find((m) => covers(m, r)) : undefined;
    if (r.generic) {
      const target = merged.length + kept.length === 1 ? (merged[0] ?? kept[0]) : undefined;
      if (target && r.ref.quantity !== undefined) target.ref.quantity ??= r.ref.quantity;
      else if (!target && r.ref.quantity !== undefined) looseQuantity ??= r.ref.quantity;
    } else if (same) {
      same.ref.quantity ??= r.ref.quantity;
    } else if (merged.length === 0 || r.ref.quantity !== undefined) {
      // Unresolved words next to a resolved product are usually a part of it ("a porta do armário").
      kept.push(r);
    }
  }
  const refs = [...merged, ...kept].map((r) => {
    const ref: ProductRef = {};
    if (r.ref.code) ref.code = r.ref.code;
    if (r.ref.mask) ref.mask = r.ref.mask;
    if (r.ref.words) ref.words = r.ref.words;
    if (r.ref.quantity !== undefined) ref.quantity = r.ref.quantity;
    return ref;
  });
  return { refs, looseQuantity };
}

/** With no product noun at all, an answer to "which item?" is matched as a whole ("a grafite"). */
function matchWholeMessage(msg: Message, ctx: UnderstandingContext, claims: Claims): ProductRef[] {
  const items = ctx.invoiceItems ?? [];
  if (items.length === 0 || ctx.expecting !== 'items') return [];
  const winner = pickWinner(rank(items, msg, range(0, msg.tokens.length - 1), claims), MIN_SCORE_WHEN_ASKED);
  if (!winner) return [];
  claimFeatures(winner.best.score, claims);
  return [{ code: winner.code, ...(winner.mask ? { mask: winner.mask } : {}) }];
}

/**
 * Product references of a message: codes and described products resolved against the invoice
 * items in play, each with its quantity; plus a quantity given with a generic noun ("1 peça") when
 * there is no product to put it on.
 */
export function matchProducts(
  msg: Message,
  ctx: UnderstandingContext,
  claims: Claims,
  vocab: ProductVocabulary,
): { refs: ProductRef[]; looseQuantity?: number } {
  const phrases = findProductPhrases(msg.tokens, vocab, claims);
  if (phrases.length === 0) return { refs: matchWholeMessage(msg, ctx, claims) };
  const found: Resolved[] = [];
  for (const phrase of phrases) {
    if (saidToBeFine(msg.tokens, phrase.end)) continue;
    if (phrase.code === undefined && comparedWith(msg.tokens, phrase.head)) continue;
    const ref = resolvePhrase(phrase, msg, ctx, claims);
    const contextual = phrase.code === undefined && introducedByPreposition(msg.tokens, phrase.head);
    // "…esfarelando na dobradiça, 1 unidade": a count after a place belongs to the product reported, not to it.
    const quantity =
      quantityBefore(msg.tokens, phrase.head, claims) ??
      (contextual ? undefined : quantityAfter(msg.tokens, phrase.end, claims));
    if (quantity !== undefined) ref.quantity = quantity;
    const content = msg.tokens
      .slice(phrase.head, phrase.end + 1)
      .filter((t) => t.kind !== 'punct' && !(t.kind === 'word' && PREPOSITIONS.has(t.norm)));
    const isNoun = (t: Token) => t.kind === 'word' && vocab.isNoun(t.norm);
    found.push({
      ref,
      contextual,
      generic: phrase.generic,
      nounKeys: new Set(content.filter(isNoun).map((t) => wordKey(t.norm))),
      bare: content.every(isNoun),
    });
  }
  return consolidate(found, (ctx.invoiceItems?.length ?? 0) > 0);
}
