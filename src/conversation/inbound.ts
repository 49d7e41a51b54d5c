import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Tx } from '../db/client';
import { conversations, endpoints, media, messages, outbox } from '../db/schema';
import { inspectImage, type MediaStore } from '../media';
import { dbPort } from './db-port';
import { KeyedMutex } from './keyed-mutex';
import { readState } from './state';
import { type Reply, step, type Understand } from './step';

export type ChannelName = 'web' | 'whatsapp' | 'telegram' | 'email';

/** One inbound message, as every channel adapter translates it. */
export interface Inbound {
  channel: ChannelName;
  /** Normalised address: E.164 phone, lower-case e-mail or `telegram:<id>` / `whatsapp:<id>`. */
  address: string;
  /** The channel's id of this message: a redelivery with the same id is processed once. */
  externalId: string;
  text: string;
  displayName?: string;
  attachments: { bytes: Buffer; filename?: string; contentType?: string }[];
  /** Attachments the adapter already refused (too large to download, unreadable). */
  refused?: { tooLarge: number; notImage: number };
}

export interface HandleResult {
  conversationId: string;
  replies: Reply[];
  duplicate: boolean;
}

export interface EngineOptions {
  today: () => string;
  defaultWarrantyMonths: number;
  assistanceDeadlineDays: number;
  maxAttachmentBytes: number;
  maxImagePixels: number;
  /** Longest text understood; the rest is stored but not analysed. */
  maxTextChars: number;
}

/** Called after commit with the ids of outbox rows to deliver (channels other than web). */
export type OnOutbox = (ids: number[]) => void;

/**
 * The path of one message: store it (dedup by channel + address + external id), serialise per
 * address (row lock on the endpoint), run the flow, save state + replies + outbox in one
 * transaction, hand the outbox to delivery after commit.
 */
