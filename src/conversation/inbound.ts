import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type Database, type FinalStatement, finalStatement, type Tx, transaction } from '../db/client';
import { type Bound, bind, compiledFamily, run, runBound } from '../db/compiled';
import { conversations, endpoints, media, messages, outbox, requests } from '../db/schema';
import { normalizePhone } from '../domain/phone';
import { inspectImage, type MediaStore } from '../media';
import { dbPort } from './db-port';
import { KeyedMutex } from './keyed-mutex';
import type { LlmAssist, Understood } from './llm-assist';
import { readState } from './state';
import { type Reply, type StepInput, step, type Understand } from './step';

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
  refused?: {
    tooLarge: number;
    notImage: number /** Downloads that kept failing: ask to resend. */;
    unavailable?: number;
  };
  /**
   * E-mail threading. Present (even empty) for channels where a new message that is not a reply
   * starts a new conversation; absent for chat channels (one running conversation per address).
   */
  thread?: InboundThread;
  /** A phone number the channel verified as the sender's own (Telegram contact share), any usual format. */
  verifiedPhone?: string;
}

/** What a conversation remembers of its e-mail thread (conversations.channel_data). */
export interface ChannelData {
  subject?: string;
  /** Message-IDs of the thread (customer's and ours), oldest first. */
  messageIds?: string[];
  /** The customer's latest mail, answered with In-Reply-To. */
  lastInboundId?: string;
}

const channelDataSchema = z.object({
  subject: z.string().optional(),
  messageIds: z.array(z.string()).optional(),
  lastInboundId: z.string().optional(),
});

export function parseChannelData(raw: unknown): ChannelData {
  const r = channelDataSchema.safeParse(raw ?? {});
  return r.success ? r.data : {};
}

export interface InboundThread {
  /** Our conversation id, found in In-Reply-To/References of one of our own mails. */
  conversationId?: string;
  /** A protocol found in the subject (`[AT-000123]`). */
  protocol?: string;
  /** This mail's Message-ID (with angle brackets). */
  messageId?: string;
  subject?: string;
  /** The mail's References (and In-Reply-To), oldest first. */
  references?: string[];
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

/** A photo of the message, checked and written to the media store (before the transaction). */
interface StoredPhoto {
  sha256: string;
  contentType: string;
  filename?: string;
  width: number;
  height: number;
  size: number;
  originalPath: string;
  thumbPath: string;
}

/** What one message's transaction did. */
interface Processed extends Understood {
  replies: Reply[];
  /** Outbox rows to hand to channel delivery after commit. */
  outboxIds: number[];
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
    /** The model's help (src/conversation/llm-assist.ts); absent = rules only, at no cost. */
    private readonly llm?: LlmAssist,
  ) {}

  async handle(msg: Inbound): Promise<HandleResult> {
    const key = `${msg.channel}\u0000${msg.address}`;
    // In-process order per address; the endpoint row lock does the same across processes.
    return this.mutex.run(key, async () => {
      const photos = await this.storePhotos(msg);
      // The model is slow (seconds): asked before the transaction, never inside it (docs/decisions.md).
      const pre = this.llm ? await this.llm.before(msg) : undefined;
      const result = await transaction(this.db, (tx) => this.process(tx, msg, photos, pre?.extraction));
      if (result.outboxIds.length) this.onOutbox(result.outboxIds);
      if (pre) await this.llm?.after(pre, result);
      return { conversationId: result.conversationId, replies: result.replies, duplicate: result.duplicate };
    });
  }

  private async repliesTo(db: Database | Tx, inboundId: number): Promise<Reply[]> {
    const rows = await db
      .select({ text: messages.text, options: messages.options })
      .from(messages)
      .where(eq(messages.replyToId, inboundId))
      .orderBy(asc(messages.id));
    return rows.map((r) => (r.options?.length ? { text: r.text, options: r.options } : { text: r.text }));
  }

