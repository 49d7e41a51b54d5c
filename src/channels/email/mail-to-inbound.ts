import { createHash } from 'node:crypto';
import type PostalMime from 'postal-mime';
import type { Inbound } from '../types';
import { autoReplyReason } from './auto-reply-reason';
import { htmlToPlain } from './html-to-plain';
import { inboundThread, parseMessageIds } from './inbound-thread';
import { stripQuotedReply } from './strip-quoted-reply';

/** A mail as read from the mailbox: parsed (whole, or headers + the parts that were downloaded). */
export interface MailContent {
  email: PostalMime.Email;
  /** Bytes hashed for the externalId of a mail without Message-ID: the raw mail, or its header block. */
  hashSource: Buffer;
  /** Parts refused before download because of their size. */
  tooLarge: number;
  /** What went wrong while reading, for the log. */
  notes: string[];
}

/** Translating one mail: an Inbound for the engine, or the reason it is not one. */
export type Translation = { kind: 'inbound'; inbound: Inbound; notes: string[] } | { kind: 'skip'; reason: string };

export interface TranslateOptions {
  /** Our own address (lower case): mail from it is never answered. */
  ownAddress: string;
  maxAttachmentBytes: number;
  isOwnMessageId: (id: string) => boolean;
}

// Not photos and never meant as the customer's content: calendar invites, vCards, S/MIME and PGP
// signatures, Outlook's winmail.dat. Dropped silently instead of making the bot say "only photos".
const IGNORED_TYPES = new Set([
  'text/calendar',
  'application/ics',
  'text/vcard',
  'text/x-vcard',
  'text/directory',
  'application/pkcs7-signature',
  'application/x-pkcs7-signature',
  'application/pgp-signature',
  'application/pgp-keys',
  'application/ms-tnef',
  'application/vnd.ms-tnef',
  'message/delivery-status',
  'message/disposition-notification',
]);
const IGNORED_EXT = /\.(ics|vcs|vcf|p7s|p7m|asc|sig|gpg)$|^winmail\.dat$/i;
/**
 * Inline images this small are signature logos and social icons (image001.png…), not photos of a
 * damaged part — a phone photo is far larger. Attachments proper are always passed on.
 */
export const SIGNATURE_IMAGE_BYTES = 15 * 1024;
const MAX_TEXT = 100_000;

/** Whether an attachment is ignored outright (not counted, not passed on). */
export function isIgnoredAttachment(mimeType: string, filename: string | null | undefined): boolean {
  return IGNORED_TYPES.has(mimeType.toLowerCase()) || IGNORED_EXT.test(filename ?? '');
}

/**
 * Turn one mail into the engine's `Inbound` (address = the From address lower-cased, externalId
 * = the Message-ID or `sha256:<hex>` of the raw bytes, text without quotes and signature,
 * attachments as bytes, thread always set), or say why it is skipped (auto-reply, bounce, own
 * mail, no sender).
 *
 * Reply-To is ignored on purpose: the conversation belongs to whoever wrote (From), which is the
 * address stores register as their contact; Reply-To mostly points at lists, ticket systems or
 * shared boxes, and honouring it would let any mail redirect our answers to a third party.
 */
export function mailToInbound(content: MailContent, opts: TranslateOptions): Translation {
  const { email } = content;
  const from = firstMailbox(email.from) ?? firstMailbox(email.sender);
  const address = from?.address?.trim().toLowerCase();
  const reason = autoReplyReason(
    { headers: email.headers, from: address, subject: email.subject },
    {
      address: opts.ownAddress,
      isOwnMessageId: opts.isOwnMessageId,
    },
  );
  if (reason) return { kind: 'skip', reason };
  if (!address || !/^[^@\s]+@[^@\s]+$/.test(address)) return { kind: 'skip', reason: 'no sender address' };

  const notes = [...content.notes];
  const body = email.text?.trim() ? email.text : email.html ? htmlToPlain(email.html) : '';
  const text = stripQuotedReply(fixMojibake(body.slice(0, MAX_TEXT * 2))).slice(0, MAX_TEXT);

  const attachments: Inbound['attachments'] = [];
  let tooLarge = content.tooLarge;
  for (const a of email.attachments) {
    if (isIgnoredAttachment(a.mimeType, a.filename)) continue;
    const bytes = toBuffer(a.content, a.encoding);
    if (bytes.length === 0) continue;
    if (bytes.length > opts.maxAttachmentBytes) {
      tooLarge++;
      continue;
    }
    const inline = a.disposition !== 'attachment' && (a.related || a.contentId);
    if (inline && a.mimeType.startsWith('image/') && bytes.length < SIGNATURE_IMAGE_BYTES) continue;
    const item: Inbound['attachments'][number] = { bytes, contentType: a.mimeType };
    if (a.filename) item.filename = a.filename;
    attachments.push(item);
  }

  const messageId = parseMessageIds(email.messageId)[0];
  const inbound: Inbound = {
    channel: 'email',
    address,
    externalId: messageId ?? `sha256:${createHash('sha256').update(content.hashSource).digest('hex')}`,
    text,
    attachments,
    thread: inboundThread({
      messageId,
      subject: email.subject,
      references: email.references,
      inReplyTo: email.inReplyTo,
    }),
  };
  const name = from?.name?.trim();
  if (name && name.toLowerCase() !== address) inbound.displayName = name;
  if (tooLarge) inbound.refused = { tooLarge, notImage: 0 };
  return { kind: 'inbound', inbound, notes };
}

/**
 * UTF-8 read as Latin-1 ("peÃ§a"): what a missing, wrong or unknown charset label produces, common
 * in mail from shop systems. Re-decoded only when every character fits one byte and the bytes are
 * valid UTF-8, so real Latin-1 text is never touched.
 */
export function fixMojibake(text: string): string {
  if (!/[\u00c2-\u00f4][\u0080-\u00bf]/.test(text) || /[\u0100-\uffff]/.test(text)) return text;
  const bytes = Buffer.from(text, 'latin1');
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return decoded.includes('\ufffd') ? text : decoded;
}

function firstMailbox(a: PostalMime.Address | PostalMime.Address[] | undefined): PostalMime.Mailbox | undefined {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  for (const x of list) {
    if (x.group) {
      if (x.group[0]) return x.group[0];
    } else if (x.address) return x;
  }
  return undefined;
}

function toBuffer(content: ArrayBuffer | Uint8Array | string, encoding?: 'base64' | 'utf8'): Buffer {
  if (typeof content === 'string') return Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8');
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return Buffer.from(content);
}
