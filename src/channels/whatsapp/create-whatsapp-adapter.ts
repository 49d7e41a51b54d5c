import type { Logger } from 'pino';
import qrcodeTerminal from 'qrcode-terminal';
import { z } from 'zod';
import { phoneMatchKeys } from '../../domain/phone';
import {
  type ChannelAdapter,
  ChannelSendError,
  type ChannelStatus,
  type InboundSink,
  type OutboundMessage,
  type SendResult,
} from '../types';
import { RecentIds } from './recent-ids';
import { renderWhatsappText } from './render-whatsapp-text';
import { TimerRegistry } from './timer-registry';
import {
  type ParsedWhatsappMessage,
  parseWhatsappMessage,
  skipReason,
  translateWhatsappMessage,
} from './translate-whatsapp-message';
import { chatIdFromAddress } from './whatsapp-address';
import type { WhatsappClientEvent, WhatsappClientLike } from './whatsapp-client-like';

/** Options of {@link createWhatsappAdapter}. */
export interface WhatsappAdapterOptions {
  /**
   * Makes a new client. Called at start and again for every reconnection (after the previous client was
   * destroyed): `createRealWhatsappClient` in production, a stand-in in tests (which may return the same
   * object every time: the adapter detaches its listeners from a client it gives up).
   */
  createClient: () => WhatsappClientLike;
  log: Logger;
  /** Largest attachment downloaded and handed over, in bytes (checked before decoding). */
  maxAttachmentBytes: number;
  /** Retries of a failed media download (default 3, i.e. 4 attempts), with a doubling backoff. */
  downloadRetries?: number;
  /** Random gap between two messages to the same chat (default 1000–2500 ms): people do not type instantly. */
  sendGapMs?: { min: number; max: number };
  /** Backoff between reconnection attempts: `baseMs` doubling up to `maxMs` (default 5 s → 5 min), forever. */
  reconnect?: { baseMs: number; maxMs: number };
  /** First retry delay of downloads and of handing a message to the engine (default 1000 ms, doubling). */
  retryBaseMs?: number;
  /** How often a connected client is asked `getState()` to notice a dead browser (default 60 s; 0 = never). */
  healthCheckMs?: number;
  /** Timeouts of library calls (defaults: download 60 s, lookup 15 s, send 30 s, destroy 15 s, drain at stop 10 s). */
  timeoutsMs?: Partial<{ download: number; lookup: number; send: number; destroy: number; drain: number }>;
  /** Shows a new pairing QR to whoever watches the terminal (default: a small qrcode-terminal drawing on stdout). */
  printQr?: (qr: string) => void;
  /** Source of randomness for the send gap (default `Math.random`). */
  random?: () => number;
  /** After connecting, unread messages of the last this many hours are taken (default 24; 0 = none). */
  catchUpHours?: number;
}

/** A chat worth catching up on (the library's `Chat`; its `fetchMessages` is called on the object itself). */
const unreadChatSchema = z.object({
  unreadCount: z.number().int(),
  isGroup: z.boolean().optional(),
  fetchMessages: z.custom<(o: { limit: number }) => Promise<unknown>>((v) => typeof v === 'function'),
});
/** A message's time, seconds since the epoch. */
const timestampSchema = z.object({ timestamp: z.number() });
const CATCH_UP_MAX_CHATS = 200;
const CATCH_UP_MAX_PER_CHAT = 20;

/** The WhatsApp channel adapter: a `ChannelAdapter` that can also show its pairing QR. */
export interface WhatsappAdapter extends ChannelAdapter {
  readonly name: 'whatsapp';
  /** The latest pairing QR as text while pairing (render it with `qrDataUrl`), else undefined. */
  qr(): string | undefined;
}

/** Attempts at handing one message to the engine before giving up on it (logged with its id). */
const SINK_ATTEMPTS = 3;

