import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/client';
import { conversations, endpoints, messages, requestItems, requests } from '../db/schema';
import type { LlmAssistant, LlmCallRecord } from '../understanding/llm/llm-assistant';
import type { SlotChoices } from '../understanding/llm/merge-candidates';
import type { Extraction } from '../understanding/llm/model-output';
import { understandRules } from '../understanding/rules';
import type { ExpectedSlot, UnderstandingContext } from '../understanding/signals';
import { dbPort } from './db-port';
import { type Inbound, inboxMessage } from './inbound';
import { readState } from './state';

/** The model's candidates for one message, asked before its transaction. */
export interface PreUnderstood {
  extraction?: Extraction;
  record: LlmCallRecord;
}

/** What the engine tells after the message's transaction committed. */
export interface Understood {
  conversationId: string;
  messageId?: number;
  choices?: SlotChoices;
  duplicate: boolean;
}

/** `requests.llm_summary`: for reviewers, marked as a suggestion on the request page. */
export const llmSummarySchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    summary: z.string(),
    reasonCategory: z.enum(['industria', 'transporte', 'cliente']).nullable(),
    grounds: z.array(z.string()),
    model: z.string(),
    promptVersion: z.string(),
    at: z.string(),
  }),
  z.object({ status: z.literal('failed'), outcome: z.string(), at: z.string() }),
]);
export type LlmSummary = z.infer<typeof llmSummarySchema>;

/**
 * The engine's side of the model: reads the conversation's current state (outside the message's
 * transaction, which must stay short: PGlite is one connection), asks the model, and after commit
 * records the call with the per-slot choices and writes reviewer summaries of new requests.
 * Nothing here can fail a message: every error ends in "rules only".
 */
export class LlmAssist {
  private readonly background = new Set<Promise<void>>();
  private readonly summarising = new Set<number>();

  constructor(
    private readonly db: Database,
    readonly assistant: LlmAssistant,
    private readonly opts: { maxTextChars: number },
    private readonly log: Logger,
  ) {}

  /** Ask the model about this message, given the conversation as it stands. Undefined when there is nothing to ask. */
  async before(msg: Inbound): Promise<PreUnderstood | undefined> {
    const text = msg.text.slice(0, this.opts.maxTextChars);
    // Only digits, an emoji, a photo: the rules read those exactly; no call, no cost.
    if (!/\p{L}{2,}/u.test(text)) return undefined;
    try {
      // A duplicate delivery is answered from the inbox without being processed again: no call either.
      if (await inboxMessage(this.db, msg)) return undefined;
      const { phase, ctx } = await this.currentContext(msg, text);
      return await this.assistant.extract(text, { phase, ctx });
    } catch (err) {
      this.log.error({ err, channel: msg.channel }, 'llm pre-understanding failed: rules only');
      return undefined;
    }
  }

  /** After commit: record the call (with what the turn kept) and summarise requests opened by it. */
  async after(pre: PreUnderstood, done: Understood): Promise<void> {
    await this.assistant.record({
      ...pre.record,
      conversationId: done.conversationId || null,
      messageId: done.messageId ?? null,
      ...(done.choices ? { choices: done.choices } : {}),
    });
    if (!done.duplicate && done.conversationId) this.track(this.summariseNew(done.conversationId));
  }

