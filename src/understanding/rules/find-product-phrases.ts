import type { ProductVocabulary } from './product-vocabulary';
import type { Claims, Token } from './types';

/** A stretch of the message naming one product: "2 frentes de gaveta cinza", "a porta 615020 teca". */
export interface ProductPhrase {
  /** Token index of the noun (or code) the phrase starts at. */
  head: number;
  /** Last token index of the phrase (inclusive). */
  end: number;
  /** Token index of a product code inside the phrase. */
  code?: number;
  /** The head is "peça"/"item"/"kit": the phrase carries a quantity, not an identity. */
  generic: boolean;
}

export const PREPOSITIONS = new Set(['de', 'do', 'da', 'dos', 'das', 'd']);
/**
 * A noun right after these is a location on another part, not the product: "furação da
 * dobradiça", "lugar do puxador".
 */
const PART_OF = new Set([
  'furacao',
  'furo',
  'furos',
  'buraco',
  'buracos',
  'encaixe',
  'lugar',
  'regulagem',
  'parafuso',
  'parafusos',
]);
const MAX_PHRASE_TOKENS = 10;
/** Right after a product noun, a number this large is a size in mm; smaller ones are counts. */
const MIN_SIZE = 100;

function isQualifier(t: Token | undefined, vocab: ProductVocabulary, claims: Claims, index: number): boolean {
  if (!t) return false;
  if (t.kind === 'measure' || t.kind === 'alnum') return true;
  if (t.kind === 'number') return claims.get(index) === 'code';
  return t.kind === 'word' && (vocab.isDescriptor(t.norm) || vocab.isNoun(t.norm));
}

function isNounToken(t: Token | undefined, vocab: ProductVocabulary): boolean {
  return t?.kind === 'word' && vocab.isNoun(t.norm);
}

/** Extends a phrase to the right over qualifiers, "de + qualifier" and "de 3 portas". */
function phraseEnd(tokens: Token[], head: number, vocab: ProductVocabulary, claims: Claims): number {
  let end = head;
  let j = head + 1;
  while (j < tokens.length && j - head < MAX_PHRASE_TOKENS) {
    const t = tokens[j]!;
    const next = tokens[j + 1];
    if (isQualifier(t, vocab, claims, j)) {
      end = j;
      j++;
    } else if (t.kind === 'number' && !claims.has(j) && Number(t.norm) >= MIN_SIZE && t.norm.length <= 4) {
      // "corrediça 400", "porta 450": a size, not a count.
      end = j;
      j++;
    } else if (t.kind === 'number' && !claims.has(j) && isNounToken(next, vocab)) {
      // "roupeiro 4 portas": a count that describes the product.
      end = j + 1;
      j += 2;
    } else if (PREPOSITIONS.has(t.norm) && (isQualifier(next, vocab, claims, j + 1) || next?.kind === 'number')) {
      if (next?.kind === 'number' && !claims.has(j + 1)) {
        // "prateleira de 800", "aéreo de 3 portas"
        end = isNounToken(tokens[j + 2], vocab) ? j + 2 : j + 1;
        j = end + 1;
      } else {
        j++;
      }
    } else {
      break;
    }
  }
  return end;
}

/**
 * Finds product phrases: each starts at a product noun or a claimed product code and runs over
 * the words that qualify it. Nouns inside a running phrase belong to it ("frente de gaveta").
 */
export function findProductPhrases(tokens: Token[], vocab: ProductVocabulary, claims: Claims): ProductPhrase[] {
  const phrases: ProductPhrase[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const isCode = t.kind === 'number' && claims.get(i) === 'code';
    const partOf = PART_OF.has(tokens[i - 2]?.norm ?? '') && PREPOSITIONS.has(tokens[i - 1]?.norm ?? '');
    const partOfPara = PART_OF.has(tokens[i - 2]?.norm ?? '') && tokens[i - 1]?.norm === 'para';
    if (!isCode && (!isNounToken(t, vocab) || partOf || partOfPara)) {
      i++;
      continue;
    }
    const end = phraseEnd(tokens, i, vocab, claims);
    let code: number | undefined;
    for (let k = i; k <= end; k++) if (claims.get(k) === 'code') code ??= k;
    let generic = !isCode && vocab.isGeneric(t.norm);
    if (generic) {
      // "a peça 612318" or "peça branca" is not generic any more.
      for (let k = i + 1; k <= end; k++)
        if (tokens[k]!.kind === 'word' && !vocab.isGeneric(tokens[k]!.norm)) generic = false;
      if (code !== undefined) generic = false;
    }
    phrases.push({ head: i, end, code, generic });
    i = end + 1;
  }
  return phrases;
}
