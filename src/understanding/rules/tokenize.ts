import { expandAbbreviations } from './abbreviations';
import { findSpecialSpans } from './find-special-spans';
import type { Token } from './types';

/** Thousands-dotted numbers ("246.021", "000.123.456") are one number; "1,5" is not an integer. */
const NUMBER_RE = /^(?:\d{1,3}(?:\.\d{3})+(?!\d)|\d+)/;
const DECIMAL_RE = /^\d+,\d+/;
const WORD_RE = /^[a-z]+/;

/**
 * Splits folded text into tokens. Special spans (phones, dates, measures…) become single tokens
 * first; a number glued to letters ("24511o", "3p") becomes an `alnum` token so that a typo is
 * never half-read as an invoice number.
 */
export function tokenize(folded: string): Token[] {
  const spans = findSpecialSpans(folded);
  const tokens: Token[] = [];
  let spanIdx = 0;
  let pos = 0;
  while (pos < folded.length) {
    const span = spans[spanIdx];
    if (span && span.start === pos) {
      tokens.push({
        kind: span.kind,
        raw: folded.slice(span.start, span.end),
        norm: span.norm,
        start: pos,
        end: span.end,
      });
      pos = span.end;
      spanIdx++;
      continue;
    }
    const limit = span ? span.start : folded.length;
    const rest = folded.slice(pos, limit);
    const ch = rest[0] ?? '';
    if (ch === ' ' || ch === '\t') {
      pos++;
      continue;
    }
    const decimal = DECIMAL_RE.exec(rest);
    const number = decimal ? null : NUMBER_RE.exec(rest);
    if (decimal || number) {
      const m = (decimal ?? number)![0];
      const glued = /^[a-z]+\d*/.exec(rest.slice(m.length));
      if (glued) {
        const raw = m + glued[0];
        tokens.push({ kind: 'alnum', raw, norm: raw, start: pos, end: pos + raw.length });
        pos += raw.length;
      } else {
        tokens.push({
          kind: decimal ? 'alnum' : 'number',
          raw: m,
          norm: decimal ? m : m.replace(/\D/g, ''),
          start: pos,
          end: pos + m.length,
        });
        pos += m.length;
      }
      continue;
    }
    const word = WORD_RE.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', raw: word[0], norm: word[0], start: pos, end: pos + word[0].length });
      pos += word[0].length;
      continue;
    }
    tokens.push({ kind: 'punct', raw: ch, norm: ch === '\n' ? '.' : ch, start: pos, end: pos + 1 });
    pos++;
  }
  expandAbbreviations(tokens);
  return tokens;
}