  /** Resolves when background summaries are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  private track(p: Promise<void>) {
    const t = p.catch((err) => this.log.error({ err }, 'llm summary failed')).finally(() => this.background.delete(t));
    this.background.add(t);
  }

  private async currentContext(msg: Inbound, text: string): Promise<{ phase: string; ctx: UnderstandingContext }> {
    let conversationId: string | null | undefined;
    if (msg.thread) conversationId = msg.thread.conversationId;
    else {
      const [ep] = await this.db
        .select({ id: endpoints.currentConversationId })
        .from(endpoints)
        .where(and(eq(endpoints.channel, msg.channel), eq(endpoints.address, msg.address)));
      conversationId = ep?.id;
    }
    let raw: unknown = null;
    if (conversationId) {
      const [c] = await this.db
        .select({ state: conversations.state })
        .from(conversations)
        .where(eq(conversations.id, conversationId));
      raw = c?.state ?? null;
    }
    const s = readState(raw);
    const ctx: UnderstandingContext = {
      expecting: s.expecting as ExpectedSlot | undefined,
      options: s.options,
      invoiceItems: s.draft?.invoiceItems?.map((i) => ({
        code: i.code,
        description: i.description,
        mask: i.mask,
        quantity: i.quantity,
      })),
    };
    // "NF 245110, a porta de cima empenou": give the model that invoice's items, so it can map the words.
    // Only invoices of the customer this conversation (or this known contact) belongs to.
    const nf = ctx.invoiceItems?.length ? undefined : understandRules(text, ctx).invoiceNumbers.at(-1);
    if (nf) {
      // The engine's own lookups, read-only here (the message's transaction has not started).
      const port = dbPort(this.db, {
        channel: msg.channel,
        address: msg.address,
        conversationId: conversationId ?? '',
        today: '',
        defaultWarrantyMonths: 0,
        assistanceDeadlineDays: 0,
      });
      const customerId = s.customerId ?? (await port.customerByAddress())?.id;
      const inv = customerId === undefined ? null : await port.invoiceOfCustomer(customerId, nf);
      if (inv?.items.length)
        ctx.invoiceItems = inv.items.map(({ code, description, mask, quantity }) => ({
          code,
          description,
          mask,
          quantity,
        }));
    }
    return { phase: s.phase, ctx };
  }

  private async summariseNew(conversationId: string): Promise<void> {
    const fresh = await this.db
      .select({ id: requests.id, protocol: requests.protocol, reasonCategory: requests.reasonCategory })
      .from(requests)
      .where(and(eq(requests.conversationId, conversationId), isNull(requests.llmSummary)));
    for (const r of fresh) {
      if (this.summarising.has(r.id)) continue;
      this.summarising.add(r.id);
      try {
        await this.summarise(r, conversationId);
      } finally {
        this.summarising.delete(r.id);
      }
    }
  }

  private async summarise(r: { id: number; protocol: string; reasonCategory: string }, conversationId: string) {
    const items = await this.db
      .select({
        code: requestItems.productCode,
        description: requestItems.description,
        mask: requestItems.mask,
        quantity: requestItems.quantity,
      })
      .from(requestItems)
      .where(eq(requestItems.requestId, r.id))
      .orderBy(asc(requestItems.id));
    // Only the customer's own words (not the bot's, which carry names): newest 30, shown oldest first.
    const said = await this.db
      .select({ text: messages.text })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in')))
      .orderBy(desc(messages.id))
      .limit(30);
    const customerMessages = said
      .map((m) => m.text.trim())
      .filter(Boolean)
      .reverse();
    const res = await this.assistant.summarise({
      protocol: r.protocol,
      reasonCategory: r.reasonCategory,
      items,
      customerMessages,
    });
    await this.assistant.record({ ...res.record, conversationId, requestId: r.id });
    const at = new Date().toISOString();
    const value: LlmSummary = res.summary
      ? {
          status: 'ok',
          summary: res.summary.summary,
          reasonCategory: res.summary.reason_category,
          grounds: res.summary.grounds,
          model: res.record.model,
          promptVersion: res.record.promptVersion,
          at,
        }
      : { status: 'failed', outcome: res.record.outcome, at };
    // Budget or an open circuit is not the model's failure: leave it empty to try on the next message.
    if (res.record.outcome === 'budget' || res.record.outcome === 'circuit_open') return;
    await this.db
      .update(requests)
      .set({ llmSummary: value })
      .where(and(eq(requests.id, r.id), isNull(requests.llmSummary)));
  }
}
