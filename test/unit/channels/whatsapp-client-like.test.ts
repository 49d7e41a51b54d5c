import type { Client, Message } from 'whatsapp-web.js';
import type { WhatsappClientLike, WhatsappMessageLike } from '../../../src/channels/whatsapp/whatsapp-client-like';
import type { FakeWhatsappClient } from '../../support/fake-whatsapp-client';

// Compile-time checks (`tsc --noEmit` covers the tests): the real library's Client and Message fit the
// interfaces the adapter is written against, as does the stand-in. Type-only imports: nothing is loaded.
const realClientFits = (c: Client): WhatsappClientLike => c;
const realMessageFits = (m: Message): WhatsappMessageLike => m;
const fakeFits = (c: FakeWhatsappClient): WhatsappClientLike => c;

test('the real whatsapp-web.js types and the stand-in fit the adapter interfaces', () => {
  expect([realClientFits, realMessageFits, fakeFits].every((f) => typeof f === 'function')).toBe(true);
});