/** Connection states after which WhatsApp Web cannot send or receive until something changes. */
const NOT_CONNECTED_STATES = new Set([
  'CONFLICT',
  'UNPAIRED',
  'UNPAIRED_IDLE',
  'TOS_BLOCK',
  'SMB_TOS_BLOCK',
  'PROXYBLOCK',
  'DEPRECATED_VERSION',
  'UNLAUNCHED',
]);

/** Consecutive failed health checks that count as a dead client. */
const HEALTH_FAILURES = 2;

const sentSchema = z.object({ id: z.object({ _serialized: z.string().min(1) }) });
const numberIdSchema = z.object({ _serialized: z.string().min(1) });

/**
 * The WhatsApp channel over whatsapp-web.js (WhatsApp Web in headless Chromium, paired by QR).
 *
 * Lifecycle: `qr` → status `pairing` (QR in the status and on the terminal); `ready` → `up`;
 * `auth_failure`, `disconnected`, a rejected `initialize()` (no network), a client that cannot be
 * created or a browser that stopped answering → `down`, the client is destroyed and a new one is
 * started after an exponential backoff (bounded by `reconnect.maxMs`, retried forever). Nothing the
 * library does can throw out of the adapter: the process never crashes because WhatsApp is away.
 *
 * Inbound: messages are translated (see `translateWhatsappMessage`) and handed to the sink strictly one
 * at a time in arrival order — a backlog delivered in a burst after a reconnection is not processed in
 * parallel — and a message id seen recently is not handed over twice. A sink failure is retried
 * ({@link SINK_ATTEMPTS} attempts), then logged with the message id.
 *
 * Outbound: options become a numbered list; sends to one chat keep their order and are spaced by a
 * random human-like gap; a phone address is checked with `getNumberId` (which also finds the id of a
 * Brazilian mobile registered without its extra 9).
 */
export function createWhatsappAdapter(opts: WhatsappAdapterOptions): WhatsappAdapter {
  return new WhatsappChannel(opts);
}

interface ChatTurn {
  /** Settles when the latest queued send to this chat finished: the next one waits for it. */
  tail: Promise<void>;
  lastSentAt?: number;
  pending: number;
}

class WhatsappChannel implements WhatsappAdapter {
  readonly name = 'whatsapp' as const;

  private readonly log: Logger;
  private readonly timers = new TimerRegistry();
  private readonly recent = new RecentIds(1000);
  private readonly lidPhones = new Map<string, string>();
  /** Phone digits → registered chat id (only positive answers are remembered). */
  private readonly numberIds = new Map<string, string>();
  private readonly chats = new Map<string, ChatTurn>();
  private readonly gap: { min: number; max: number };
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly timeouts: { download: number; lookup: number; send: number; destroy: number; drain: number };

  private sink?: InboundSink;
  private started = false;
  /** stop() was called: no reconnection, no sends. */
  private stopped = false;
  /** stop() finished: nothing is handed to the sink any more. */
  private closed = false;
  private current: {
    state: ChannelStatus['state'];
    detail?: string;
    qr?: string;
    since: string;
  } = { state: 'down', detail: 'not started', since: new Date().toISOString() };

  private client?: WhatsappClientLike;
  /** Increases with every connection attempt and every failure: events of an older attempt are ignored. */
  private generation = 0;
  private detach?: () => void;
  private destroying: Promise<void> = Promise.resolve();
  private attempt = 0;
  private cancelReconnect?: () => void;
  private cancelHealthCheck?: () => void;
  private healthFailures = 0;
  private ready = false;

  /** Inbound messages run one after another on this chain. */
  private inboundChain: Promise<void> = Promise.resolve();
  private inboundPending = 0;

