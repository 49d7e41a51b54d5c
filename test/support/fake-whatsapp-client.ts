import { EventEmitter } from 'node:events';
import type { WhatsappClientLike, WhatsappMessageLike } from '../../src/channels/whatsapp/whatsapp-client-like';

/**
 * Stand-in for whatsapp-web.js's `Client` (WhatsApp itself cannot be reached from tests): the events
 * and methods the adapter uses, with the library's shapes — a `Message` whose `downloadMedia()` needs
 * `this`, `rawData.notifyName`, `getNumberId` → `{ _serialized }` or null, `sendMessage` → a message
 * or undefined when no chat is found, `getContactLidAndPhone` → `[{ lid, pn }]`.
 *
 * One instance can be initialized again after `destroy()`, so a test may hand the same object to every
 * reconnection of the adapter.
 */
export class FakeWhatsappClient extends EventEmitter implements WhatsappClientLike {
  initializeCalls = 0;
  /** `Date.now()` of each `initialize()` call (to check the backoff). */
  initializeTimes: number[] = [];
  destroyCalls = 0;
  getStateCalls = 0;
  /** Every `sendMessage` call that succeeded, in order. */
  sent: { chatId: string; content: string; at: number }[] = [];
  /** Every `getNumberId` call. */
  numberLookups: string[] = [];
  /** Emit `ready` by itself after a successful `initialize()` (as a restored session does). */
  autoReady = false;
  /** What `getState()` answers; `'hang'` never answers (a crashed page). */
  state: string | null | 'hang' = 'CONNECTED';
  /** Phone digits registered on WhatsApp; undefined = every number is. */
  registered?: Set<string>;
  /** Contacts by id, as `getContactById` returns them. */
  readonly contacts = new Map<string, FakeContact>();
  /** `@lid` → `<digits>@c.us`, for `getContactLidAndPhone`. */
  readonly lidPhones = new Map<string, string>();
  /** Set to undefined to play an older library without the call. */
  getContactLidAndPhone?: (userIds: string[]) => Promise<unknown> = async (userIds) =>
    userIds.map((lid) => ({ lid, pn: this.lidPhones.get(lid) }));

  private initFailures: Error[] = [];
  private sendFailures: Error[] = [];
  private downloadFailures = 0;
  private seq = 0;

  /** The next `n` `initialize()` calls reject like a machine without network. */
  failInitialize(n: number, message = 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/'): void {
    for (let i = 0; i < n; i++) this.initFailures.push(new Error(message));
  }

  /** The next `n` `sendMessage` calls throw (`message` like the library's page errors). */
  failSend(
    n: number,
    message = 'Evaluation failed: Error: Protocol error (Runtime.callFunctionOn): Target closed',
  ): void {
    for (let i = 0; i < n; i++) this.sendFailures.push(new Error(message));
  }

  /** The next `n` media downloads fail (`Infinity`: all of them), alternately throwing and returning undefined. */
  failDownload(n: number): void {
    this.downloadFailures = n;
  }

  emitQr(qr = `2@fakeqr${++this.seq},abc=,def=,ghi=`): string {
    this.emit('qr', qr);
    return qr;
  }

  emitAuthenticated(): void {
    this.emit('authenticated');
  }

  emitReady(): void {
    this.emit('ready');
  }

  emitAuthFailure(message = 'Unable to log in. Are the session details valid?'): void {
    this.emit('auth_failure', message);
  }

  emitChangeState(state: string): void {
    this.emit('change_state', state);
  }

  /** The connection dropped (`reason` as the library gives it: a WAState or `LOGOUT`). */
  disconnect(reason = 'NAVIGATION'): void {
    this.emit('disconnected', reason);
  }

  /** Messages of each chat that no listener saw (they came while away), for `getChats`; ours count as read. */
  private readonly history = new Map<string, { messages: FakeMessage[]; unread: number }>();
  /** Set to undefined to play a client without the call. */
  getChats?: () => Promise<unknown> = async () =>
    [...this.history].map(([chatId, h]) => new FakeChat(chatId, h.messages, h.unread));