export class ConversationEngine {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly db: Database,
    private readonly store: MediaStore,
    private readonly understand: Understand,
    private readonly opts: EngineOptions,
    private readonly log: Logger,
    private readonly onOutbox: OnOutbox = () => {},
  ) {}

  async handle(msg: Inbound): Promise<HandleResult> {
    const key = `${msg.channel}\u0000${msg.address}`;
    // In-process order per address; the endpoint row lock does the same across processes.
    return this.mutex.run(key, async () => {
      const earlier = await this.previousResult(msg);
      if (earlier) return earlier;
      const photos = await this.storePhotos(msg);
      const result = await this.db.transaction((tx) => this.process(tx as Tx, msg, photos));
      if (result.outboxIds.length) this.onOutbox(result.outboxIds);
      return { conversationId: result.conversationId, replies: result.replies, duplicate: result.duplicate };
    });
  }

  /** A message already processed: the same replies again, nothing new. */
  private async previousResult(msg: Inbound): Promise<HandleResult | null> {
    const [prev] = await this.db
      .select({ id: messages.id, conversationId: messages.conversationId, processedAt: messages.processedAt })
      .from(messages)
      .where(
        and(
          eq(messages.channel, msg.channel),
          eq(messages.address, msg.address),
          eq(messages.externalId, msg.externalId),
        ),
      );
    if (!prev?.processedAt) return null;
    return {
      conversationId: prev.conversationId ?? '',
      replies: await this.repliesTo(this.db, prev.id),
      duplicate: true,
    };
  }

  private async repliesTo(db: Database | Tx, inboundId: number): Promise<Reply[]> {
    const rows = await db
      .select({ text: messages.text, options: messages.options })
      .from(messages)
      .where(eq(messages.replyToId, inboundId))
      .orderBy(asc(messages.id));
    return rows.map((r) => (r.options?.length ? { text: r.text, options: r.options } : { text: r.text }));
  }

  private async storePhotos(msg: Inbound) {
    const accepted: {
      sha256: string;
      contentType: string;
      filename?: string;
      width: number;
      height: number;
      size: number;
      originalPath: string;
      thumbPath: string;
    }[] = [];
    let notImage = msg.refused?.notImage ?? 0;
    let tooLarge = msg.refused?.tooLarge ?? 0;
    for (const a of msg.attachments.slice(0, 10)) {
      const check = await inspectImage(a.bytes, {
        maxBytes: this.opts.maxAttachmentBytes,
        maxPixels: this.opts.maxImagePixels,
      });
      if (!check.ok) {
        if (check.reason === 'too_large' || check.reason === 'too_many_pixels') tooLarge++;
        else notImage++;
        this.log.info({ channel: msg.channel, reason: check.reason, filename: a.filename }, 'attachment refused');
        continue;
      }
      const stored = await this.store.put(a.bytes, check);
      if (!accepted.some((p) => p.sha256 === stored.sha256)) {
        accepted.push({
          sha256: stored.sha256,
          contentType: stored.contentType,
          filename: a.filename,
          width: stored.width,
          height: stored.height,
          size: stored.sizeBytes,
          originalPath: stored.originalPath,
          thumbPath: stored.thumbPath,
        });
      }
    }
    return { accepted, notImage, tooLarge };
  }

  private async process(tx: Tx, msg: Inbound, photos: Awaited<ReturnType<ConversationEngine['storePhotos']>>) {
    await tx
      .insert(endpoints)
      .values({ channel: msg.channel, address: msg.address, displayName: msg.displayName })
      .onConflictDoNothing();
    const [endpoint] = await tx
      .select()
      .from(endpoints)
      .where(and(eq(endpoints.channel, msg.channel), eq(endpoints.address, msg.address)))
      .for('update');
    if (!endpoint) throw new Error('endpoint vanished');

    const text = msg.text.slice(0, 100_000);
    const inserted = await tx
      .insert(messages)
      .values({
        channel: msg.channel,
        address: msg.address,
        direction: 'in',
        externalId: msg.externalId,
        text,
        attachments: photos.accepted.map((p) => ({
          sha256: p.sha256,
          contentType: p.contentType,
          filename: p.filename,
        })),
      })
      .onConflictDoNothing()
      .returning({ id: messages.id });
    if (inserted.length === 0) {
      // Redelivered while we waited for the lock: the first delivery's replies stand.
      const [prev] = await tx
        .select({ id: messages.id, conversationId: messages.conversationId })
        .from(messages)
        .where(
          and(
            eq(messages.channel, msg.channel),
            eq(messages.address, msg.address),
            eq(messages.externalId, msg.externalId),
          ),
        );
      return {
        conversationId: prev?.conversationId ?? '',
        replies: prev ? await this.repliesTo(tx, prev.id) : [],
        duplicate: true,
        outboxIds: [],
      };
    }
    const inboundId = inserted[0]!.id;

    for (const p of photos.accepted) {
      await tx
        .insert(media)
        .values({
          sha256: p.sha256,
          contentType: p.contentType,
          sizeBytes: p.size,
          width: p.width,
          height: p.height,
          originalPath: p.originalPath,
          thumbPath: p.thumbPath,
        })
        .onConflictDoNothing();
    }

    let conversationId = endpoint.currentConversationId;
    let rawState: unknown = null;
    if (conversationId) {
      const [conv] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
      rawState = conv?.state ?? null;
      if (!conv) conversationId = null;
    }
    if (!conversationId) {
      conversationId = randomUUID();
      await tx.insert(conversations).values({
        id: conversationId,
        channel: msg.channel,
        address: msg.address,
        endpointId: endpoint.id,
        state: readState(null),
      });
      await tx
        .update(endpoints)
        .set({ currentConversationId: conversationId, updatedAt: new Date() })
        .where(eq(endpoints.id, endpoint.id));
    }

    const port = dbPort(tx, {
      channel: msg.channel,
      address: msg.address,
      conversationId,
      today: this.opts.today(),
      defaultWarrantyMonths: this.opts.defaultWarrantyMonths,
      assistanceDeadlineDays: this.opts.assistanceDeadlineDays,
    });
    const state = readState(rawState);
    const analysed = text.slice(0, this.opts.maxTextChars);
    const result = await step(
      state,
      {
        text: analysed,
        photos: photos.accepted.map((p) => p.sha256),
        refusedAttachments: photos.notImage,
        tooLargeAttachments: photos.tooLarge,
        droppedAttachments: Math.max(0, msg.attachments.length - 10),
        displayName: msg.displayName ?? endpoint.displayName ?? undefined,
      },
      port,
      this.understand,
    );

    await tx
      .update(conversations)
      .set({ state: result.state, customerId: result.state.customerId ?? null, updatedAt: new Date() })
      .where(eq(conversations.id, conversationId));
    await tx.update(messages).set({ conversationId, processedAt: new Date() }).where(eq(messages.id, inboundId));
    const outboxIds = await writeOutbound(tx, {
      conversationId,
      channel: msg.channel,
      address: msg.address,
      replyToId: inboundId,
      author: 'bot',
      replies: result.replies,
    });
    return { conversationId, replies: result.replies, duplicate: false, outboxIds };
  }
}

/**
 * Store outbound messages and their outbox rows (same transaction as the state change).
 * The web chat is delivered by storing (the widget reads them), so its rows are sent at once.
 * Returns the outbox ids that still need a channel send.
 */
export async function writeOutbound(
  tx: Tx | Database,
  o: {
    conversationId: string | null;
    channel: string;
    address: string;
    replyToId?: number;
    author: string;
    replies: Reply[];
  },
): Promise<number[]> {
  const ids: number[] = [];
  for (const r of o.replies) {
    const [m] = await tx
      .insert(messages)
      .values({
        conversationId: o.conversationId,
        channel: o.channel,
        address: o.address,
        direction: 'out',
        text: r.text,
        options: r.options ?? null,
        replyToId: o.replyToId,
        author: o.author,
        processedAt: new Date(),
      })
      .returning({ id: messages.id });
    const web = o.channel === 'web';
    const [row] = await tx
      .insert(outbox)
      .values({
        messageId: m!.id,
        channel: o.channel,
        address: o.address,
        status: web ? 'sent' : 'pending',
        sentAt: web ? new Date() : null,
      })
      .returning({ id: outbox.id });
    if (!web) ids.push(row!.id);
  }
  return ids;
}
