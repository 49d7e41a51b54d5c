import type { Logger } from 'pino';
import { z } from 'zod';
import { decodeBase64Attachment } from '../../media';
import type { Inbound } from '../types';
import type { TimerRegistry } from './timer-registry';
import { addressFromChatId, addressFromPhoneDigits } from './whatsapp-address';
import type { WhatsappClientLike } from './whatsapp-client-like';

/** Lenient field: a value of the wrong type reads as absent instead of failing the whole message. */
const optString = z.string().nullish().catch(undefined);
const optBool = z.boolean().nullish().catch(undefined);

/** The fields of a whatsapp-web.js `Message` the adapter reads (see `WhatsappMessageLike`). */
const messageSchema = z.object({
  id: z.object({ _serialized: z.string().min(1) }),
  from: z.string().min(1),
  fromMe: optBool,
  isStatus: optBool,
  broadcast: optBool,
  author: optString,
  type: z.string().catch('unknown'),
  body: optString,
  hasMedia: optBool,
  rawData: z
    .object({
      notifyName: optString,
      size: z.number().nullish().catch(undefined),
      filename: optString,
    })
    .nullish()
    .catch(undefined),
});

/** A message as the adapter works with it: the parsed fields, and the library object to call methods on. */
export interface ParsedWhatsappMessage {
  id: string;
  from: string;
  fromMe: boolean;
  isStatus: boolean;
  broadcast: boolean;
  author?: string;
  type: string;
  body: string;
  hasMedia: boolean;
  notifyName?: string;
  /** Media size in bytes as announced before downloading, when the page knows it. */
  declaredSize?: number;
  filename?: string;
  raw: object;
}

/** Parses a `message` event's argument; null when it is not a message the adapter can read. */
export function parseWhatsappMessage(raw: unknown): ParsedWhatsappMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = messageSchema.safeParse(raw);
  if (!r.success) return null;
  const m = r.data;
  return {
    id: m.id._serialized,
    from: m.from,
    fromMe: m.fromMe === true,
    isStatus: m.isStatus === true,
    broadcast: m.broadcast === true,
    author: m.author ?? undefined,
    type: m.type,
    body: m.body ?? '',
    hasMedia: m.hasMedia === true,
    notifyName: m.rawData?.notifyName?.trim() || undefined,
    declaredSize: m.rawData?.size ?? undefined,
    filename: m.rawData?.filename ?? undefined,
    raw,
  };
}

/**
 * Message types that are not something a person sent (protocol and notification records the page
 * sometimes surfaces as messages). Dropped without an answer: answering them would be talking to nobody.
 */
const SYSTEM_TYPES = new Set([
  'revoked',
  'e2e_notification',
  'notification',
  'notification_template',
  'gp2',
  'group_notification',
  'call_log',
  'protocol',
  'ciphertext',
  'debug',
  'broadcast_notification',
  'reaction',
  // The album itself is a placeholder: each of its photos arrives as its own `image` message.
  'album',
]);

/** Types whose `body` is what the person typed or picked. */
const TEXT_TYPES = new Set(['chat', 'buttons_response', 'list_response', 'template_button_reply']);

/** Types downloaded and handed to the engine, which decides by content whether they are usable photos. */
const DOWNLOAD_TYPES = new Set(['image', 'document']);

/**
 * Why a message is not for the engine (null when it is): own messages, groups, status updates,
 * broadcast lists, newsletters/channels, system records, anything that is not a private chat.
 */
export function skipReason(m: ParsedWhatsappMessage): string | null {
  if (m.fromMe) return 'own message';
  if (m.isStatus || m.from === 'status@broadcast') return 'status broadcast';
  if (m.from.endsWith('@g.us') || m.author) return 'group';
  if (m.from.endsWith('@newsletter')) return 'newsletter';
  if (m.broadcast || m.from.endsWith('@broadcast')) return 'broadcast list';
  if (SYSTEM_TYPES.has(m.type)) return `system message (${m.type})`;
  if (addressFromChatId(m.from) === null) return 'not a private chat';
  return null;
}

