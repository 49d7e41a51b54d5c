import type { UnderstandingContext } from '../signals';
import { keywordBefore } from './token-utils';
import type { Claims, Message } from './types';

const PROTOCOL_KEYWORDS = new Set(['protocolo', 'protocolos']);
const FILLERS = new Set(['numero', 'do', 'da', 'de', 'o', 'meu', 'e', 'nosso', ':', '#', '-', '.', ',']);

/** Request protocols are shown as `AT-` + six digits; customers drop the zeros or the prefix. */
export function formatProtocol(digits: string): string {
  const d = digits.replace(/^0+/, '') || '0';
  return `AT-${d.padStart(6, '0')}`;
}

/**
 * Finds a request protocol: "AT-000123", "at 123", "protocolo 123", or a bare number when the
 * bot asked for the protocol. The first one wins; every protocol number is claimed so it is never
 * read as an invoice or order.
 */
export function parseProtocol(msg: Message, ctx: UnderstandingContext, claims: Claims): string | undefined {
  let found: string | undefined;
  for (const [i, t] of msg.tokens.entries()) {
    const explicit = t.kind === 'protocol';
    const byKeyword =
      t.kind === 'number' && t.norm.length <= 7 && keywordBefore(msg.tokens, i, PROTOCOL_KEYWORDS, FILLERS, 4);
    const byExpectation = t.kind === 'number' && ctx.expecting === 'protocol' && t.norm.length <= 7;
    if (!explicit && !byKeyword && !byExpectation) continue;
    claims.set(i, 'protocol');
    found ??= formatProtocol(t.norm);
  }
  return found;
}
