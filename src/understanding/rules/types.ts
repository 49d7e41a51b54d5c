/**
 * Shared shapes of the rule-based understanding. Kept apart from `signals.ts` because these
 * are internal: only `understandRules` and its helpers see tokens and claims.
 */

/** Kinds of token the tokenizer emits. Everything that is not a plain word, number or punctuation
 * mark is a "special" number-like span (phone, date, measure…) recognised up-front so that it can
 * never be mistaken for an invoice number, a quantity or a product code. */
export type TokenKind =
  | 'word'
  | 'number'
  | 'alnum'
  | 'punct'
  | 'url'
  | 'email'
  | 'protocol'
  | 'cnpj'
  | 'phone'
  | 'cep'
  | 'long'
  | 'date'
  | 'time'
  | 'money'
  | 'measure'
  | 'duration'
  | 'times';

export interface Token {
  kind: TokenKind;
  /** Surface form in the folded text. */
  raw: string;
  /**
   * Normalised form: expanded abbreviation for words ("vc" → "voce"), digits without separators
   * for numbers, the compact form for specials ("350 x 720" → "350x720", "x 2" → "2").
   */
  norm: string;
  /** Offsets in the folded text. */
  start: number;
  end: number;
}

/** A message ready for the parsers: cleaned original, folded text and tokens. */
export interface Message {
  /** Original text after truncation and removal of quoted e-mail history and signatures. */
  original: string;
  /** Accent-folded, lower-case version of `original` (newlines kept as sentence breaks). */
  folded: string;
  tokens: Token[];
  /** `tokens[].norm` joined by single spaces: the string keyword tables are matched against. */
  text: string;
  /** Tokens of an e-mail signature block: not content, but it may carry the store's CNPJ. */
  signatureTokens: Token[];
}

/** What a number token was taken as, so that later parsers do not reuse it. */
export type ClaimKind = 'protocol' | 'order' | 'invoice' | 'code' | 'quantity' | 'feature' | 'negated' | 'cnpj';

/** Token index → what it was used for. One number means one thing. */
export type Claims = Map<number, ClaimKind>;
