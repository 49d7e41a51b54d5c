/** `telegram:<chat id>`: the address of a private chat (the chat id is the user id there). */
export function telegramAddress(chatId: number): string {
  return `telegram:${chatId}`;
}

/** The chat id of a `telegram:<chat id>` address, or undefined when the address is not one. */
export function parseTelegramAddress(address: string): number | undefined {
  const m = /^telegram:(-?\d{1,16})$/.exec(address.trim());
  return m ? Number(m[1]) : undefined;
}