  constructor(private readonly opts: WhatsappAdapterOptions) {
    // The caller binds `channel` (as for every adapter); messages say "whatsapp" anyway.
    this.log = opts.log;
    this.gap = opts.sendGapMs ?? { min: 1000, max: 2500 };
    if (!(this.gap.min >= 0 && this.gap.max >= this.gap.min)) throw new RangeError('sendGapMs: need 0 ≤ min ≤ max');
    this.backoff = opts.reconnect ?? { baseMs: 5000, maxMs: 300_000 };
    if (!(this.backoff.baseMs > 0 && this.backoff.maxMs >= this.backoff.baseMs)) {
      throw new RangeError('reconnect: need 0 < baseMs ≤ maxMs');
    }
    if (!Number.isSafeInteger(opts.maxAttachmentBytes) || opts.maxAttachmentBytes < 0) {
      throw new RangeError('maxAttachmentBytes: need a non-negative integer');
    }
    const t = opts.timeoutsMs ?? {};
    this.timeouts = {
      download: t.download ?? 60_000,
      lookup: t.lookup ?? 15_000,
      send: t.send ?? 30_000,
      destroy: t.destroy ?? 15_000,
      drain: t.drain ?? 10_000,
    };
  }

  // ── status ────────────────────────────────────────────────────────────────────────────────────

  status(): ChannelStatus {
    const s: ChannelStatus = { state: this.current.state, since: this.current.since };
    if (this.current.detail) s.detail = this.current.detail;
    if (this.current.qr) s.qr = this.current.qr;
    return s;
  }

  qr(): string | undefined {
    return this.current.qr;
  }

