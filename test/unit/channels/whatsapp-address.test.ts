import {
  addressFromChatId,
  addressFromPhoneDigits,
  chatIdFromAddress,
} from '../../../src/channels/whatsapp/whatsapp-address';

describe('WhatsApp addresses', () => {
  test.each([
    ['5554999990000', '+5554999990000'],
    ['555499990000', '+555499990000'], // old registration without the extra 9: same digits
    ['5511987654321', '+5511987654321'],
    ['351912345678', '+351912345678'],
    ['12925551234', '+12925551234'], // not read as a Brazilian area code 12
    ['5512345', null],
    ['0554999990000', null],
  ])('phone digits %s → %s', (digits, address) => {
    expect(addressFromPhoneDigits(digits)).toBe(address);
  });

  test.each([
    ['5554999990000@c.us', '+5554999990000'],
    ['123456789012345@lid', 'whatsapp:123456789012345@lid'],
    ['12036302555@g.us', null],
    ['status@broadcast', null],
    ['120363000000000000@newsletter', null],
    ['', null],
  ])('chat id %s → %s', (chatId, address) => {
    expect(addressFromChatId(chatId)).toBe(address);
  });

  test('every inbound address maps back to the chat it came from (also after a restart)', () => {
    for (const chatId of ['5554999990000@c.us', '555499990000@c.us', '351912345678@c.us', '111222333@lid']) {
      const address = addressFromChatId(chatId);
      expect(address).not.toBeNull();
      expect(chatIdFromAddress(address ?? '')).toMatchObject({ ok: true, chatId });
    }
  });

  test('E.164 → <digits>@c.us with the digits for a registration lookup', () => {
    expect(chatIdFromAddress('+5554999990000')).toEqual({
      ok: true,
      chatId: '5554999990000@c.us',
      phoneDigits: '5554999990000',
    });
  });

  test.each([
    'loja@example.com',
    'telegram:123',
    'whatsapp:1203630@g.us',
    'whatsapp:abc',
    '+55 54 99999',
    '5554999990000',
  ])('%s is not a WhatsApp private chat', (address) => {
    expect(chatIdFromAddress(address).ok).toBe(false);
  });
});
