import type { TokenKind } from './types';

/** A stretch of the folded text recognised as one number-like thing (phone, date, measure…). */
export interface SpecialSpan {
  kind: TokenKind;
  start: number;
  end: number;
  /** Compact normalised form: digits for phones/CNPJs/protocols, "350x720" or "18mm" for measures. */
  norm: string;
}

interface SpanRule {
  kind: TokenKind;
  re: RegExp;
  /** Extra check on the match; a failed check leaves the digits free for other readings. */
  accept?: (m: string) => boolean;
  normalise?: (m: string) => string;
}

const digits = (m: string) => m.replace(/\D/g, '');
const compact = (m: string) => m.replace(/\s+/g, '').replace(/[*×]/g, 'x').replace(/,/g, '.');

function isDayMonth(m: string): boolean {
  const [d, mo] = m.split(/[/.-]/).map(Number);
  return d !== undefined && mo !== undefined && d >= 1 && d <= 31 && mo >= 1 && mo <= 12;
}

/**
 * Ordered: the first rule that claims some characters wins. CNPJ before phone (14 digits would
 * also fit a sloppy phone pattern), phones before dates, dates before measures and plain numbers.
 * Units deliberately exclude "p" and "g": "3p"/"3g" name doors/drawers in product descriptions.
 */
const SPAN_RULES: SpanRule[] = [
  { kind: 'url', re: /\b(?:https?:\/\/|www\.)\S+/g },
  { kind: 'email', re: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g },
  { kind: 'protocol', re: /\bat[\s._-]?\d{1,7}(?!\d)/g, normalise: digits },
  { kind: 'cnpj', re: /(?<![\d.])\d{2}\.?\d{3}\.?\d{3}\/?\d{4}-?\d{2}(?!\d)/g, normalise: digits },
  { kind: 'cep', re: /(?<![\d.,])\d{5}-\d{3}(?!\d)/g, normalise: digits },
  { kind: 'phone', re: /(?:\+\s?55\s?)?\(\s?0?\d{2}\s?\)\s?9?\s?\d{4}[\s.-]?\d{4}(?!\d)/g, normalise: digits },
  { kind: 'phone', re: /\+\s?55[\s.-]?\(?0?\d{2}\)?[\s.-]?9?\s?\d{4}[\s.-]?\d{4}(?!\d)/g, normalise: digits },
  { kind: 'phone', re: /(?<![\d.,-])(?:55[\s.-])?0?\d{2}[\s.-]9?\s?\d{4}[\s.-]\d{4}(?!\d)/g, normalise: digits },
  { kind: 'phone', re: /(?<![\d.,-])9?\d{4}-\d{4}(?!\d)/g, normalise: digits },
  // Ten or more bare digits (phones, bar codes, keys) are never an NF, unless it is only zero padding.
  {
    kind: 'long',
    re: /(?<![\d.,])\d{10,}(?!\d)/g,
    accept: (m) => m.replace(/^0+/, '').length >= 10,
    normalise: digits,
  },
  {
    kind: 'date',
    re: /(?<![\d.,/])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\d/])/g,
    accept: isDayMonth,
  },
  { kind: 'date', re: /(?<![\d.,/])\d{1,2}\/\d{1,2}(?![\d/])/g, accept: isDayMonth },
  { kind: 'time', re: /(?<![\d.,])\d{1,2}:\d{2}(?!\d)|(?<![\d.,])\d{1,2}h\d{0,2}(?![a-z\d])/g },
  // "1.250,00" is money even without R$: invoices and counts never have decimal cents.
  {
    kind: 'money',
    re: /r\$\s?\d[\d.,]*|(?<![\d.,])\d[\d.,]*\s?(?:reais|real|conto|contos)\b|(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d{2}(?!\d)/g,
  },
  {
    kind: 'measure',
    // Furniture measures have at most 5 digits per side: "615020 x2" is a code and a count.
    re: /(?<![\d.,])\d{1,5}(?:[.,]\d+)?\s?[x*×]\s?\d{1,5}(?:[.,]\d+)?(?:\s?[x*×]\s?\d{1,5}(?:[.,]\d+)?)?(?!\d)(?:\s?(?:mm|cm|m)\b)?/g,
    normalise: compact,
  },
  {
    kind: 'measure',
    re: /(?<![\d.,])\d+(?:[.,]\d+)?\s?(?:mm|cm|mts?|metros?|m|kg|kgs|quilos?|graus?|°|%|pol|polegadas?|litros?)(?![a-z])/g,
    normalise: compact,
  },
  {
    kind: 'duration',
    re: /(?<![\d.,])\d+\s?(?:dias?|meses|mes|anos?|semanas?|horas?|hrs?|minutos?|min)(?![a-z])/g,
  },
  { kind: 'times', re: /(?<![a-z\d.,])x\s?\d{1,3}(?![\d.,x])|(?<![\d.,])\d{1,3}\s?x(?![a-z\d])/g, normalise: digits },
];

const WITHOUT_DIGITS = SPAN_RULES.filter((r) => r.kind === 'url' || r.kind === 'email');

/** Finds phones, CNPJs, dates, measures… in folded text; spans never overlap. */
export function findSpecialSpans(folded: string): SpecialSpan[] {
  const spans: SpecialSpan[] = [];
  // Every rule but URLs and e-mails needs a digit: most chat messages have none.
  const rules = /\d/.test(folded) ? SPAN_RULES : WITHOUT_DIGITS;
  const overlaps = (s: number, e: number) => spans.some((sp) => s < sp.end && e > sp.start);
  for (const rule of rules) {
    rule.re.lastIndex = 0;
    for (const m of folded.matchAll(rule.re)) {
      const text = m[0].trimEnd();
      const start = m.index ?? 0;
      const end = start + text.length;
      if (overlaps(start, end)) continue;
      if (rule.accept && !rule.accept(text)) continue;
      spans.push({ kind: rule.kind, start, end, norm: rule.normalise ? rule.normalise(text) : text });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