  private setStatus(state: ChannelStatus['state'], detail?: string, qr?: string): void {
    const since = state === this.current.state ? this.current.since : new Date().toISOString();
    if (state !== this.current.state || detail !== this.current.detail) {
      this.log.info({ state, detail }, 'whatsapp status');
    }
    this.current = { state, detail, qr, since };
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────

  /** Starts connecting and returns at once: pairing and connecting happen in the background. */
  async start(sink: InboundSink): Promise<void> {
    if (this.stopped) throw new Error('whatsapp adapter: start() after stop()');
    if (this.started) throw new Error('whatsapp adapter: already started');
    this.started = true;
    this.sink = sink;
    this.setStatus('starting');
    void this.connect();
  }

  private async connect(): Promise<void> {
    // A browser still closing would hold the session directory's lock: wait for it.
    await this.destroying;
    if (this.stopped) return;
    const gen = ++this.generation;
    this.ready = false;
    this.setStatus('starting', this.attempt > 0 ? `reconnecting (attempt ${this.attempt + 1})` : undefined);
    let client: WhatsappClientLike;
    try {
      client = this.opts.createClient();
      this.client = client;
      this.detach = this.attach(client, gen);
    } catch (err) {
      this.fail(gen, `cannot create the WhatsApp client: ${errorText(err)}`, err);
      return;
    }
    try {
      await client.initialize();
      if (gen === this.generation) this.log.info('whatsapp client initialized');
    } catch (err) {
      this.fail(gen, `initialize failed: ${errorText(err)}`, err);
    }
  }

  /** Subscribes to the client's events for connection `gen`; returns the unsubscribe. */
  private attach(client: WhatsappClientLike, gen: number): () => void {
    // While stopping, messages are still taken (see stop()); nothing else of a stopping client matters.
    const current = () => gen === this.generation && !this.stopped;
    const listening = () => gen === this.generation && !this.closed;
    const handlers: [WhatsappClientEvent, (...args: unknown[]) => void][] = [
      [
        'qr',
        (qr) => {
          if (!current() || typeof qr !== 'string' || !qr) return;
          this.setStatus('pairing', 'scan the QR code with the store phone (WhatsApp → Linked devices)', qr);
          this.showQr(qr);
        },
      ],
      [
        'authenticated',
        () => {
          if (current()) this.setStatus('starting', 'authenticated; loading chats');
        },
      ],
      [
        'auth_failure',
        (message) => {
          if (current()) this.fail(gen, `authentication failed: ${errorText(message)}`);
        },
      ],
      [
        'ready',
        () => {
          if (!current()) return;
          this.attempt = 0;
          this.ready = true;
          this.healthFailures = 0;
          this.setStatus('up');
          this.scheduleHealthCheck(client, gen);
          void this.catchUp(client, current);
        },
      ],
      [
        'disconnected',
        (reason) => {
          if (current()) this.fail(gen, `disconnected: ${errorText(reason)}`);
        },
      ],
      [
        'change_state',
        (state) => {
          if (current()) this.onStateChange(state);
        },
      ],
      [
        'message',
        (raw) => {
          if (listening()) this.onMessage(raw);
        },
      ],
      [
        'error',
        (err) => {
          if (current()) this.log.error({ err }, 'whatsapp client error');
        },
      ],
    ];
    // The very functions registered are kept: removeListener needs them.
    const wrapped = handlers.map(([event, handler]) => [event, guard(this.log, event, handler)] as const);
    for (const [event, handler] of wrapped) client.on(event, handler);
    return () => {
      for (const [event, handler] of wrapped) {
        try {
          client.removeListener(event, handler);
        } catch (err) {
          this.log.warn({ err, event }, 'whatsapp: could not remove a listener');
        }
      }
    };
  }

  /**
   * WhatsApp Web does not emit again a message that came while no process was listening (the server was
   * down, or died before storing it). After `ready`, the unread messages of the last `catchUpHours` go the
   * usual way; the inbox dedup (message id) drops any that were handled already.
   */
  private async catchUp(client: WhatsappClientLike, current: () => boolean): Promise<void> {
    const hours = this.opts.catchUpHours ?? 24;
    if (hours <= 0 || !client.getChats) return;
    try {
      const chats = await this.timers.timeout(client.getChats(), this.timeouts.lookup, 'getChats');
      if (!Array.isArray(chats)) return;
      const since = Date.now() / 1000 - hours * 3600;
      let taken = 0;
      for (const chat of chats.slice(0, CATCH_UP_MAX_CHATS)) {
        const c = unreadChatSchema.safeParse(chat);
        if (!c.success || c.data.unreadCount <= 0 || c.data.isGroup || !current()) continue;
        const limit = Math.min(c.data.unreadCount, CATCH_UP_MAX_PER_CHAT);
        // A method of the library's Chat: called on the object itself.
        const fetched = await this.timers.timeout(
          (chat as { fetchMessages(o: { limit: number }): Promise<unknown> }).fetchMessages({ limit }),
          this.timeouts.lookup,
          'fetchMessages',
        );
        for (const raw of Array.isArray(fetched) ? fetched : []) {
          const at = timestampSchema.safeParse(raw);
          if (!at.success || at.data.timestamp < since || !current()) continue;
          this.onMessage(raw);
          taken++;
        }
      }
      if (taken) this.log.info({ messages: taken }, 'whatsapp: caught up on messages that came while away');
    } catch (err) {
      this.log.warn({ err }, 'whatsapp: could not catch up on unread messages');
    }
  }

  private onStateChange(state: unknown): void {
    const s = typeof state === 'string' ? state : String(state);
    this.log.info({ waState: s }, 'whatsapp connection state');
    if (s === 'CONNECTED') {
      if (this.ready) this.setStatus('up');
    } else if (NOT_CONNECTED_STATES.has(s)) {
      // No event follows for some of these (another WhatsApp Web took over, CONFLICT): sends would vanish.
      this.setStatus('down', `WhatsApp state ${s}`);
    }
  }

  private showQr(qr: string): void {
    this.log.info('whatsapp pairing QR received; scan it with the store phone');
    try {
      if (this.opts.printQr) this.opts.printQr(qr);
      else qrcodeTerminal.generate(qr, { small: true }, (drawing) => process.stdout.write(`${drawing}\n`));
    } catch (err) {
      this.log.warn({ err }, 'could not print the WhatsApp QR');
    }
  }

  /**
   * Connection `gen` is lost: status `down`, destroy its client, try again after the backoff. Only the
   * first failure of a connection counts (an `auth_failure` is often followed by `disconnected` and a
   * rejected `initialize()`).
   */
  private fail(gen: number, detail: string, err?: unknown): void {
    if (this.stopped || gen !== this.generation) return;
    this.generation++;
    this.ready = false;
    this.cancelHealthCheck?.();
    const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    this.setStatus('down', `${detail}; retrying in ${Math.round(delay / 1000)} s`);
    this.log.warn({ err, detail, delayMs: delay, attempt: this.attempt }, 'whatsapp down; will reconnect');
    this.releaseClient();
    this.cancelReconnect = this.timers.schedule(delay, () => {
      this.cancelReconnect = undefined;
      void this.connect();
    });
  }

  /** Detaches from the current client and destroys it (bounded in time; errors logged). */
  private releaseClient(): void {
    const client = this.client;
    this.detach?.();
    this.detach = undefined;
    this.client = undefined;
    if (!client) return;
    this.destroying = this.destroyClient(client);
  }

  private async destroyClient(client: WhatsappClientLike): Promise<void> {
    try {
      await this.timers.timeout(client.destroy(), this.timeouts.destroy, 'destroy');
    } catch (err) {
      this.log.warn({ err }, 'whatsapp client destroy failed');
    }
  }

  private scheduleHealthCheck(client: WhatsappClientLike, gen: number): void {
    const every = this.opts.healthCheckMs ?? 60_000;
    if (every <= 0) return;
    this.cancelHealthCheck?.();
    this.cancelHealthCheck = this.timers.schedule(every, () => {
      void this.healthCheck(client, gen);
    });
  }

  /** A crashed browser page emits nothing: ask it its state now and then, and reconnect when it stays silent. */
  private async healthCheck(client: WhatsappClientLike, gen: number): Promise<void> {
    if (gen !== this.generation || this.stopped) return;
    let ok = false;
    try {
      const state = await this.timers.timeout(client.getState(), this.timeouts.lookup, 'getState');
      ok = typeof state === 'string';
      if (ok && gen === this.generation) this.onStateChange(state);
    } catch (err) {
      this.log.warn({ err }, 'whatsapp health check failed');
    }
    if (gen !== this.generation || this.stopped) return;
    this.healthFailures = ok ? 0 : this.healthFailures + 1;
    if (this.healthFailures >= HEALTH_FAILURES) {
      this.fail(gen, 'the browser stopped answering');
      return;
    }
    this.scheduleHealthCheck(client, gen);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelReconnect?.();
    this.cancelHealthCheck?.();
    this.setStatus('down', 'stopping');
    // Messages already accepted still need the client (media downloads): let them finish, within bounds.
    // The client keeps listening meanwhile: a message the page received is not offered again later.
    const deadline = Date.now() + this.timeouts.drain;
    while (this.inboundPending > 0 && Date.now() < deadline) {
      try {
        await this.timers.timeout(this.inboundChain, deadline - Date.now(), 'finishing inbound messages');
      } catch {
        break;
      }
    }
    if (this.inboundPending > 0) {
      this.log.error({ pending: this.inboundPending }, 'whatsapp stopped with inbound messages unfinished');
    }
    this.generation++;
    this.releaseClient();
    await this.destroying;
    this.closed = true;
    this.timers.close();
    this.setStatus('down', 'stopped');
  }

  // ── inbound ───────────────────────────────────────────────────────────────────────────────────

  private onMessage(raw: unknown): void {
    const m = parseWhatsappMessage(raw);
    if (!m) {
      this.log.warn('whatsapp: unreadable message event ignored');
      return;
    }
    const skip = skipReason(m);
    if (skip) {
      this.log.debug({ messageId: m.id, reason: skip }, 'whatsapp message ignored');
      return;
    }
    // Checked when the event arrives, not when its turn comes: a second firing while the first is
    // still queued is a duplicate too.
    if (!this.recent.add(m.id)) {
      this.log.debug({ messageId: m.id }, 'whatsapp duplicate message ignored');
      return;
    }
    const client = this.client;
    if (!client) return;
    this.inboundPending++;
    this.inboundChain = this.inboundChain
      .then(() => this.deliver(m, client))
      .catch((err: unknown) => this.log.error({ err, messageId: m.id }, 'whatsapp inbound message failed'))
      .finally(() => {
        this.inboundPending--;
      });
  }

  /** Translates one message and hands it to the sink (retried); runs alone, in arrival order. */
  private async deliver(m: ParsedWhatsappMessage, client: WhatsappClientLike): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    const inbound = await translateWhatsappMessage(m, {
      client,
      log: this.log,
      maxAttachmentBytes: this.opts.maxAttachmentBytes,
      downloadRetries: this.opts.downloadRetries ?? 3,
      retryBaseMs: this.opts.retryBaseMs ?? 1000,
      downloadTimeoutMs: this.timeouts.download,
      lookupTimeoutMs: this.timeouts.lookup,
      timers: this.timers,
      lidPhones: this.lidPhones,
    });
    let lastError: unknown;
    for (let attempt = 1; attempt <= SINK_ATTEMPTS; attempt++) {
      if (attempt > 1) await this.timers.sleep((this.opts.retryBaseMs ?? 1000) * 2 ** (attempt - 2));
      if (this.closed) {
        // stop() gave up waiting: the engine may be closing too. Logged so staff can follow it up.
        this.log.error({ messageId: m.id, address: inbound.address }, 'whatsapp message abandoned at stop');
        return;
      }
      try {
        const result = await sink(inbound);
        this.log.debug(
          { messageId: m.id, conversationId: result.conversationId, duplicate: result.duplicate },
          'whatsapp message handled',
        );
        return;
      } catch (err) {
        lastError = err;
        this.log.warn({ err, messageId: m.id, attempt }, 'whatsapp: handing the message over failed');
      }
    }
    // Forget the id: should the library deliver the message again, it gets another chance.
    this.recent.delete(m.id);
    this.log.error(
      {
        err: lastError,
        messageId: m.id,
        address: inbound.address,
        textChars: inbound.text.length,
        attachments: inbound.attachments.length,
      },
      'whatsapp message could not be handed to the engine',
    );
  }