  /**
   * E-mail: a reply to one of our mails (or naming a protocol) continues that conversation; any other
   * mail starts a new one, even from the same address (store mailboxes are shared).
   */
  private async threadConversation(tx: Tx, msg: Inbound, thread: InboundThread): Promise<string | null> {
    if (thread.conversationId) {
      const [c] = await tx
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.id, thread.conversationId), eq(conversations.channel, msg.channel)));
      if (c) return c.id;
    }
    if (thread.protocol) {
      const [r] = await tx
        .select({ conversationId: requests.conversationId })
        .from(requests)
        .innerJoin(conversations, eq(conversations.id, requests.conversationId))
        .where(and(eq(requests.protocol, thread.protocol), eq(conversations.channel, msg.channel)));
      if (r?.conversationId) return r.conversationId;
    }
    return null;
  }

  private async storePhotos(msg: Inbound) {
    const accepted: StoredPhoto[] = [];
    let notImage = msg.refused?.notImage ?? 0;
    let tooLarge = msg.refused?.tooLarge ?? 0;
    const unavailable = msg.refused?.unavailable ?? 0;
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
    return { accepted, notImage, tooLarge, unavailable };
  }

  private async process(
    tx: Tx,
    msg: Inbound,
    photos: Awaited<ReturnType<ConversationEngine['storePhotos']>>,
    model?: StepInput['model'],
  ): Promise<Processed | FinalStatement<Processed>> {
    const text = msg.text.slice(0, 100_000);
    const attachments = photos.accepted.map((p) => ({
      sha256: p.sha256,
      contentType: p.contentType,
      filename: p.filename,
    }));
    // Lock the address, store the message (inbox), read the conversation: one statement.
    const locked = await lockAndStore(tx, msg, text, attachments, photos.accepted);
    if (locked.inboundId === null) {
      // A redelivery: the first delivery (committed before we got the lock) answered it already.
      const prev = await inboxMessage(tx, msg);
      return {
        conversationId: prev?.conversationId ?? '',
        replies: prev ? await this.repliesTo(tx, prev.id) : [],
        duplicate: true,
        outboxIds: [],
      };
    }
    const { endpointId, inboundId } = locked;
    const current = locked.currentConversationId;
    const chosen = msg.thread ? await this.threadConversation(tx, msg, msg.thread) : current;
    let conversationId: string | null = null;
    let rawState: unknown = null;
    let channelData: ChannelData = {};
    if (chosen && chosen === locked.conversation?.id) {
      conversationId = chosen;
      rawState = locked.conversation.state;
      channelData = parseChannelData(locked.conversation.channelData);
    } else if (chosen) {
      // Another conversation than the endpoint's (an e-mail thread), or one the lock statement could not see
      // (created by the message that held the lock before us): read it now, holding the lock.
      const [conv] = await tx
        .select({ state: conversations.state, channelData: conversations.channelData })
        .from(conversations)
        .where(eq(conversations.id, chosen));
      if (conv) {
        conversationId = chosen;
        rawState = conv.state;
        channelData = parseChannelData(conv.channelData);
      }
    }
    if (!conversationId) {
      conversationId = randomUUID();
      await tx.insert(conversations).values({
        id: conversationId,
        channel: msg.channel,
        address: msg.address,
        endpointId,
        state: readState(null),
      });
    }
    if (conversationId !== current) {
      await tx.update(endpoints).set({ currentConversationId: conversationId }).where(eq(endpoints.id, endpointId));
      // The inbox row was stored with the endpoint's conversation of the time.
      await tx.update(messages).set({ conversationId }).where(eq(messages.id, inboundId));
    }
    if (msg.thread) {
      // Remember the thread so answers and notifications reply in it (In-Reply-To / References).
      const ids = [...(channelData.messageIds ?? []), ...(msg.thread.messageId ? [msg.thread.messageId] : [])];
      const next: ChannelData = {
        subject: channelData.subject ?? msg.thread.subject,
        messageIds: [...new Set(ids)].slice(-30),
        lastInboundId: msg.thread.messageId ?? channelData.lastInboundId,
      };
      await tx.update(conversations).set({ channelData: next }).where(eq(conversations.id, conversationId));
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
        unavailableAttachments: photos.unavailable,
        droppedAttachments: Math.max(0, msg.attachments.length - 10),
        displayName: msg.displayName ?? locked.endpointName,
        verifiedPhone: msg.verifiedPhone ? (normalizePhone(msg.verifiedPhone) ?? undefined) : undefined,
        model,
      },
      port,
      this.understand,
    );

    // State, replies and outbox rows in one statement, the transaction's last: on PostgreSQL it is sent with COMMIT.
    const outbound: Outbound = {
      conversationId,
      channel: msg.channel,
      address: msg.address,
      replyToId: inboundId,
      author: 'bot',
      replies: result.replies,
      state: { value: result.state, customerId: result.state.customerId ?? null },
    };
    const processed: Omit<Processed, 'outboxIds'> = {
      conversationId,
      replies: result.replies,
      duplicate: false,
      messageId: inboundId,
      choices: result.choices,
    };
    // The state is always saved, so there is always a statement.
    return finalStatement(outboundStatement(outbound) as Bound, (rows) => ({
      ...processed,
      outboxIds: outboxIdsOf(outbound, rows),
    }));
  }
}

