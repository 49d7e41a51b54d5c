import type { Token } from './types';

/** Significant digits of a number token ("000123" → "123"). */
export const significantDigits = (t: Token): string => t.norm.replace(/^0+/, '');

/** Sentence-ending punctuation: quantities and keywords do not reach across it. */
export const isSentenceBreak = (t: Token | undefined): boolean =>
  t?.kind === 'punct' && ['.', '!', '?', ';'].includes(t.norm);

/**
 * Walks left from `i` over filler tokens and reports whether a keyword is reached first. This is
 * how "nota fiscal nº 245110" and "o pedido certo é 91503" link number and keyword.
 */
export function keywordBefore(
  tokens: Token[],
  i: number,
  keywords: ReadonlySet<string>,
  fillers: ReadonlySet<string>,
  maxSteps = 5,
): boolean {
  for (let j = i - 1; j >= 0 && i - j <= maxSteps; j--) {
    const t = tokens[j]!;
    if (keywords.has(t.norm)) return true;
    if (!fillers.has(t.norm)) return false;
  }
  return false;
}