  // ── outbound ──────────────────────────────────────────────────────────────────────────────────

  async send(msg: OutboundMessage): Promise<SendResult> {
    const target = chatIdFromAddress(msg.address);
    if (!target.ok) throw new ChannelSendError(target.reason, true, { address: msg.address });
    this.assertUp();
    const text = renderWhatsappText(msg.text, msg.options);
    return this.inTurn(msg.address, async () => {
      // The state may have changed while this message waited for its turn.
      const client = this.assertUp();
      let chatId = target.chatId;
      let registered: boolean | undefined;
      if (target.phoneDigits) {
        const found = await this.registeredChatId(client, target.phoneDigits);
        registered = found === undefined ? undefined : found !== null;
        if (found) chatId = found;
      }
      let sent: unknown;
      try {
        sent = await this.timers.timeout(client.sendMessage(chatId, text), this.timeouts.send, 'sendMessage');
      } catch (err) {
        // "invalid wid" is WhatsApp refusing the id itself; anything else may pass on a retry.
        const permanent = /invalid wid/i.test(errorText(err));
        throw new ChannelSendError(`WhatsApp send failed: ${errorText(err)}`, permanent, {
          chatId,
          outboxId: msg.outboxId,
          cause: errorText(err),
        });
      }
      if (sent === undefined || sent === null) {
        // The library found no chat for the id. Permanent only when WhatsApp also said the number is not
        // registered: one unanswered lookup alone must not throw a customer's reply away.
        throw new ChannelSendError(
          registered === false ? `${msg.address} is not on WhatsApp` : 'WhatsApp found no chat to send to',
          registered === false,
          { chatId, outboxId: msg.outboxId },
        );
      }
      const parsed = sentSchema.safeParse(sent);
      if (!parsed.success) {
        this.log.warn({ chatId, outboxId: msg.outboxId }, 'whatsapp sent a message but returned no id');
        return {};
      }
      return { externalId: parsed.data.id._serialized };
    });
  }

