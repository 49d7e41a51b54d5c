import type { UnderstandingContext } from '../signals';
import { numberWordValue } from './number-words';
import { isSentenceBreak } from './token-utils';
import type { Claims, Token } from './types';

const MAX_QUANTITY = 999;
/** A lone trailing number is read as a count only when small; "corrediça 400" is a size. */
const MAX_LOOSE_COUNT = 100;
const UNIT_WORDS = new Set([
  'unidade',
  'unidades',
  'peca',
  'pecas',
  'volume',
  'volumes',
  'kit',
  'kits',
  'pares',
  'par',
]);
const QUANTITY_WORDS = new Set(['quantidade']);
/** "são 2", "foram 3", "só 1", "faltaram 2": a count with no product next to it. */
const COUNT_INTRO = new Set(['sao', 'foram', 'so', 'apenas', 'somente', 'faltaram', 'faltou', 'faltam', 'total']);

/** Between "quantidade" and its value: "quantidade: 2", "a quantidade é 3", "quantidade certa são 2". */
const LINKS = new Set([':', 'e', 'sao', 'certa', 'correta', '=', '-']);

function quantityWordBefore(tokens: Token[], j: number): boolean {
  for (let k = j; k >= 0 && j - k <= 3; k--) {
    const norm = tokens[k]!.norm;
    if (QUANTITY_WORDS.has(norm)) return true;
    if (!LINKS.has(norm)) return false;
  }
  return false;
}

/** Value of a token as a small count: digits or a number word. */
function countOf(t: Token | undefined, claims: Claims, index: number): number | undefined {
  if (!t || claims.has(index)) return undefined;
  let v: number | undefined;
  if (t.kind === 'number') v = Number(t.norm);
  else if (t.kind === 'times') v = Number(t.norm);
  else if (t.kind === 'word') v = numberWordValue(t.norm);
  else if (t.kind === 'alnum') {
    const m = /^(\d{1,3})(?:un|und|unid|unidades?|pc|pcs|pecas?)$/.exec(t.norm);
    v = m ? Number(m[1]) : undefined;
  }
  return v !== undefined && v >= 1 && v <= MAX_QUANTITY ? v : undefined;
}

/**
 * Quantity written right before a product noun: "2 portas", "duas frentes", "2 (duas) portas".
 * "uma das portas" is a choice among several, not a count, so it is skipped.
 */
export function quantityBefore(tokens: Token[], head: number, claims: Claims): number | undefined {
  const j = head - 1;
  if (tokens[j]?.norm === ')') {
    // "2 (duas) portas": take the number before the brackets, else the word inside.
    const inside = j - 1;
    if (tokens[inside - 1]?.norm === '(') {
      const before = countOf(tokens[inside - 2], claims, inside - 2);
      const pick = before !== undefined ? inside - 2 : inside;
      const v = countOf(tokens[pick], claims, pick);
      if (v !== undefined) {
        claims.set(pick, 'quantity');
        if (pick !== inside && countOf(tokens[inside], claims, inside) !== undefined) claims.set(inside, 'quantity');
      }
      return v;
    }
    return undefined;
  }
  const t = tokens[j];
  if (!t || (t.kind !== 'number' && t.kind !== 'word' && t.kind !== 'times')) return undefined;
  // A descriptive count ("aéreo de 3 portas") was already absorbed by the phrase before it.
  const v = countOf(t, claims, j);
  if (v !== undefined) claims.set(j, 'quantity');
  return v;
}

/**
 * Quantity written after a product phrase: "x2", "(2)", "2 unidades", "qtd 2", or a lone number
 * closing the message ("as dobradiças, 4"). Stops at a sentence break.
 */
export function quantityAfter(tokens: Token[], end: number, claims: Claims): number | undefined {
  for (let j = end + 1; j < tokens.length && j - end <= 4; j++) {
    const t = tokens[j]!;
    if (isSentenceBreak(t)) return undefined;
    if (t.kind === 'times' || t.kind === 'alnum') {
      const v = countOf(t, claims, j);
      if (v !== undefined) {
        claims.set(j, 'quantity');
        return v;
      }
    }
    if (t.kind === 'number' || (t.kind === 'word' && numberWordValue(t.norm) !== undefined)) {
      const v = countOf(t, claims, j);
      if (v === undefined) return undefined;
      const next = tokens[j + 1];
      const prev = tokens[j - 1];
      const closes = !next || isSentenceBreak(next) || next.norm === ')';
      const unit = next !== undefined && UNIT_WORDS.has(next.norm);
      const introduced =
        prev !== undefined && (QUANTITY_WORDS.has(prev.norm) || prev.norm === '(' || prev.norm === ':');
      if (unit || introduced || (closes && t.kind === 'number' && v < MAX_LOOSE_COUNT)) {
        claims.set(j, 'quantity');
        return v;
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * A count not attached to a product noun: "são 2", "2 unidades", "qtd: 4", "x3", "só 1",
 * "os dois", or a bare number/number word when the bot asked for the quantity.
 */
export function findStandaloneQuantity(tokens: Token[], ctx: UnderstandingContext, claims: Claims): number | undefined {
  for (const [j, t] of tokens.entries()) {
    const v = countOf(t, claims, j);
    if (v === undefined) continue;
    const prev = tokens[j - 1];
    const next = tokens[j + 1];
    const introduced =
      prev !== undefined &&
      (COUNT_INTRO.has(prev.norm) ||
        QUANTITY_WORDS.has(prev.norm) ||
        (LINKS.has(prev.norm) && quantityWordBefore(tokens, j - 1)) ||
        (['os', 'as'].includes(prev.norm) && t.kind === 'word'));
    const unit = next !== undefined && (UNIT_WORDS.has(next.norm) || next.norm === 'so');
    const expected =
      ctx.expecting === 'quantity' &&
      (j === 0 ||
        tokens.slice(0, j).every((p) => p.kind === 'punct' || ['e', 'sao', 'foram', 'a', 'o'].includes(p.norm)));
    if (t.kind === 'times' || t.kind === 'alnum' || introduced || unit || expected) {
      claims.set(j, 'quantity');
      return v;
    }
  }
  return undefined;
}
