import { hasWebhookSecret } from '../../../src/channels/telegram/has-webhook-secret';
import { planTelegramUpdates } from '../../../src/channels/telegram/plan-telegram-updates';
import { splitTelegramText } from '../../../src/channels/telegram/split-telegram-text';
import { parseTelegramAddress, telegramAddress } from '../../../src/channels/telegram/telegram-address';
import { buildTelegramReplyMarkup, optionIndexOf } from '../../../src/channels/telegram/telegram-reply-markup';
import { parseTelegramUpdate } from '../../../src/channels/telegram/telegram-update';

describe('splitTelegramText', () => {
  test('short texts stay whole; blank texts give nothing', () => {
    expect(splitTelegramText('Olá!')).toEqual(['Olá!']);
    expect(splitTelegramText('  \n ')).toEqual([]);
  });

  test('prefers paragraph, then line, then word boundaries', () => {
    expect(splitTelegramText('aaaa bbbb\n\ncccc', 12)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitTelegramText('aaaa\nbbbb cccc', 12)).toEqual(['aaaa', 'bbbb cccc']);
    expect(splitTelegramText('aaaa bbbb cccc', 12)).toEqual(['aaaa bbbb', 'cccc']);
  });

  test('hard cuts never split an emoji, and every chunk fits', () => {
    const text = `${'x'.repeat(9)}😀${'y'.repeat(20)}`;
    const parts = splitTelegramText(text, 10);
    expect(parts.join('')).toBe(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(10);
      expect(p).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
  });

  test('a long text keeps all its words', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `palavra${i}`).join(' ');
    const parts = splitTelegramText(text);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });
});

describe('hasWebhookSecret', () => {
  test('matches the header case-insensitively, refuses wrong, missing and repeated ones', () => {
    expect(hasWebhookSecret({ 'X-Telegram-Bot-Api-Secret-Token': 's3cr3t' }, 's3cr3t')).toBe(true);
    expect(hasWebhookSecret({ 'x-telegram-bot-api-secret-token': 's3cr3' }, 's3cr3t')).toBe(false);
    expect(hasWebhookSecret({}, 's3cr3t')).toBe(false);
    expect(hasWebhookSecret({ 'x-telegram-bot-api-secret-token': ['s3cr3t'] }, 's3cr3t')).toBe(false);
    expect(hasWebhookSecret({ 'x-telegram-bot-api-secret-token': '' }, '')).toBe(false);
  });
});

describe('addresses and markup', () => {
  test('telegram:<chat id> round-trips; other addresses do not parse', () => {
    expect(parseTelegramAddress(telegramAddress(123456789))).toBe(123456789);
    expect(parseTelegramAddress('telegram:abc')).toBeUndefined();
    expect(parseTelegramAddress('+5554999990000')).toBeUndefined();
  });

  test('options inline with short callback data; askContact as one reply keyboard', () => {
    const inline = buildTelegramReplyMarkup(
      { options: ['Sim', '', 'Não'] },
      { contactButtonText: 'Tel', removeKeyboard: false },
    );
    expect(inline).toEqual({
      inline_keyboard: [[{ text: 'Sim', callback_data: 'o:0' }], [{ text: 'Não', callback_data: 'o:2' }]],
    });
    expect(optionIndexOf('o:2')).toBe(2);
    expect(optionIndexOf('x')).toBeUndefined();
    const contact = buildTelegramReplyMarkup(
      { options: ['Informar CNPJ'], askContact: true },
      { contactButtonText: 'Tel', removeKeyboard: false },
    );
    expect(contact).toEqual({
      keyboard: [[{ text: 'Informar CNPJ' }], [{ text: 'Tel', request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    expect(buildTelegramReplyMarkup({}, { contactButtonText: 'Tel', removeKeyboard: true })).toEqual({
      remove_keyboard: true,
    });
    expect(buildTelegramReplyMarkup({}, { contactButtonText: 'Tel', removeKeyboard: false })).toBeUndefined();
  });
});

describe('planTelegramUpdates', () => {
  const user = (id: number) => ({ id, is_bot: false, first_name: 'U' });
  const msg = (updateId: number, chatId: number, messageId: number, extra: Record<string, unknown> = {}) =>
    parseTelegramUpdate({
      update_id: updateId,
      message: { message_id: messageId, from: user(chatId), chat: { id: chatId, type: 'private' }, date: 0, ...extra },
    });

  test('groups album parts per chat, keeps order, skips service messages and unreadable updates', () => {
    const photo = [{ file_id: 'f', width: 1, height: 1 }];
    const updates = [
      msg(1, 10, 1, { photo, media_group_id: 'g' }),
      msg(2, 20, 1, { text: 'oi' }),
      msg(3, 10, 3, { photo, media_group_id: 'g' }),
      msg(4, 10, 2, { photo, media_group_id: 'g' }),
      msg(5, 10, 4, { pinned_message: {} }),
      parseTelegramUpdate({ update_id: 6, message: { chat: 'nope' } }),
    ].filter((u) => u !== null);
    const plan = planTelegramUpdates(updates);
    expect(plan.units.map((u) => [u.chatId, u.updateIds])).toEqual([
      [10, [1, 3, 4]],
      [20, [2]],
    ]);
    const album = plan.units[0];
    expect(album?.kind === 'message' && album.messages.map((m) => m.message_id)).toEqual([1, 2, 3]);
    expect(plan.skipped.map((s) => s.updateId)).toEqual([5, 6]);
  });

  test('an update without update_id is not an update', () => {
    expect(parseTelegramUpdate({ message: {} })).toBeNull();
  });
});
