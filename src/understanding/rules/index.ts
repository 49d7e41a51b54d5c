import { emptySignals, type Signals, type UnderstandingContext } from '../signals';
import { claimNegatedNumbers, detectCorrection } from './detect-correction';
import { detectIntents } from './detect-intents';
import { detectReason } from './detect-reason';
import { claimAdjacentCodes, claimInvoiceItemCodes } from './find-product-codes';
import { matchProducts } from './match-products';
import { parseCnpj } from './parse-cnpj';
import { parseBareInvoiceNumbers, parseInvoiceNumbers } from './parse-invoice-numbers';
import { parseOrderNumber } from './parse-order-number';
import { parseProtocol } from './parse-protocol';
import { findStandaloneQuantity } from './parse-quantity';
import { parseYesNo } from './parse-yes-no';
import { pickOption } from './pick-option';
import { prepareMessage } from './prepare-message';
import { buildVocabulary } from './product-vocabulary';
import type { Claims } from './types';

export { MAX_ANALYSED_CHARS } from './prepare-text';

/**
 * Rule-based understanding of one customer message: pure, synchronous, never throws.
 *
 * Number readings are decided in a fixed order and each number is used once (`Claims`):
 * protocol → CNPJ → invoice-item codes → order → rejected numbers ("não é 4521") → NF by keyword
 * → product codes by position → NF when the bot asked for it → product quantities → a loose
 * quantity. The order encodes which reading wins when a number could be several things.
 */
export function understandRules(text: string, ctx: UnderstandingContext = {}): Signals {
  try {
    return understand(typeof text === 'string' ? text : '', ctx ?? {});
  } catch {
    // Understanding must never break a conversation: an unexpected input yields "nothing understood".
    return emptySignals();
  }
}

/** Slots of the assistance intake: while one of them is asked, products are always reported. */
const INTAKE_SLOTS = new Set(['invoice', 'items', 'quantity', 'reason', 'confirm']);

function isQuestionAboutProducts(signals: Signals, ctx: UnderstandingContext): boolean {
  const top = signals.intents[0];
  return (
    (top === 'montagem' || top === 'promob') &&
    !signals.intents.includes('assistencia') &&
    signals.reason === undefined &&
    !INTAKE_SLOTS.has(ctx.expecting ?? '')
  );
}

function understand(text: string, ctx: UnderstandingContext): Signals {
  const msg = prepareMessage(text);
  const signals = emptySignals();
  if (msg.tokens.length === 0) return signals;
  const claims: Claims = new Map();
  const vocabulary = buildVocabulary(ctx.invoiceItems);

  const protocol = parseProtocol(msg, ctx, claims);
  const cnpj = parseCnpj(msg, claims);
  claimInvoiceItemCodes(msg, ctx, claims);
  const orderNumber = parseOrderNumber(msg, ctx, claims);
  const { denied } = claimNegatedNumbers(msg, claims);
  signals.invoiceNumbers = parseInvoiceNumbers(msg, claims, vocabulary);
  claimAdjacentCodes(msg, ctx, claims, vocabulary);
  for (const nf of parseBareInvoiceNumbers(msg, ctx, claims)) {
    if (!signals.invoiceNumbers.includes(nf)) signals.invoiceNumbers.push(nf);
  }

  const products = matchProducts(msg, ctx, claims, vocabulary);
  signals.productRefs = products.refs;
  const quantity = products.looseQuantity ?? findStandaloneQuantity(msg.tokens, ctx, claims);
  if (quantity !== undefined) {
    const open = signals.productRefs.length === 1 ? signals.productRefs[0] : undefined;
    if (open && open.quantity === undefined) open.quantity = quantity;
    else signals.quantity = quantity;
  }

  if (cnpj) signals.cnpj = cnpj;
  if (protocol) signals.protocol = protocol;
  if (orderNumber) signals.orderNumber = orderNumber;

  const reason = detectReason(msg, ctx);
  if (reason) signals.reason = reason;
  const { intents, promobTeam } = detectIntents(msg.text, {
    hasInvoice: signals.invoiceNumbers.length > 0,
    hasProduct: signals.productRefs.length > 0,
    hasProtocol: protocol !== undefined,
    hasOrder: orderNumber !== undefined,
    hasProblem: reason?.category !== undefined,
  });
  signals.intents = intents;
  if (promobTeam) signals.promobTeam = promobTeam;
  if (isQuestionAboutProducts(signals, ctx)) {
    // "qual a altura do armário 626035?": the product is the subject of a question, not a part
    // to replace. Reporting it would read as an assistance request.
    signals.productRefs = [];
    delete signals.quantity;
  }

  const yesNo = parseYesNo(msg, ctx);
  if (yesNo) signals.yesNo = yesNo;
  const option = pickOption(msg, ctx, signals);
  if (option !== undefined) signals.option = option;
  // "não, do 615020 são 2": a no that brings the right value is a correction.
  const bringsValue =
    signals.invoiceNumbers.length > 0 || signals.productRefs.length > 0 || signals.quantity !== undefined;
  if (detectCorrection(msg, denied) || (yesNo === 'no' && bringsValue)) signals.correction = true;
  return signals;
}