/** What {@link lockAndStore} found, holding the address's lock. */
interface Locked {
  endpointId: number;
  /** The endpoint's current conversation (committed by the previous message). */
  currentConversationId: string | null;
  /** Null when this message is a redelivery (already in the inbox). */
  inboundId: number | null;
  endpointName?: string;
  /** That conversation's latest row, when this statement could see it (see below). */
  conversation?: { id: string; state: unknown; channelData: unknown };
}

/**
 * One statement: upsert and lock the address's endpoint row (ON CONFLICT DO UPDATE takes the row lock, so
 * every message of this address waits here until the previous one committed), store the message in the inbox
 * (a redelivery conflicts and inserts nothing), its new media rows, and read the current conversation.
 *
 * The conversation is read `FOR UPDATE` on purpose: under READ COMMITTED the statement's snapshot was taken
 * before it waited for the endpoint lock, and a plain read would return the state as it was before the previous
 * message committed. A locking read re-fetches the newest committed version of a row it sees (PostgreSQL's
 * EvalPlanQual). A conversation created after the snapshot is not seen at all: the caller then reads it with a
 * new statement. All of this saves a round trip per message (round trips dominate the hot path).
 */
async function lockAndStore(
  tx: Tx,
  msg: Inbound,
  text: string,
  attachments: { sha256: string; contentType: string; filename?: string }[],
  photos: StoredPhoto[],
): Promise<Locked> {
  const values: Record<string, unknown> = {
    channel: msg.channel,
    address: msg.address,
    displayName: msg.displayName ?? null,
    externalId: msg.externalId,
    text,
    attachments: JSON.stringify(attachments),
  };
  photos.forEach((ph, i) => {
    Object.assign(values, {
      [`sha${i}`]: ph.sha256,
      [`type${i}`]: ph.contentType,
      [`size${i}`]: ph.size,
      [`width${i}`]: ph.width,
      [`height${i}`]: ph.height,
      [`original${i}`]: ph.originalPath,
      [`thumb${i}`]: ph.thumbPath,
    });
  });
  const row = (await run(tx, lockStatement(photos.length), values))[0];
  if (!row) throw new Error('endpoint upsert returned nothing');
  const inbound = row.inbound_id;
  return {
    endpointId: Number(row.endpoint_id),
    currentConversationId: typeof row.current_conversation_id === 'string' ? row.current_conversation_id : null,
    inboundId: inbound === null || inbound === undefined ? null : Number(inbound),
    endpointName: typeof row.display_name === 'string' ? row.display_name : undefined,
    conversation:
      typeof row.conversation_id === 'string'
        ? { id: row.conversation_id, state: row.state, channelData: row.channel_data }
        : undefined,
  };
}

/** The statement of {@link lockAndStore}, per number of new photos. */
const lockStatement = compiledFamily<number, Record<string, unknown>>((photoCount, p) => {
  const mediaRows = photoCount
    ? sql`, md as (
          insert into ${media} (sha256, content_type, size_bytes, width, height, original_path, thumb_path)
          values ${sql.join(
            Array.from(
              { length: photoCount },
              (_, i) =>
                sql`(${p[`sha${i}`]}, ${p[`type${i}`]}, ${p[`size${i}`]}, ${p[`width${i}`]}, ${p[`height${i}`]}, ${p[`original${i}`]}, ${p[`thumb${i}`]})`,
            ),
            sql`, `,
          )}
          on conflict (sha256) do nothing
        )`
    : sql``;
  return sql`
        with e as (
          insert into ${endpoints} (channel, address, display_name)
          values (${p.channel}, ${p.address}, ${p.displayName})
          on conflict (channel, address) do update
            set updated_at = now(), display_name = coalesce(excluded.display_name, ${endpoints}.display_name)
          returning id, current_conversation_id, display_name
        ), m as (
          insert into ${messages} (conversation_id, channel, address, direction, external_id, text, attachments, processed_at)
          select e.current_conversation_id, ${p.channel}, ${p.address}, 'in', ${p.externalId}, ${p.text},
                 ${p.attachments}::jsonb, now()
          from e
          on conflict (channel, address, external_id) do nothing
          returning id
        ), c as (
          select id, state, channel_data from ${conversations}
          where id = (select current_conversation_id from e)
          for update
        )${mediaRows}
        select e.id as endpoint_id, e.current_conversation_id, e.display_name, (select id from m) as inbound_id,
               c.id as conversation_id, c.state, c.channel_data
        from e left join c on true`;
});