/** What translation needs from the adapter. */
export interface TranslateDeps {
  client: WhatsappClientLike;
  log: Logger;
  maxAttachmentBytes: number;
  /** Retries after a failed download (so `downloadRetries + 1` attempts). */
  downloadRetries: number;
  /** First retry delay; doubles at each retry. */
  retryBaseMs: number;
  downloadTimeoutMs: number;
  lookupTimeoutMs: number;
  timers: TimerRegistry;
  /** `@lid` → E.164 for ids already resolved (kept bounded here). */
  lidPhones: Map<string, string>;
}

const mediaSchema = z.object({
  mimetype: optString,
  data: z.string(),
  filename: optString,
});

const contactSchema = z.object({
  id: z.object({ server: z.string(), user: z.string() }),
  number: optString,
  pushname: optString,
});

/** `@lid` ids whose phone is remembered, so a chatty customer costs one lookup. */
const LID_CACHE_SIZE = 1000;

const lidAndPhoneSchema = z.array(z.object({ lid: optString, pn: optString }));

/**
 * Translates one message (already past {@link skipReason}) into the engine's `Inbound`:
 * address (E.164, or `whatsapp:<id>@lid` when the number stays hidden), text (captions included),
 * images and documents downloaded (with retries), everything else as one refused attachment so the
 * customer gets a polite "please send a photo" instead of silence.
 *
 * A download that keeps failing is not dropped: the message still reaches the engine, counted in
 * `refused.unavailable` (whose answer asks the customer to send it again), and an error is logged with
 * the message id for staff to look at.
 */
export async function translateWhatsappMessage(m: ParsedWhatsappMessage, deps: TranslateDeps): Promise<Inbound> {
  const who = await resolveSender(m, deps);
  const attachments: Inbound['attachments'] = [];
  let tooLarge = 0;
  let notImage = 0;
  let unavailable = 0;
  let text: string;

  if (TEXT_TYPES.has(m.type)) {
    text = m.body;
  } else if (DOWNLOAD_TYPES.has(m.type)) {
    text = m.body; // the caption
    const got = await download(m, deps);
    if (got.ok) attachments.push(got.attachment);
    else if (got.reason === 'too_large') tooLarge++;
    else unavailable++;
  } else {
    // Stickers, voice notes, audio, video, location, contact cards, polls…: not something the engine reads.
    // A media message's body is its caption (worth keeping); other types put data there (a location's
    // thumbnail, a vCard), so their text is empty.
    text = m.hasMedia ? m.body : '';
    notImage++;
    deps.log.info({ messageId: m.id, type: m.type }, 'whatsapp message type not supported; customer will be told');
  }

  const inbound: Inbound = {
    channel: 'whatsapp',
    address: who.address,
    externalId: m.id,
    text,
    attachments,
  };
  const displayName = m.notifyName ?? who.pushname;
  if (displayName) inbound.displayName = displayName;
  if (tooLarge || notImage || unavailable)
    inbound.refused = { tooLarge, notImage, ...(unavailable ? { unavailable } : {}) };
  return inbound;
}

/**
 * The sender's address and, when a contact was looked up, its push name. For `@lid` senders the phone
 * is asked from the library (`getContactLidAndPhone`, then the contact, whose id becomes `c.us` when
 * WhatsApp shares the number); a lookup that fails or hangs only costs the E.164 form.
 */
async function resolveSender(
  m: ParsedWhatsappMessage,
  deps: TranslateDeps,
): Promise<{ address: string; pushname?: string }> {
  const direct = addressFromChatId(m.from);
  if (!direct) throw new Error(`not a private chat: ${m.from}`); // skipReason already dropped these
  const isLid = m.from.endsWith('@lid');
  if (!isLid && m.notifyName) return { address: direct };

  let address = isLid ? deps.lidPhones.get(m.from) : direct;
  if (isLid && !address && deps.client.getContactLidAndPhone) {
    try {
      const raw = await deps.timers.timeout(
        deps.client.getContactLidAndPhone([m.from]),
        deps.lookupTimeoutMs,
        'getContactLidAndPhone',
      );
      const parsed = lidAndPhoneSchema.safeParse(raw);
      const pn = parsed.success ? parsed.data.find((e) => e.pn)?.pn : undefined;
      address = phoneAddressOf(pn) ?? undefined;
    } catch (err) {
      deps.log.warn({ err, from: m.from }, 'whatsapp: could not resolve the phone of a @lid sender');
    }
  }

  let pushname: string | undefined;
  if ((!address || !m.notifyName) && deps.client.getContactById) {
    try {
      const raw = await deps.timers.timeout(deps.client.getContactById(m.from), deps.lookupTimeoutMs, 'getContactById');
      const c = contactSchema.safeParse(raw);
      if (c.success) {
        pushname = c.data.pushname?.trim() || undefined;
        // Only a `c.us` id is a phone: for a `@lid` contact, `number` may hold the lid's digits.
        if (!address && c.data.id.server === 'c.us') {
          address = addressFromPhoneDigits(c.data.number ?? c.data.id.user) ?? undefined;
        }
      }
    } catch (err) {
      deps.log.warn({ err, from: m.from }, 'whatsapp: contact lookup failed');
    }
  }

  if (isLid && address) {
    deps.lidPhones.set(m.from, address);
    // Bounded: forget the oldest entry (a Map iterates in insertion order).
    if (deps.lidPhones.size > LID_CACHE_SIZE) {
      const oldest = deps.lidPhones.keys().next();
      if (!oldest.done) deps.lidPhones.delete(oldest.value);
    }
  }
  return { address: address ?? direct, pushname };
}