  /** A message that arrives while nobody listens: no event; `getChats` shows it unread. */
  whileAway(init: FakeMessageInit): FakeMessage {
    const msg = new FakeMessage(this, init, ++this.seq);
    const h = this.history.get(init.from) ?? { messages: [], unread: 0 };
    h.messages.push(msg);
    h.unread = msg.fromMe ? 0 : h.unread + 1;
    this.history.set(init.from, h);
    return msg;
  }

  /** Delivers a message (synchronously, like the library's event) and returns it. */
  receive(init: FakeMessageInit): FakeMessage {
    const msg = new FakeMessage(this, init, ++this.seq);
    this.emit('message', msg);
    return msg;
  }

  /** Called by {@link FakeMessage.downloadMedia}. */
  takeDownloadFailure(): 'throw' | 'undefined' | null {
    if (this.downloadFailures <= 0) return null;
    this.downloadFailures--;
    return this.downloadFailures % 2 === 0 ? 'throw' : 'undefined';
  }

  // ── WhatsappClientLike ──────────────────────────────────────────────────────────────────────────

  async initialize(): Promise<void> {
    this.initializeCalls++;
    this.initializeTimes.push(Date.now());
    await Promise.resolve();
    const failure = this.initFailures.shift();
    if (failure) throw failure;
    if (this.autoReady) queueMicrotask(() => this.emit('ready'));
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
  }

  getState(): Promise<unknown> {
    this.getStateCalls++;
    if (this.state === 'hang') return new Promise(() => {});
    return Promise.resolve(this.state);
  }

  async sendMessage(chatId: string, content: string): Promise<unknown> {
    const failure = this.sendFailures.shift();
    if (failure) throw failure;
    const digits = /^(\d+)@c\.us$/.exec(chatId)?.[1];
    if (digits && this.registered && !this.registered.has(digits)) return undefined; // no chat found
    this.sent.push({ chatId, content, at: Date.now() });
    return {
      id: {
        fromMe: true,
        remote: chatId,
        id: `SENT${this.sent.length}`,
        _serialized: `true_${chatId}_SENT${this.sent.length}`,
      },
    };
  }

  async getNumberId(number: string): Promise<unknown> {
    this.numberLookups.push(number);
    const digits = number.replace(/@c\.us$/, '');
    if (this.registered && !this.registered.has(digits)) return null;
    return { server: 'c.us', user: digits, _serialized: `${digits}@c.us` };
  }

  async getContactById(contactId: string): Promise<unknown> {
    const known = this.contacts.get(contactId);
    if (known) return known;
    const [user = '', server = ''] = contactId.split('@');
    return { id: { server, user, _serialized: contactId }, number: user, pushname: '', isGroup: server === 'g.us' };
  }
}

/** A contact as `getContactById` returns it. */
export interface FakeContact {
  id: { server: string; user: string; _serialized: string };
  number?: string;
  pushname?: string;
}

/** What a test says about a message; the rest gets library-like defaults. */
export interface FakeMessageInit {
  from: string;
  body?: string;
  type?: string;
  id?: string;
  fromMe?: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  author?: string;
  notifyName?: string;
  /** Media bytes, for image/document/sticker/ptt… (`hasMedia` follows). */
  media?: { bytes: Buffer; mimetype: string; filename?: string };
  /** Size the page announces before the download (defaults to the media's length). */
  declaredSize?: number;
  hasMedia?: boolean;
  /** When it was sent, seconds since the epoch (default now). */
  timestamp?: number;
}

/** A chat, shaped like whatsapp-web.js's `Chat`: `fetchMessages` needs `this`. */
class FakeChat {
  readonly id: { _serialized: string };
  readonly isGroup: boolean;
  constructor(
    chatId: string,
    private readonly messages: FakeMessage[],
    readonly unreadCount: number,
  ) {
    this.id = { _serialized: chatId };
    this.isGroup = chatId.endsWith('@g.us');
  }
  async fetchMessages(this: FakeChat, o: { limit: number }): Promise<FakeMessage[]> {
    return this.messages.slice(-o.limit);
  }
}

