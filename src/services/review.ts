import { eq } from 'drizzle-orm';
import { dbPort } from '../conversation/db-port';
import { writeOutbound } from '../conversation/inbound';
import { type ConvState, invoiceIntoDraft, readState } from '../conversation/state';
import type { Database, Tx } from '../db/client';
import { setRequestStatus } from '../db/requests-repo';
import { conversations, endpoints, requestItems, requestPhotos, requests } from '../db/schema';
import { canTransition, DECISION_TARGET, type Decision, type RequestStatus } from '../domain/request-status';
import { customerDecisionText } from './console/decision-text';
import { ClientError } from './errors';

/**
 * A staff review decision (CONTRACT §4): checks the transition in the domain, writes the
 * event, tells the customer on the request's channel, and for `return` reopens the
 * conversation so the bot collects the correction and resubmits the same protocol.
 * Returns the outbox ids to deliver after commit.
 */
export async function decide(
  db: Database,
  protocol: string,
  decision: Decision,
  message: string | undefined,
  by: string,
): Promise<{ status: RequestStatus; outboxIds: number[] }> {
  const text = message?.trim() ?? '';
  if (decision !== 'accept' && !text) throw new ClientError(400, `"message" is required for ${decision}`);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const [req] = await tx.select().from(requests).where(eq(requests.protocol, protocol.toUpperCase())).for('update');
    if (!req) throw new ClientError(404, `request ${protocol} not found`);
    const from = req.status as RequestStatus;
    const to = DECISION_TARGET[decision];
    if (!canTransition(from, to)) throw new ClientError(409, `cannot ${decision} a request that is ${from}`);
    await setRequestStatus(
      tx,
      req.id,
      from,
      to,
      by,
      text || null,
      decision === 'return' ? { returnMessage: text } : {},
    );

    // The same composition the console previews before the reviewer confirms.
    const customerText = customerDecisionText(decision, req.protocol, text, req.orderNumber);

    if (decision === 'return' && req.conversationId) await reopenForCorrection(tx, req, text);
    const outboxIds = await notifyCustomer(tx, req, by, customerText);
    return { status: to, outboxIds };
  });
}

/** Put the request back into the customer's conversation as a draft being corrected. */
async function reopenForCorrection(tx: Tx, req: typeof requests.$inferSelect, message: string) {
  const [conv] = await tx.select().from(conversations).where(eq(conversations.id, req.conversationId!)).for('update');
  if (!conv) return;
  const items = await tx.select().from(requestItems).where(eq(requestItems.requestId, req.id));
  const photos = await tx.select().from(requestPhotos).where(eq(requestPhotos.requestId, req.id));
  const prev = readState(conv.state);
  const port = dbPort(tx, {
    channel: req.channel,
    address: req.contact,
    conversationId: conv.id,
    today: '',
    defaultWarrantyMonths: 0,
    assistanceDeadlineDays: 0,
  });
  const invoice = req.invoiceId ? await port.invoiceOfCustomer(req.customerId, req.invoiceNumber) : null;
  const state: ConvState = {
    ...prev,
    phase: 'intake' as const,
    intent: 'assistencia' as const,
    customerId: req.customerId,
    expecting: undefined,
    options: undefined,
    returned: { requestId: req.id, protocol: req.protocol, message },
    // Another request the customer was in the middle of opening is kept and resumed after this one.
    stash:
      (prev.phase === 'intake' || prev.phase === 'confirming') && prev.draft && !prev.returned
        ? { draft: prev.draft }
        : prev.stash,
    draft: {
      invoiceNumber: req.invoiceNumber,
      invoiceMisses: 0,
      invoiceNotFound: req.invoiceNotFound,
      pendingRefs: [],
      unmatchedRefs: [],
      items: items.map((i) => ({
        productId: i.productId ?? undefined,
        code: i.productCode,
        mask: i.mask,
        description: i.description,
        quantity: i.quantity,
        quantityStated: true,
        weightKg: i.weightKg,
        warrantyUntil: i.warrantyUntil,
      })),
      reason: { category: req.reasonCategory as 'industria', description: req.reasonDescription },
      photos: photos.map((p) => p.sha256),
      previousPhotos: photos.length,
      warned: ['warranty', 'reason:cliente'],
    },
  };
  if (invoice && state.draft) invoiceIntoDraft(state.draft, invoice);
  // The invoice (with its items) is re-read by the engine when the customer answers.
  await tx.update(conversations).set({ state, updatedAt: new Date() }).where(eq(conversations.id, conv.id));
  await tx.update(endpoints).set({ currentConversationId: conv.id }).where(eq(endpoints.id, conv.endpointId));
}

/**
 * Tell the customer on the channel and address the request came from (the conversation's endpoint:
 * a Telegram user is `telegram:<id>` even when the request shows the shared phone as contact).
 */
export async function notifyCustomer(tx: Tx, req: typeof requests.$inferSelect, by: string, text: string) {
  const [conv] = req.conversationId
    ? await tx
        .select({ channel: conversations.channel, address: conversations.address })
        .from(conversations)
        .where(eq(conversations.id, req.conversationId))
    : [];
  return writeOutbound(tx, {
    conversationId: req.conversationId,
    channel: conv?.channel ?? (req.channel === 'sac' ? 'web' : req.channel),
    address: conv?.address ?? req.contact,
    author: by,
    replies: [{ text }],
  });
}
