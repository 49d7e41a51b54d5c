import { normalizeCnpj } from '../../domain/cnpj';
import type { Claims, Message } from './types';

/**
 * First CNPJ with valid check digits, formatted or bare. Every 14-digit span is claimed either
 * way: a CNPJ with a typo is still not an invoice number. An e-mail signature is searched too:
 * stores sign with their CNPJ, which identifies them.
 */
export function parseCnpj(msg: Message, claims: Claims): string | undefined {
  let found: string | undefined;
  for (const [i, t] of msg.tokens.entries()) {
    if (t.kind !== 'cnpj') continue;
    claims.set(i, 'cnpj');
    found ??= normalizeCnpj(t.norm) ?? undefined;
  }
  for (const t of msg.signatureTokens) if (t.kind === 'cnpj') found ??= normalizeCnpj(t.norm) ?? undefined;
  return found;
}
