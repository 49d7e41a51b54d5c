import {
  type ParsedUpdate,
  type TelegramCallbackQuery,
  type TelegramMessage,
  UNSUPPORTED_KINDS,
} from './telegram-update';

/**
 * One thing to hand to the engine: a message, an album (several messages sharing `media_group_id`, in
 * `message_id` order), or an inline button press. `updateIds` are the updates it consumes.
 */
export type TelegramUnit =
  | { kind: 'message'; chatId: number; updateIds: number[]; messages: TelegramMessage[] }
  | {
      kind: 'callback';
      chatId: number;
      updateIds: number[];
      query: TelegramCallbackQuery & { message: TelegramMessage };
    };

/** An update that produces no Inbound, and why (for the debug log). */
export interface SkippedUpdate {
  updateId: number;
  reason: string;
  /** A button press that is skipped must still be answered, or the user's client spins. */
  callbackQueryId?: string;
}

/** Result of {@link planTelegramUpdates}. */
export interface TelegramUpdatePlan {
  units: TelegramUnit[];
  skipped: SkippedUpdate[];
}

/**
 * Rule 1's inbound filter for Telegram, pure: keep private chats with a human sender, drop groups, channels,
 * bots and service messages, and merge the parts of one album that arrived in this batch into one unit
 * (CONTRACT §5: "several photos sent as an album are one burst"). Units keep the batch's order.
 */
export function planTelegramUpdates(updates: readonly ParsedUpdate[]): TelegramUpdatePlan {
  const units: TelegramUnit[] = [];
  const skipped: SkippedUpdate[] = [];
  const albums = new Map<string, Extract<TelegramUnit, { kind: 'message' }>>();

  for (const u of updates) {
    if (u.problem) {
      skipped.push({ updateId: u.updateId, reason: `unreadable ${u.problem}`, callbackQueryId: u.callbackQuery?.id });
      continue;
    }
    const m = u.message;
    if (m) {
      const why = messageSkipReason(m);
      if (why) {
        skipped.push({ updateId: u.updateId, reason: why });
        continue;
      }
      if (m.media_group_id) {
        const key = `${m.chat.id}:${m.media_group_id}`;
        const album = albums.get(key);
        if (album) {
          album.messages.push(m);
          album.messages.sort((a, b) => a.message_id - b.message_id);
          album.updateIds.push(u.updateId);
          continue;
        }
        const unit = { kind: 'message' as const, chatId: m.chat.id, updateIds: [u.updateId], messages: [m] };
        albums.set(key, unit);
        units.push(unit);
        continue;
      }
      units.push({ kind: 'message', chatId: m.chat.id, updateIds: [u.updateId], messages: [m] });
      continue;
    }
    const q = u.callbackQuery;
    if (q) {
      const qm = q.message;
      if (!qm)
        skipped.push({ updateId: u.updateId, reason: 'button press without its message', callbackQueryId: q.id });
      else if (qm.chat.type !== 'private')
        skipped.push({ updateId: u.updateId, reason: `button press in a ${qm.chat.type} chat`, callbackQueryId: q.id });
      else if (q.from.is_bot)
        skipped.push({ updateId: u.updateId, reason: 'button press by a bot', callbackQueryId: q.id });
      else units.push({ kind: 'callback', chatId: qm.chat.id, updateIds: [u.updateId], query: { ...q, message: qm } });
      continue;
    }
    skipped.push({ updateId: u.updateId, reason: 'update type not handled' });
  }
  return { units, skipped };
}

function messageSkipReason(m: TelegramMessage): string | undefined {
  if (m.chat.type !== 'private') return `${m.chat.type} chat`;
  if (!m.from) return 'no sender';
  if (m.from.is_bot) return 'sent by a bot';
  const customerContent =
    m.text !== undefined ||
    m.caption !== undefined ||
    m.photo !== undefined ||
    m.document !== undefined ||
    m.contact !== undefined ||
    UNSUPPORTED_KINDS.some((k) => m[k] !== undefined);
  return customerContent ? undefined : 'service message';
}