  private assertUp(): WhatsappClientLike {
    const client = this.client;
    if (this.stopped || this.current.state !== 'up' || !client) {
      throw new ChannelSendError(`WhatsApp is not connected (${this.current.state})`, false, {
        state: this.current.state,
        detail: this.current.detail,
      });
    }
    return client;
  }

  /**
   * The registered chat id of a phone: the number as given, else (Brazil) the same mobile with/without
   * the extra 9 — WhatsApp kept old registrations without it. Null when WhatsApp says none is
   * registered; undefined when it could not be asked (the send then tries the plain id).
   */
  private async registeredChatId(client: WhatsappClientLike, digits: string): Promise<string | null | undefined> {
    if (!client.getNumberId) return undefined;
    const cached = this.numberIds.get(digits);
    if (cached) return cached;
    const candidates = phoneMatchKeys(`+${digits}`).map((k) => k.slice(1));
    try {
      for (const candidate of candidates) {
        const raw = await this.timers.timeout(client.getNumberId(candidate), this.timeouts.lookup, 'getNumberId');
        const parsed = numberIdSchema.safeParse(raw);
        if (parsed.success) {
          this.numberIds.set(digits, parsed.data._serialized);
          if (this.numberIds.size > 1000) {
            const oldest = this.numberIds.keys().next();
            if (!oldest.done) this.numberIds.delete(oldest.value);
          }
          return parsed.data._serialized;
        }
      }
      return null;
    } catch (err) {
      this.log.warn({ err, digits }, 'whatsapp: number lookup failed; sending to the plain id');
      return undefined;
    }
  }