/** E.164 of a `<digits>@c.us` id. */
function phoneAddressOf(id: string | null | undefined): string | null {
  const match = id ? /^(\d+)@c\.us$/.exec(id) : null;
  return match?.[1] ? addressFromPhoneDigits(match[1]) : null;
}

type Download =
  | { ok: true; attachment: Inbound['attachments'][number] }
  | { ok: false; reason: 'too_large' | 'unreadable' | 'failed' };

/** Downloads a message's media, retrying with a doubling backoff; checks the size before decoding. */
async function download(m: ParsedWhatsappMessage, deps: TranslateDeps): Promise<Download> {
  const max = deps.maxAttachmentBytes;
  if (m.declaredSize !== undefined && m.declaredSize > max) {
    deps.log.info({ messageId: m.id, size: m.declaredSize, max }, 'whatsapp attachment too large; not downloaded');
    return { ok: false, reason: 'too_large' };
  }
  if (!m.hasMedia) {
    // The page has no media reference (expired, view-once, deleted): nothing to retry.
    deps.log.error({ messageId: m.id, from: m.from, type: m.type }, 'whatsapp media not available; asking to resend');
    return { ok: false, reason: 'failed' };
  }

  let lastError: unknown;
  const attempts = deps.downloadRetries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await deps.timers.sleep(deps.retryBaseMs * 2 ** (attempt - 2));
    try {
      const raw = await deps.timers.timeout(
        callMethod(m.raw, 'downloadMedia'),
        deps.downloadTimeoutMs,
        'downloadMedia',
      );
      // The library resolves undefined when the media is not fetchable right now (still resolving, 404).
      if (raw === undefined || raw === null) throw new Error('media not available (yet)');
      const media = mediaSchema.safeParse(raw);
      if (!media.success) throw new Error('unexpected media shape');
      const decoded = decodeBase64Attachment(media.data.data, max);
      if (!decoded.ok) {
        deps.log.info({ messageId: m.id, reason: decoded.reason, max }, 'whatsapp attachment refused');
        return { ok: false, reason: decoded.reason === 'too_large' ? 'too_large' : 'unreadable' };
      }
      const filename = media.data.filename ?? m.filename;
      return {
        ok: true,
        attachment: {
          bytes: decoded.bytes,
          ...(filename ? { filename } : {}),
          ...(media.data.mimetype ? { contentType: media.data.mimetype } : {}),
        },
      };
    } catch (err) {
      lastError = err;
      deps.log.warn({ err, messageId: m.id, attempt, attempts }, 'whatsapp media download failed');
    }
  }
  deps.log.error(
    { err: lastError, messageId: m.id, from: m.from, type: m.type, attempts },
    'whatsapp media download failed for good; the message goes on with a refused attachment and the customer is asked to resend',
  );
  return { ok: false, reason: 'failed' };
}

/** Calls `obj[name]()` as a method (the library's methods use `this`), for an object only known as `object`. */
async function callMethod(obj: object, name: string): Promise<unknown> {
  const fn: unknown = Reflect.get(obj, name);
  if (typeof fn !== 'function') throw new Error(`message has no ${name}()`);
  const result: unknown = await Reflect.apply(fn, obj, []);
  return result;
}
