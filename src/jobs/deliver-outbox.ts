import { and, asc, desc, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type ChannelAdapter, ChannelSendError, type EmailThread, type OutboundMessage } from '../channels/types';
import { parseChannelData } from '../conversation/inbound';
import { KeyedMutex } from '../conversation/keyed-mutex';
import type { Database } from '../db/client';
import { rowsOf } from '../db/client';
import { conversations, messages, outbox, requests } from '../db/schema';
import { KeyedRateLimiter } from './keyed-rate-limiter';
import { PermanentJobError, type Queue } from './queue';

const JOB = 'deliver-outbox';
const payloadSchema = z.object({ outboxId: z.number().int().positive() });

export interface DeliveryOptions {
  /** A claim older than this is taken over (the sender that claimed it crashed mid-send). */
  claimTimeoutMs: number;
  attempts: number;
  backoffMs: number;
  /** How often pending rows are swept back into the queue. */
  sweepEveryMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  claimTimeoutMs: 120_000,
  attempts: 10,
  backoffMs: 2000,
  sweepEveryMs: 30_000,
};

/** Per-channel pacing: Telegram ~1 msg/s per chat and ~30/s overall; the others are gentler. */
function limiterFor(channel: string): KeyedRateLimiter {
  switch (channel) {
    case 'telegram':
      return new KeyedRateLimiter({ perKey: { max: 1, durationMs: 1000 }, global: { max: 30, durationMs: 1000 } });
    case 'whatsapp':
      // The adapter adds a human-like gap per chat; this caps the whole number.
      return new KeyedRateLimiter({ perKey: { max: 20, durationMs: 60_000 }, global: { max: 60, durationMs: 60_000 } });
    default:
      return new KeyedRateLimiter({ perKey: { max: 5, durationMs: 1000 }, global: { max: 20, durationMs: 1000 } });
  }
}

/**
 * Delivers outbox rows through channel adapters: one job per row (job id `outbox-<id>`), a claim
 * on the row before sending, retries with backoff, failed rows kept and listed, a periodic
 * sweep for rows a crash left pending. At-least-once: a crash between the send and marking the
 * row sent repeats that one message after the claim times out (the duplicate window).
 */