/** A received message, shaped like whatsapp-web.js's `Message`. */
export class FakeMessage implements WhatsappMessageLike {
  readonly id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  readonly from: string;
  readonly to = '5554000000000@c.us';
  readonly fromMe: boolean;
  readonly isStatus: boolean;
  readonly broadcast: boolean;
  readonly author?: string;
  readonly type: string;
  readonly body: string;
  readonly hasMedia: boolean;
  readonly timestamp: number;
  /** Download calls (successful or not). */
  downloads = 0;
  private readonly raw: Record<string, unknown>;

  constructor(
    private readonly client: FakeWhatsappClient,
    private readonly init: FakeMessageInit,
    seq: number,
  ) {
    const local = init.id ?? `3EB0FAKE${String(seq).padStart(6, '0')}`;
    this.fromMe = init.fromMe ?? false;
    this.id = {
      fromMe: this.fromMe,
      remote: init.from,
      id: local,
      _serialized: `${this.fromMe}_${init.from}_${local}`,
    };
    this.from = init.from;
    this.timestamp = init.timestamp ?? Math.floor(Date.now() / 1000);
    this.isStatus = init.isStatus ?? init.from === 'status@broadcast';
    this.broadcast = init.broadcast ?? false;
    this.author = init.author;
    this.type = init.type ?? (init.media ? 'image' : 'chat');
    this.body = init.body ?? '';
    this.hasMedia = init.hasMedia ?? init.media !== undefined;
    this.raw = {
      id: this.id,
      type: this.type,
      notifyName: init.notifyName,
      size: init.declaredSize ?? init.media?.bytes.length,
      filename: init.media?.filename,
    };
  }

  get rawData(): Record<string, unknown> {
    return this.raw;
  }

  /** Like the library: needs `this` (its client), undefined without media or when not fetchable. */
  async downloadMedia(): Promise<unknown> {
    this.downloads++;
    if (!this.hasMedia || !this.init.media) return undefined;
    const failure = this.client.takeDownloadFailure();
    if (failure === 'throw') throw new Error('Evaluation failed: TypeError: Failed to fetch');
    if (failure === 'undefined') return undefined;
    const m = this.init.media;
    return {
      mimetype: m.mimetype,
      data: m.bytes.toString('base64'),
      filename: m.filename ?? null,
      filesize: m.bytes.length,
    };
  }
}

/** Message builders for the usual cases. */
export const wa = {
  text: (from: string, body: string, extra: Partial<FakeMessageInit> = {}): FakeMessageInit => ({
    from,
    body,
    ...extra,
  }),
  image: (from: string, bytes: Buffer, extra: Partial<FakeMessageInit> = {}): FakeMessageInit => ({
    from,
    type: 'image',
    media: { bytes, mimetype: 'image/jpeg' },
    ...extra,
  }),
  document: (
    from: string,
    bytes: Buffer,
    filename: string,
    mimetype: string,
    extra: Partial<FakeMessageInit> = {},
  ) => ({
    from,
    type: 'document',
    media: { bytes, mimetype, filename },
    ...extra,
  }),
  sticker: (from: string): FakeMessageInit => ({
    from,
    type: 'sticker',
    media: { bytes: Buffer.from('RIFF....WEBPVP8 '), mimetype: 'image/webp' },
  }),
  ptt: (from: string): FakeMessageInit => ({
    from,
    type: 'ptt',
    media: { bytes: Buffer.from('OggS fake voice'), mimetype: 'audio/ogg; codecs=opus' },
  }),
  // A location's body is the map thumbnail (base64 JPEG) in the library, not text.
  location: (from: string): FakeMessageInit => ({
    from,
    type: 'location',
    body: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/',
  }),
  vcard: (from: string): FakeMessageInit => ({
    from,
    type: 'vcard',
    body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Fulano\nEND:VCARD',
  }),
  group: (groupId: string, author: string, body: string): FakeMessageInit => ({ from: groupId, author, body }),
  status: (author: string): FakeMessageInit => ({
    from: 'status@broadcast',
    author,
    body: 'promoção!',
    isStatus: true,
  }),
  own: (to: string, body: string): FakeMessageInit => ({ from: to, body, fromMe: true }),
  newsletter: (body: string): FakeMessageInit => ({ from: '120363000000000000@newsletter', body }),
};
