import type { Inbound } from '../types';
import type { TelegramUnit } from './plan-telegram-updates';
import { telegramAddress } from './telegram-address';
import type { DownloadResult } from './telegram-bot-api';
import { optionIndexOf } from './telegram-reply-markup';
import { type TelegramMessage, type TelegramPhotoSize, type TelegramUser, UNSUPPORTED_KINDS } from './telegram-update';

/** What {@link buildTelegramInbound} needs from the outside world. */
export interface InboundFiles {
  /** Largest attachment accepted, in bytes (the engine's own limit). */
  maxAttachmentBytes: number;
  /** getFile + download one file; transient failures already retried (see the adapter). */
  download(fileId: string): Promise<DownloadResult>;
}

/**
 * Photos sent as files ("send without compression") keep their format: take them when Telegram or the file
 * name says image. The engine checks the bytes anyway; this only avoids downloading PDFs and videos.
 */
const IMAGE_NAME = /\.(jpe?g|png|webp|heic|heif|avif|gif|bmp|tiff?)$/i;

/**
 * Translate one planned unit to the engine's `Inbound`, downloading photos (the largest size) and image
 * documents. Returns null for a button press whose button cannot be found (nothing to say to the engine).
 *
 * externalId: `m<chat id>:<message id>` for messages (an album: its first message), `c<callback query id>` for
 * button presses. Message ids are unique and stable within a private chat, and a redelivered update carries the
 * same message, so redelivery is a no-op in the inbox whatever its update_id (which Telegram may renumber after a
 * week of silence, and which webhook and polling deliveries share only by convention).
 */
export async function buildTelegramInbound(unit: TelegramUnit, files: InboundFiles): Promise<Inbound | null> {
  if (unit.kind === 'callback') {
    const q = unit.query;
    const text = buttonText(q.message, q.data);
    if (text === undefined) return null;
    return {
      channel: 'telegram',
      address: telegramAddress(unit.chatId),
      externalId: `c${q.id}`,
      text,
      displayName: displayNameOf(q.from),
      attachments: [],
    };
  }

  const first = unit.messages[0];
  if (!first) return null;
  const texts: string[] = [];
  const attachments: Inbound['attachments'] = [];
  const refused = { tooLarge: 0, notImage: 0, unavailable: 0 };
  let verifiedPhone: string | undefined;

  const take = async (
    fileId: string,
    sizeHint: number | undefined,
    meta: { filename?: string; contentType?: string },
  ) => {
    // file_size is known before any request: refuse without asking Telegram for the file.
    const got: DownloadResult =
      sizeHint !== undefined && sizeHint > files.maxAttachmentBytes
        ? { ok: false, reason: 'too_large' }
        : await files.download(fileId);
    if (got.ok) attachments.push({ bytes: got.bytes, ...meta });
    else if (got.reason === 'too_large') refused.tooLarge++;
    else refused.unavailable++;
  };

  for (const m of unit.messages) {
    // Telegram clients send "/start" (optionally with a deep-link payload) when a user opens the bot: it is
    // a hello, not words to understand.
    const said = (m.text ?? m.caption)?.replace(/^\/start(@\w+)?(\s+\S+)?\s*$/i, '');
    if (said?.trim()) texts.push(said);

    if (m.contact) {
      // Only a contact card of the sender's own account proves the number (Telegram fills user_id from the
      // account when the user taps "share my phone"); anyone else's card is just information they typed.
      if (m.contact.user_id !== undefined && m.contact.user_id === m.from?.id) verifiedPhone = m.contact.phone_number;
      else {
        const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
        texts.push(`${name} ${m.contact.phone_number}`.trim());
      }
    }

    const largest = largestPhoto(m.photo);
    if (largest) await take(largest.file_id, largest.file_size, {});

    // An animation (GIF/MP4) also carries a `document`: it is counted below as not an image.
    if (m.document && m.animation === undefined) {
      const d = m.document;
      if (d.mime_type?.startsWith('image/') || (d.file_name && IMAGE_NAME.test(d.file_name))) {
        await take(d.file_id, d.file_size, { filename: d.file_name, contentType: d.mime_type });
      } else {
        refused.notImage++;
      }
    }

    if (UNSUPPORTED_KINDS.some((k) => m[k] !== undefined)) refused.notImage++;
  }

  const inbound: Inbound = {
    channel: 'telegram',
    address: telegramAddress(unit.chatId),
    externalId: `m${unit.chatId}:${first.message_id}`,
    text: texts.join('\n'),
    displayName: displayNameOf(first.from),
    attachments,
  };
  if (refused.tooLarge || refused.notImage || refused.unavailable) {
    inbound.refused = refused.unavailable ? refused : { tooLarge: refused.tooLarge, notImage: refused.notImage };
  }
  if (verifiedPhone) inbound.verifiedPhone = verifiedPhone;
  return inbound;
}

/** Telegram lists sizes smallest first, but say nothing binding about it: pick by pixels, then bytes. */
function largestPhoto(sizes: TelegramPhotoSize[] | undefined): TelegramPhotoSize | undefined {
  let best: TelegramPhotoSize | undefined;
  const area = (p: TelegramPhotoSize) => (p.width ?? 0) * (p.height ?? 0);
  for (const p of sizes ?? []) {
    if (!best || area(p) > area(best) || (area(p) === area(best) && (p.file_size ?? 0) > (best.file_size ?? 0))) {
      best = p;
    }
  }
  return best;
}

function displayNameOf(u: TelegramUser | undefined): string | undefined {
  const name = [u?.first_name, u?.last_name]
    .filter((s): s is string => !!s?.trim())
    .join(' ')
    .trim();
  return name || undefined;
}

/**
 * The pressed button's label, read from the message it belongs to. Falls back to the option's number for our
 * own `o:<index>` data (answers by number work too) when the keyboard is not in the update.
 */
function buttonText(message: TelegramMessage, data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  for (const row of message.reply_markup?.inline_keyboard ?? []) {
    for (const b of row) if (b.callback_data === data && b.text.trim()) return b.text;
  }
  const index = optionIndexOf(data);
  return index === undefined ? undefined : String(index + 1);
}