export class OutboxDelivery {
  private readonly limiters = new Map<string, KeyedRateLimiter>();
  /** One chat's messages are sent one at a time, oldest first (in this process; claims guard across processes). */
  private readonly perChat = new KeyedMutex();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
    private readonly adapters: ReadonlyMap<string, ChannelAdapter>,
    private readonly log: Logger,
    private readonly opts: DeliveryOptions = DEFAULT_DELIVERY,
  ) {
    queue.handle(JOB, payloadSchema, ({ outboxId }) => this.deliver(outboxId), { concurrency: 4 });
    queue.onFailed(async (name, data, err) => {
      if (name !== JOB) return;
      const parsed = payloadSchema.safeParse(data);
      // Only a row whose attempts are used up: a permanent error was already recorded by `deliver`,
      // and a staff retry may have reset the row since this job failed (attempts back to 0).
      if (parsed.success) await this.markFailed(parsed.data.outboxId, err.message, this.opts.attempts);
    });
  }

  /**
   * Queue these rows for delivery (after the transaction that wrote them committed). `fresh` gives the job
   * its own id: a staff retry must not be swallowed by the dedup of the job that just failed (BullMQ may
   * still be moving it to the failed set).
   */
  async enqueue(ids: number[], fresh = false): Promise<void> {
    for (const outboxId of ids) {
      const jobId = fresh ? `outbox-${outboxId}-r${Date.now()}` : `outbox-${outboxId}`;
      try {
        await this.queue.add(
          JOB,
          { outboxId },
          { jobId, attempts: this.opts.attempts, backoffMs: this.opts.backoffMs },
        );
      } catch (err) {
        // The row stays pending: the sweep adds it again.
        this.log.warn({ err, outboxId }, 'could not enqueue delivery; the sweep will retry');
      }
    }
  }

  /** Re-enqueue pending rows not claimed by a live sender (at start and periodically). */
  async sweep(): Promise<number> {
    const stale = new Date(Date.now() - this.opts.claimTimeoutMs);
    const rows = await this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), or(isNull(outbox.claimedAt), lt(outbox.claimedAt, stale))))
      .orderBy(outbox.id)
      .limit(1000);
    await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }

  startSweeping(): void {
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((err) => this.log.error({ err }, 'outbox sweep failed'));
    }, this.opts.sweepEveryMs);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** A failed row back to pending, attempts reset, and queued again (staff "retry"). */
  async retry(outboxId: number): Promise<boolean> {
    const rows = await this.db
      .update(outbox)
      .set({ status: 'pending', attempts: 0, lastError: null, claimedAt: null })
      .where(and(eq(outbox.id, outboxId), eq(outbox.status, 'failed')))
      .returning({ id: outbox.id });
    if (rows.length) await this.enqueue([outboxId], true);
    return rows.length > 0;
  }

  /**
   * The job handler. Earlier pending messages to the same chat go first (a customer reads them in the order
   * they were written, also when one of them needed a retry): they are sent here, in order, before this one;
   * one that cannot be sent yet makes this job wait (retry) too. Idempotent: anything not pending is skipped.
   */
  async deliver(outboxId: number): Promise<void> {
    const [target] = await this.db
      .select({ channel: outbox.channel, address: outbox.address, status: outbox.status })
      .from(outbox)
      .where(eq(outbox.id, outboxId));
    if (target?.status !== 'pending') return;
    await this.perChat.run(`${target.channel}\u0000${target.address}`, async () => {
      for (;;) {
        const [next] = await this.db
          .select({ id: outbox.id })
          .from(outbox)
          .where(
            and(
              eq(outbox.channel, target.channel),
              eq(outbox.address, target.address),
              eq(outbox.status, 'pending'),
              lte(outbox.id, outboxId),
            ),
          )
          .orderBy(asc(outbox.id))
          .limit(1);
        if (!next) return;
        if (next.id === outboxId) {
          await this.sendOne(outboxId);
          return;
        }
        try {
          if (!(await this.sendOne(next.id))) {
            // Another process is sending it right now: this one waits for the next attempt.
            throw new Error(`an earlier message to this chat (outbox ${next.id}) is being sent`);
          }
        } catch (err) {
          // Listed as failed (staff decide): it no longer holds the chat.
          if (!(err instanceof PermanentJobError)) throw err;
        }
      }
    });
  }

  /** Claim, send, record one row; false when it could not be claimed (sent, failed, or claimed elsewhere). */
  private async sendOne(outboxId: number): Promise<boolean> {
    const stale = new Date(Date.now() - this.opts.claimTimeoutMs);
    const claimed = await this.db
      .update(outbox)
      .set({ claimedAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
      .where(
        and(
          eq(outbox.id, outboxId),
          eq(outbox.status, 'pending'),
          or(isNull(outbox.claimedAt), lt(outbox.claimedAt, stale)),
        ),
      )
      .returning();
    const row = claimed[0];
    if (!row) return false; // sent, failed, or being sent by another worker
    const adapter = this.adapters.get(row.channel);
    if (!adapter) {
      await this.markFailed(outboxId, `channel ${row.channel} is not configured`);
      throw new PermanentJobError(`channel ${row.channel} is not configured`);
    }
    let out: OutboundMessage;
    try {
      out = await this.outboundFor(row);
    } catch (err) {
      if (err instanceof PermanentJobError) await this.markFailed(outboxId, err.message);
      throw err;
    }
    let limiter = this.limiters.get(row.channel);
    if (!limiter) {
      limiter = limiterFor(row.channel);
      this.limiters.set(row.channel, limiter);
    }
    await limiter.acquire(row.address);
    try {
      const res = await adapter.send(out);
      await this.db
        .update(outbox)
        .set({ status: 'sent', sentAt: new Date(), externalId: res.externalId ?? null, lastError: null })
        .where(eq(outbox.id, outboxId));
      if (row.channel === 'email' && res.externalId && out.conversationId) {
        await this.rememberSentMail(out.conversationId, res.externalId);
      }
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ChannelSendError && err.permanent) {
        await this.markFailed(outboxId, message);
        throw new PermanentJobError(message);
      }
      // Release the claim so the retry (or the sweep) can take it at once.
      await this.db.update(outbox).set({ claimedAt: null, lastError: message }).where(eq(outbox.id, outboxId));
      this.log.warn({ outboxId, channel: row.channel, attempt: row.attempts, err: message }, 'send failed; will retry');
      throw err;
    }
  }

  /** Pending → failed (listed for retry); with `minAttempts`, only a row that used that many attempts. */
  private async markFailed(outboxId: number, reason: string, minAttempts = 0) {
    const rows = await this.db
      .update(outbox)
      .set({ status: 'failed', lastError: reason.slice(0, 1000), claimedAt: null })
      .where(and(eq(outbox.id, outboxId), eq(outbox.status, 'pending'), gte(outbox.attempts, minAttempts)))
      .returning({ id: outbox.id });
    if (rows.length) this.log.error({ outboxId, reason }, 'outbound message failed; listed for retry');
  }

  private async outboundFor(row: typeof outbox.$inferSelect): Promise<OutboundMessage> {
    const [m] = await this.db.select().from(messages).where(eq(messages.id, row.messageId));
    if (!m) throw new PermanentJobError(`message ${row.messageId} of outbox ${row.id} is missing`);
    const out: OutboundMessage = {
      outboxId: row.id,
      address: row.address,
      text: m.text,
      options: m.options ?? undefined,
      askContact: m.meta?.askContact === true,
      conversationId: m.conversationId,
    };
    if (row.channel === 'email' && m.conversationId) out.thread = await this.emailThread(m.conversationId);
    return out;
  }

  /** Subject with the protocol once a request exists; In-Reply-To the customer's last mail. */
  private async emailThread(conversationId: string): Promise<EmailThread> {
    const [conv] = await this.db
      .select({ channelData: conversations.channelData })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    const data = parseChannelData(conv?.channelData);
    const [req] = await this.db
      .select({ protocol: requests.protocol })
      .from(requests)
      .where(eq(requests.conversationId, conversationId))
      .orderBy(desc(requests.id))
      .limit(1);
    const base = data.subject?.trim() || 'Assistência Técnica';
    const subject = req ? (base.includes(req.protocol) ? base : `[${req.protocol}] ${base}`) : base;
    return { subject, inReplyTo: data.lastInboundId, references: data.messageIds ?? [] };
  }

  private async rememberSentMail(conversationId: string, messageId: string) {
    // Appended atomically so a concurrent inbound mail is not lost from the thread.
    const res = await this.db.execute(sql`
      update ${conversations}
      set channel_data = jsonb_set(coalesce(channel_data, '{}'::jsonb), '{messageIds}',
        coalesce(channel_data->'messageIds', '[]'::jsonb) || to_jsonb(${messageId}::text))
      where id = ${conversationId} returning id`);
    if (rowsOf(res).length === 0)
      this.log.warn({ conversationId }, 'conversation vanished while recording a sent mail');
  }
}
