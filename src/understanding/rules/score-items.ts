import type { InvoiceItemHint } from '../signals';
import { numberWordValue } from './number-words';
import { ITEM_STOPWORDS, WEAK_ITEM_WORDS } from './product-vocabulary';
import type { Claims, Token } from './types';
import { sameNoun, sameWord } from './word-match';

/** One thing an invoice item can be recognised by, with how much it tells the items apart. */
type Feature =
  | { type: 'word'; word: string; weight: number; noun: boolean }
  | { type: 'measure'; dims: number[]; weight: number }
  | { type: 'size'; value: number; weight: number }
  | { type: 'count'; n: number; letter: string; weight: number };

export interface ItemScore {
  score: number;
  /** Token indexes that matched a feature. */
  matched: number[];
  /** Number tokens read as part of the description ("3 portas" ≈ "3P"): not quantities. */
  featureNumbers: number[];
}

const MEASURE_RE = /^(\d+(?:\.\d+)?)(?:x(\d+(?:\.\d+)?))(?:x(\d+(?:\.\d+)?))?(mm|cm|m)?$/;
const UNIT_RE = /^(\d+(?:\.\d+)?)(mm|cm|m|°|graus?)$/;

/**
 * Weights: the item's first word is its type (PORTA, GAVETEIRO) and says most; other description
 * words and measures are strong; mask colours help; thickness (15MM) barely, since most items share it.
 */
function itemFeatures(item: InvoiceItemHint): Feature[] {
  const features: Feature[] = [];
  const describe = (text: string, isMask: boolean) => {
    let firstAlpha = true;
    for (const raw of text.toLowerCase().split(/\s+/)) {
      if (!raw) continue;
      const measure = MEASURE_RE.exec(raw);
      const unit = UNIT_RE.exec(raw);
      const count = /^(\d+)([a-z])$/.exec(raw);
      if (measure) {
        const dims = [measure[1], measure[2], measure[3]].filter((d): d is string => !!d).map(Number);
        features.push({ type: 'measure', dims, weight: 2 });
      } else if (unit) {
        const v = Number(unit[1]) * (unit[2] === 'cm' ? 10 : unit[2] === 'm' ? 1000 : 1);
        features.push({ type: 'size', value: v, weight: isMask ? 0.3 : 1 });
      } else if (count) {
        features.push({ type: 'count', n: Number(count[1]), letter: count[2]!, weight: 2 });
      } else if (/^\d+$/.test(raw)) {
        features.push({ type: 'size', value: Number(raw), weight: 1 });
      } else if (/^[a-z]+$/.test(raw) && !ITEM_STOPWORDS.has(raw)) {
        let weight: number;
        if (isMask) weight = firstAlpha ? 1.5 : 1;
        else if (WEAK_ITEM_WORDS.has(raw)) weight = 0.5;
        else weight = firstAlpha ? 3 : 2;
        features.push({ type: 'word', word: raw, weight, noun: !isMask });
        firstAlpha = false;
      }
    }
  };
  describe(item.description, false);
  describe(item.mask, true);
  return features;
}

/** Sizes a token may stand for, in millimetres: "60" (cm, as customers say) → 60 and 600. */
function tokenSizes(t: Token): number[] {
  if (t.kind === 'number') {
    const v = Number(t.norm);
    return [v, v * 10];
  }
  if (t.kind === 'measure') {
    const u = UNIT_RE.exec(t.norm);
    if (!u) return [];
    const v = Number(u[1]);
    if (u[2] === 'cm') return [v * 10];
    if (u[2] === 'm') return [v * 1000];
    return [v];
  }
  return [];
}

function sameDims(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  return sa.every((v, k) => v === sb[k]) || sa.every((v, k) => v * 10 === sb[k]);
}

function countValue(t: Token | undefined): number | undefined {
  if (!t) return undefined;
  if (t.kind === 'number') return Number(t.norm);
  if (t.kind === 'word') return numberWordValue(t.norm);
  return undefined;
}

/**
 * A description word matched only approximately (typo, or another gender: "tampa" for TAMPO)
 * counts less, so that an exact match elsewhere wins. Mask words are adjectives: "branca" is
 * simply BRANCO.
 */
const APPROXIMATE_NOUN_FACTOR = 0.7;

/** Finds tokens (among `indexes`) matching one feature; returns matched indexes and the weight earned. */
function matchFeature(
  f: Feature,
  tokens: Token[],
  indexes: number[],
  claims: Claims,
): { at: number[]; weight: number } | null {
  if (f.type === 'word') {
    let approximate: number | undefined;
    for (const i of indexes) {
      const t = tokens[i]!;
      if (t.kind !== 'word' || !sameWord(t.norm, f.word)) continue;
      if (!f.noun || sameNoun(t.norm, f.word)) return { at: [i], weight: f.weight };
      approximate ??= i;
    }
    return approximate === undefined ? null : { at: [approximate], weight: f.weight * APPROXIMATE_NOUN_FACTOR };
  }
  const at = matchNumeric(f, tokens, indexes, claims);
  return at ? { at, weight: f.weight } : null;
}

function matchNumeric(
  f: Exclude<Feature, { type: 'word' }>,
  tokens: Token[],
  indexes: number[],
  claims: Claims,
): number[] | null {
  for (const i of indexes) {
    const t = tokens[i]!;
    switch (f.type) {
      case 'measure': {
        const m = t.kind === 'measure' ? MEASURE_RE.exec(t.norm) : null;
        if (m) {
          const dims = [m[1], m[2], m[3]].filter((d): d is string => !!d).map(Number);
          if (sameDims(dims, f.dims)) return [i];
        }
        break;
      }
      case 'size':
        if (!claims.has(i) && tokenSizes(t).includes(f.value)) return [i];
        break;
      case 'count': {
        if (t.kind === 'alnum' && t.norm === `${f.n}${f.letter}`) return [i];
        const next = tokens[i + 1];
        if (
          countValue(t) === f.n &&
          next?.kind === 'word' &&
          next.norm.startsWith(f.letter) &&
          !['peca', 'pecas', 'produto', 'produtos', 'unidade', 'unidades'].includes(next.norm)
        ) {
          return [i, i + 1];
        }
        break;
      }
    }
  }
  return null;
}

/** A number the customer gave matching one side of a measure ("prateleira de 800" → 800X300). */
function partialMeasure(f: Feature, tokens: Token[], indexes: number[], claims: Claims): number | null {
  if (f.type !== 'measure') return null;
  for (const i of indexes) {
    const t = tokens[i]!;
    if (t.kind === 'number' && !claims.has(i) && f.dims.some((d) => tokenSizes(t).includes(d))) return i;
  }
  return null;
}

/** Scores how well the tokens at `indexes` describe `item`. */
export function scoreItem(item: InvoiceItemHint, tokens: Token[], indexes: number[], claims: Claims): ItemScore {
  const result: ItemScore = { score: 0, matched: [], featureNumbers: [] };
  for (const f of itemFeatures(item)) {
    const hit = matchFeature(f, tokens, indexes, claims);
    if (hit) {
      result.score += hit.weight;
      result.matched.push(...hit.at);
      if (f.type === 'count' || f.type === 'size') result.featureNumbers.push(hit.at[0]!);
      continue;
    }
    const partial = partialMeasure(f, tokens, indexes, claims);
    if (partial !== null) {
      result.score += f.weight / 2;
      result.matched.push(partial);
      result.featureNumbers.push(partial);
    }
  }
  return result;
}
