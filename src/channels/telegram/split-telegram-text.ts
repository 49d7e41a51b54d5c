/** Telegram's limit on a text message, in UTF-16 code units (what the Bot API counts and JS `length` is). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Split a text into messages Telegram accepts: each non-empty and at most `limit` long. Cuts at the last
 * paragraph break that keeps a chunk reasonably full, else a line break, else a space, else anywhere that does
 * not split a surrogate pair (an emoji). The whitespace at a cut is dropped; nothing else is changed.
 * A blank text gives no chunks (the caller refuses it: Telegram would).
 */
export function splitTelegramText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.trim()) {
    if (rest.length <= limit) {
      chunks.push(rest);
      break;
    }
    const window = rest.slice(0, limit + 1);
    // A break near the start would leave a tiny chunk and many messages: only take breaks past a third.
    const floor = Math.floor(limit / 3);
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = window.lastIndexOf(sep, limit - sep.length);
      if (at >= floor) {
        cut = at;
        break;
      }
    }
    if (cut < 0) {
      cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--; // keep a surrogate pair together
    }
    const chunk = rest.slice(0, cut).trimEnd();
    if (chunk.trim()) chunks.push(chunk);
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  return chunks;
}
