/**
 * The part of whatsapp-web.js's `Client` the WhatsApp adapter uses. The real `Client` satisfies it
 * structurally (checked at compile time by `createRealWhatsappClient`), and so does the stand-in the
 * tests use (`test/support/fake-whatsapp-client.ts`): nothing else of the library leaks into the adapter.
 *
 * Everything the library hands over (event arguments, messages, media, contacts, send results) is typed
 * `unknown` here on purpose: it comes from a scraped web page whose shape changes between WhatsApp Web
 * releases, so the adapter parses it (zod) instead of trusting the library's declared types.
 */
export interface WhatsappClientLike {
  /**
   * Subscribe to a client event. Arguments as the library emits them:
   * - `qr` (qr: string) — a new pairing QR (refreshed every ~20 s while unpaired);
   * - `authenticated` () — the session was accepted, chats are loading;
   * - `auth_failure` (message: string) — the stored session was refused;
   * - `ready` () — connected, messages flow;
   * - `disconnected` (reason: WAState | 'LOGOUT');
   * - `change_state` (state: WAState) — `CONNECTED`, `OPENING`, `CONFLICT`, `UNPAIRED`…;
   * - `message` (message: Message) — a message from someone else (see {@link WhatsappMessageLike});
   * - `error` (error) — listened to so that an emitted error never becomes an uncaught exception.
   */
  on(event: WhatsappClientEvent, listener: (...args: unknown[]) => void): unknown;
  /** Unsubscribe a listener given to {@link WhatsappClientLike.on}: a replaced connection must fall silent. */
  removeListener(event: WhatsappClientEvent, listener: (...args: unknown[]) => void): unknown;
  /** Start the browser and WhatsApp Web; rejects when the page cannot be loaded (no network…). */
  initialize(): Promise<unknown>;
  /** Close the browser. */
  destroy(): Promise<unknown>;
  /** The connection state (`CONNECTED`…), or null when the page is not usable. */
  getState(): Promise<unknown>;
  /** Send a text; resolves with the sent message (`id._serialized`), or nothing when the chat was not found. */
  sendMessage(chatId: string, content: string): Promise<unknown>;
  /** The registered id (`{ _serialized: '<digits>@c.us' }`) of a phone number, or null when it is not on WhatsApp. */
  getNumberId?(number: string): Promise<unknown>;
  /** Contact (`{ id: { server, user }, number, pushname }`) of an id; a `@lid` contact has a `c.us` id when its phone is known. */
  getContactById?(contactId: string): Promise<unknown>;
  /** `[{ lid: '<id>@lid', pn: '<digits>@c.us' }]` for the given ids (library ≥ 1.32); `pn` missing when hidden. */
  getContactLidAndPhone?(userIds: string[]): Promise<unknown>;
  /**
   * The chats (`Chat[]`: `{ id, isGroup, unreadCount, fetchMessages({ limit }) }`), to catch up on messages that
   * came while no process was listening. `fetchMessages` is called as a method (it needs `this`); it resolves
   * with the chat's latest messages, oldest first, ours included.
   */
  getChats?(): Promise<unknown>;
}

/** The events the adapter subscribes to. */
export type WhatsappClientEvent =
  | 'qr'
  | 'authenticated'
  | 'auth_failure'
  | 'ready'
  | 'disconnected'
  | 'change_state'
  | 'message'
  | 'error';

/**
 * What the adapter reads from a whatsapp-web.js `Message` (documentation of the parsed shape; the real
 * object has many more fields). `downloadMedia` is called as a method, since the library's uses `this`.
 */
export interface WhatsappMessageLike {
  /** `_serialized` is unique per message: the Inbound's `externalId` and the dedup key. */
  id: { _serialized: string };
  /** The chat: `<digits>@c.us` (phone), `<id>@lid` (hidden number), `…@g.us` (group), `status@broadcast`, `…@newsletter`. */
  from: string;
  fromMe: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  /** Set in groups: the member who wrote. */
  author?: string | null;
  /** `chat`, `image`, `document`, `sticker`, `ptt`, `audio`, `video`, `location`, `vcard`… */
  type: string;
  /** Text, or the caption of a media message. */
  body: string;
  hasMedia: boolean;
  /**
   * The page's raw message; the adapter reads `notifyName` (the sender's push name), `size` (media size in
   * bytes, known before downloading) and `filename`.
   */
  rawData?: object;
  /** `{ mimetype, data (base64), filename?, filesize? }`, or undefined when the media cannot be fetched now. */
  downloadMedia(): Promise<unknown>;
}