interface Outbound {
  conversationId: string | null;
  channel: string;
  address: string;
  replyToId?: number;
  author: string;
  replies: Reply[];
  state?: { value: unknown; customerId: number | null };
}

/**
 * Store outbound messages and their outbox rows (same transaction as the state change), and the
 * conversation's new state when given — one statement, since round trips dominate the hot path.
 * The web chat is delivered by storing (the widget reads them), so its rows are sent at once.
 * Returns the outbox ids that still need a channel send.
 */
export async function writeOutbound(tx: Tx | Database, o: Outbound): Promise<number[]> {
  const statement = outboundStatement(o);
  return statement ? outboxIdsOf(o, await runBound(tx, statement)) : [];
}

/** The statement of {@link writeOutbound}, or nothing to do. */
function outboundStatement(o: Outbound): Bound | undefined {
  const saveState = Boolean(o.state && o.conversationId);
  if (!saveState && o.replies.length === 0) return undefined;
  const values: Record<string, unknown> = {
    conversationId: o.conversationId,
    channel: o.channel,
    address: o.address,
    replyToId: o.replyToId ?? null,
    author: o.author,
    state: o.state ? JSON.stringify(o.state.value) : null,
    customerId: o.state?.customerId ?? null,
  };
  o.replies.forEach((r, i) => {
    values[`text${i}`] = r.text;
    values[`options${i}`] = r.options?.length ? JSON.stringify(r.options) : null;
    values[`meta${i}`] = r.askContact ? JSON.stringify({ askContact: true }) : null;
  });
  return bind(outboundStatements(`${o.replies.length} ${saveState} ${o.channel === 'web'}`), values);
}

/** The statements of {@link outboundStatement}, per shape: "<replies> <save state> <web>". */
const outboundStatements = compiledFamily<string, Record<string, unknown>>((shape, p) => {
  const [count, saveStateFlag, webFlag] = shape.split(' ');
  const replies = Number(count);
  const web = webFlag === 'true';
  const saveState =
    saveStateFlag === 'true'
      ? sql`update ${conversations} set state = ${p.state}::jsonb,
              customer_id = ${p.customerId}::int, updated_at = now() where id = ${p.conversationId}`
      : undefined;
  if (replies === 0) return saveState ?? sql`select 1 where false`;
  const rows = Array.from(
    { length: replies },
    (_, i) =>
      sql`(${p.conversationId}, ${p.channel}, ${p.address}, 'out', ${p[`text${i}`]}, ${p[`options${i}`]}::jsonb,
           ${p.replyToId}::bigint, ${p.author}, now(), ${p[`meta${i}`]}::jsonb)`,
  );
  return sql`
    with ${saveState ? sql`s as (${saveState}), ` : sql``} m as (
      insert into ${messages} (conversation_id, channel, address, direction, text, options, reply_to_id, author, processed_at, meta)
      values ${sql.join(rows, sql`, `)}
      returning id
    )
    insert into ${outbox} (message_id, channel, address, status, sent_at)
    select id, ${p.channel}, ${p.address}, ${web ? 'sent' : 'pending'}, ${web ? sql`now()` : sql`null`} from m order by id
    returning id`;
});

/** Outbox ids still to send on the channel (the web chat's rows are delivered by being stored). */
function outboxIdsOf(o: Outbound, rows: Record<string, unknown>[]): number[] {
  return o.channel === 'web' || o.replies.length === 0 ? [] : rows.map((r) => Number(r.id));
}

/** The inbox row of this delivery (channel, address, external id), if it was stored already. */
export async function inboxMessage(
  db: Database | Tx,
  msg: Pick<Inbound, 'channel' | 'address' | 'externalId'>,
): Promise<{ id: number; conversationId: string | null } | undefined> {
  const [row] = await db
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .where(
      and(
        eq(messages.channel, msg.channel),
        eq(messages.address, msg.address),
        eq(messages.externalId, msg.externalId),
      ),
    )
    .limit(1);
  return row;
}
