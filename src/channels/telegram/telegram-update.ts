import { z } from 'zod';

/**
 * The parts of a Telegram `Update` the adapter reads, parsed with zod (outside data is never cast). Objects are
 * loose: Telegram adds fields all the time and a field we do not know must not make an update unreadable.
 */
const userSchema = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

const chatSchema = z.looseObject({ id: z.number().int(), type: z.string() });

const photoSizeSchema = z.looseObject({
  file_id: z.string(),
  file_size: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
});

const documentSchema = z.looseObject({
  file_id: z.string(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  file_size: z.number().optional(),
});

const contactSchema = z.looseObject({
  phone_number: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  user_id: z.number().int().optional(),
});

const inlineButtonSchema = z.looseObject({ text: z.string(), callback_data: z.string().optional() });

const messageSchema = z.looseObject({
  message_id: z.number().int(),
  from: userSchema.optional(),
  chat: chatSchema,
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(photoSizeSchema).optional(),
  document: documentSchema.optional(),
  contact: contactSchema.optional(),
  media_group_id: z.string().optional(),
  reply_markup: z.looseObject({ inline_keyboard: z.array(z.array(inlineButtonSchema)).optional() }).optional(),
});

const callbackQuerySchema = z.looseObject({
  id: z.string(),
  from: userSchema,
  message: messageSchema.optional(),
  data: z.string().optional(),
});

/** A Telegram user as the adapter reads it. */
export type TelegramUser = z.infer<typeof userSchema>;
/** A Telegram message as the adapter reads it (other fields stay available as `unknown`). */
export type TelegramMessage = z.infer<typeof messageSchema>;
/** A Telegram photo size. */
export type TelegramPhotoSize = z.infer<typeof photoSizeSchema>;
/** An inline button press. */
export type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;

/**
 * Message kinds the bot cannot use (only text and photos are): they become an Inbound that counts one refused
 * attachment, so the engine answers politely. Service messages (pinned, auto-delete timer…) are not here: those
 * are not the customer talking.
 */
export const UNSUPPORTED_KINDS = [
  'sticker',
  'voice',
  'video',
  'video_note',
  'audio',
  'animation',
  'location',
  'venue',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'invoice',
] as const;

/** One update, reduced to what the adapter handles; `problem` says why the rest was unreadable. */
export interface ParsedUpdate {
  updateId: number;
  message?: TelegramMessage;
  callbackQuery?: TelegramCallbackQuery;
  /** Set when a `message`/`callback_query` was present but did not parse (logged, then skipped). */
  problem?: string;
}

const envelopeSchema = z.looseObject({
  update_id: z.number().int(),
  message: z.unknown().optional(),
  callback_query: z.unknown().optional(),
});

/**
 * Parse one raw update. Returns null when even `update_id` is missing (nothing to confirm); a malformed message
 * keeps the id (so polling can move past it) and says what was wrong in `problem`.
 */
export function parseTelegramUpdate(raw: unknown): ParsedUpdate | null {
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) return null;
  const out: ParsedUpdate = { updateId: env.data.update_id };
  if (env.data.message !== undefined) {
    const m = messageSchema.safeParse(env.data.message);
    if (m.success) out.message = m.data;
    else out.problem = `message: ${z.prettifyError(m.error)}`;
  }
  if (env.data.callback_query !== undefined) {
    const c = callbackQuerySchema.safeParse(env.data.callback_query);
    if (c.success) out.callbackQuery = c.data;
    else out.problem = `callback_query: ${z.prettifyError(c.error)}`;
  }
  return out;
}
