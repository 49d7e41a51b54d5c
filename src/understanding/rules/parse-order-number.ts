import type { UnderstandingContext } from '../signals';
import { keywordBefore, significantDigits } from './token-utils';
import type { Claims, Message } from './types';

const ORDER_KEYWORDS = new Set(['pedido', 'pedidos', 'ped', 'ordem']);
const FILLERS = new Set([
  'numero',
  'de',
  'da',
  'do',
  'venda',
  'vendas',
  'compra',
  'servico',
  'original',
  'e',
  'o',
  'a',
  'certo',
  'correto',
  'nosso',
  'meu',
  'seria',
  ':',
  '#',
  '.',
  '-',
]);

/**
 * Sales order number: "pedido 91502", "pedido é 91502", "ped. 91502", "ordem 91502", or a bare
 * number when the bot asked for it. Every order-like number is claimed (so "ordem de compra
 * 4471" is never an NF); the first one is returned.
 */
export function parseOrderNumber(msg: Message, ctx: UnderstandingContext, claims: Claims): string | undefined {
  let found: string | undefined;
  for (const [i, t] of msg.tokens.entries()) {
    if (t.kind !== 'number' || claims.has(i)) continue;
    const sig = significantDigits(t);
    if (sig.length < 3 || sig.length > 10) continue;
    const byKeyword = keywordBefore(msg.tokens, i, ORDER_KEYWORDS, FILLERS, 5);
    if (!byKeyword && ctx.expecting !== 'order') continue;
    claims.set(i, 'order');
    found ??= sig;
  }
  return found;
}