  /**
   * Runs `fn` in the chat's turn: sends to one chat happen one at a time, in call order, and at least a
   * random `sendGapMs` apart (a burst of replies arriving all at once looks like a bot and gets numbers
   * banned). Other chats are not held up.
   */
  private async inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let chat = this.chats.get(key);
    if (!chat) {
      chat = { tail: Promise.resolve(), pending: 0 };
      this.chats.set(key, chat);
    }
    const turn = chat;
    turn.pending++;
    const previous = turn.tail;
    let release = () => {};
    turn.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      if (turn.lastSentAt !== undefined) {
        const gap = this.gap.min + (this.opts.random ?? Math.random)() * (this.gap.max - this.gap.min);
        const wait = turn.lastSentAt + gap - Date.now();
        if (wait > 0) await this.timers.sleep(wait);
      }
      try {
        return await fn();
      } finally {
        turn.lastSentAt = Date.now();
      }
    } finally {
      turn.pending--;
      release();
      this.forgetIdleChats();
    }
  }

  /** Keeps the per-chat map small: a chat with nothing queued and its gap elapsed needs no entry. */
  private forgetIdleChats(): void {
    const now = Date.now();
    for (const [key, chat] of this.chats) {
      if (chat.pending === 0 && (chat.lastSentAt === undefined || now - chat.lastSentAt >= this.gap.max)) {
        this.chats.delete(key);
      }
    }
  }
}

/** A listener that never throws into the library (an exception there would crash the page's callback). */
function guard(log: Logger, event: string, fn: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (err) {
      log.error({ err, event }, 'whatsapp event handler failed');
    }
  };
}

/** Message of an error-ish value, for status details and error texts. */
function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}
