/** Label of the reply-keyboard button that shares the user's own phone number (pt-BR, as the bot speaks). */
export const DEFAULT_CONTACT_BUTTON_TEXT = '📱 Compartilhar meu telefone';

/** Telegram's limit on buttons per keyboard. */
const MAX_BUTTONS = 100;

/**
 * callback_data of option `index`: short and ASCII, far below Telegram's 64-byte limit, and independent of the
 * label (labels can be long or accented; the label is read back from the message on a press).
 */
export function optionCallbackData(index: number): string {
  return `o:${index}`;
}

/** The option index encoded by {@link optionCallbackData}, or undefined for any other data. */
export function optionIndexOf(data: string): number | undefined {
  const m = /^o:(\d{1,3})$/.exec(data);
  return m ? Number(m[1]) : undefined;
}

/** An InlineKeyboardMarkup / ReplyKeyboardMarkup / ReplyKeyboardRemove, as sent in `reply_markup`. */
export type TelegramReplyMarkup =
  | { inline_keyboard: { text: string; callback_data: string }[][] }
  | {
      keyboard: ({ text: string } | { text: string; request_contact: true })[][];
      one_time_keyboard: true;
      resize_keyboard: true;
    }
  | { remove_keyboard: true };

/**
 * The keyboard of a message (Telegram takes one `reply_markup` per message):
 * - options only → inline buttons, one per row (a press comes back as a callback query);
 * - askContact → one reply keyboard: the options as plain buttons (a press sends the label as text, which the
 *   engine understands like a typed answer) and, last, the `request_contact` button. One message, no extra text
 *   invented by the adapter, and the user sees every choice in one place;
 * - neither, while a contact keyboard may still be open → `remove_keyboard`, so a stale "share my phone"
 *   button does not linger under later questions.
 * Empty labels are dropped (Telegram refuses them); the callback index keeps the option's original position.
 */
export function buildTelegramReplyMarkup(
  msg: { options?: string[]; askContact?: boolean },
  opts: { contactButtonText: string; removeKeyboard: boolean },
): TelegramReplyMarkup | undefined {
  const options = (msg.options ?? [])
    .map((text, index) => ({ text: text.trim(), index }))
    .filter((o) => o.text.length > 0);
  if (msg.askContact) {
    const rows: ({ text: string } | { text: string; request_contact: true })[][] = options
      .slice(0, MAX_BUTTONS - 1)
      .map((o) => [{ text: o.text }]);
    rows.push([{ text: opts.contactButtonText, request_contact: true }]);
    return { keyboard: rows, one_time_keyboard: true, resize_keyboard: true };
  }
  if (options.length) {
    return {
      inline_keyboard: options
        .slice(0, MAX_BUTTONS)
        .map((o) => [{ text: o.text, callback_data: optionCallbackData(o.index) }]),
    };
  }
  return opts.removeKeyboard ? { remove_keyboard: true } : undefined;
}
