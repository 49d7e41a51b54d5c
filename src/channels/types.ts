import type { HandleResult, Inbound } from '../conversation/inbound';

export type { ChannelName, HandleResult, Inbound, InboundThread } from '../conversation/inbound';

/**
 * One outbound message to deliver, as the delivery job hands it to a channel. Adapters only
 * translate it to their network (rule 1): no business decisions here.
 */
export interface OutboundMessage {
  /** The outbox row; also the idempotency key for channels that accept one. */
  outboxId: number;
  /** Endpoint address: `telegram:<chat id>`, `whatsapp:<id>`, E.164 phone, or e-mail address. */
  address: string;
  text: string;
  /** Choices; channels without buttons render them as a numbered list. */
  options?: string[];
  /** Offer the channel's "share my phone number" button (Telegram) to identify an unknown contact. */
  askContact?: boolean;
  conversationId: string | null;
  /** E-mail threading: what the adapter needs to answer in the customer's thread. */
  thread?: EmailThread;
}

export interface EmailThread {
  /** Subject to use (already with `[AT-000123]` when a request exists). */
  subject: string;
  /** Message-ID of the customer's mail being answered. */
  inReplyTo?: string;
  /** The thread's Message-IDs, oldest first. */
  references: string[];
}

export interface SendResult {
  /** The channel's id of the sent message (e-mail Message-ID, Telegram message_id), for threading. */
  externalId?: string;
}

/** Receives translated inbound messages: the conversation engine's `handle`. */
export type InboundSink = (msg: Inbound) => Promise<HandleResult>;

export interface ChannelStatus {
  state: 'up' | 'starting' | 'down' | 'pairing' | 'disabled';
  detail?: string;
  /** WhatsApp pairing QR (the string to render), while `pairing`. */
  qr?: string;
  since: string;
}

/**
 * A channel adapter: inbound translation (raw → `Inbound`, dropping own messages, groups,
 * status broadcasts and auto-replies) and outbound sending. Every network call has a timeout.
 */
export interface ChannelAdapter {
  readonly name: Exclude<Inbound['channel'], 'web'>;
  /** Start receiving; every inbound message goes to `sink` (which stores it before anything else). */
  start(sink: InboundSink): Promise<void>;
  /** Send one message. Throw `ChannelSendError` (permanent or not) on failure. */
  send(msg: OutboundMessage): Promise<SendResult>;
  /** Stop receiving and release connections. */
  stop(): Promise<void>;
  status(): ChannelStatus;
}

/** A failed send. `permanent` errors are not retried (blocked by the user, invalid address…). */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    public readonly permanent: boolean,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

/** Small durable state an adapter keeps (IMAP UIDVALIDITY + last UID, Telegram offset…). */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}
