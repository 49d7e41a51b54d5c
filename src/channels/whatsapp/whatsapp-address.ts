import { normalizePhone } from '../../domain/phone';

/**
 * Addresses of WhatsApp contacts, both ways, so that an address stored with a conversation can be
 * sent to later (after restarts) without any in-memory mapping:
 *
 * - `<digits>@c.us` (the sender's phone) ⇄ E.164 `+<digits>`. WhatsApp ids always carry the country
 *   code, so the E.164 form keeps exactly the same digits and maps back to the same chat id.
 * - any other private chat id, in practice `<id>@lid` (WhatsApp's "linked id" for a user whose number
 *   is hidden) ⇄ `whatsapp:<id>@lid`. WhatsApp Web accepts sending to an `@lid` chat, so that address
 *   keeps working; once the engine identifies the customer (by CNPJ) the conversation simply continues
 *   on that address. When the library can tell the phone behind an `@lid`, the adapter uses the E.164
 *   address instead (see `createWhatsappAdapter`), and sending to `<digits>@c.us` reaches the same person.
 */

const PHONE_DIGITS = /^[1-9]\d{7,14}$/;
const PRIVATE_CHAT_ID = /^[^\s@]+@(c\.us|lid)$/;

/**
 * E.164 address of a WhatsApp phone id's digits (`5554999990000` → `+5554999990000`). Brazilian numbers
 * go through `normalizePhone` (the form contacts are matched in); a foreign number is `+<digits>`.
 * Null when the digits cannot be a phone number.
 */
export function addressFromPhoneDigits(digits: string): string | null {
  if (!PHONE_DIGITS.test(digits)) return null;
  // Only numbers with Brazil's country code are read as Brazilian: normalizePhone also accepts numbers
  // without it, which would misread e.g. a US `1 292…` as area code 12.
  if (digits.startsWith('55')) {
    const br = normalizePhone(`+${digits}`);
    if (br && br.slice(1) === digits) return br;
  }
  return `+${digits}`;
}

/**
 * Inbound address of a private chat id: E.164 for `<digits>@c.us`, `whatsapp:<chat id>` for anything
 * else (`@lid`). Null for ids that are not a private chat (groups, broadcasts, newsletters).
 */
export function addressFromChatId(chatId: string): string | null {
  const m = PRIVATE_CHAT_ID.exec(chatId);
  if (!m) return null;
  if (m[1] === 'c.us') {
    const phone = addressFromPhoneDigits(chatId.slice(0, -'@c.us'.length));
    if (phone) return phone;
  }
  return `whatsapp:${chatId}`;
}

/** Where to send for an address: the chat id, and the phone digits when the address is a phone. */
export type WhatsappTarget = { ok: true; chatId: string; phoneDigits?: string } | { ok: false; reason: string };

/**
 * Chat id for an outbound address: `+<digits>` → `<digits>@c.us` (with `phoneDigits`, so the sender may
 * look up the number's registered id first); `whatsapp:<id>@c.us|lid` → that id. Anything else (e-mail,
 * `telegram:`, a group) is not a WhatsApp private chat.
 */
export function chatIdFromAddress(address: string): WhatsappTarget {
  if (address.startsWith('+')) {
    const digits = address.slice(1);
    if (!PHONE_DIGITS.test(digits)) return { ok: false, reason: `not an E.164 phone: ${address}` };
    return { ok: true, chatId: `${digits}@c.us`, phoneDigits: digits };
  }
  if (address.startsWith('whatsapp:')) {
    const id = address.slice('whatsapp:'.length);
    if (!PRIVATE_CHAT_ID.test(id)) return { ok: false, reason: `not a WhatsApp private chat id: ${id}` };
    return { ok: true, chatId: id };
  }
  return { ok: false, reason: `not a WhatsApp address: ${address}` };
}
