import { createHash, timingSafeEqual } from 'node:crypto';

/** The header Telegram sets on webhook calls to the `secret_token` given to setWebhook. */
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * Whether the request carries our webhook secret. Header names are matched case-insensitively (frameworks
 * differ); a repeated header is refused. Both sides are hashed first so `timingSafeEqual` compares equal lengths
 * and the time taken says nothing about the secret's length either.
 */
export function hasWebhookSecret(headers: Record<string, string | string[] | undefined>, secret: string): boolean {
  let given: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== TELEGRAM_SECRET_HEADER) continue;
    if (given !== undefined || Array.isArray(value)) return false;
    given = value;
  }
  if (!given || !secret) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
