/**
 * The WhatsApp channel over whatsapp-web.js. The composition root wires
 * `createWhatsappAdapter({ createClient: () => createRealWhatsappClient({ dataDir: <DATA_DIR>/whatsapp, chromiumPath }), … })`.
 * Importing this index loads whatsapp-web.js (for `createRealWhatsappClient`); tests import the
 * adapter's own modules directly and never do.
 */
export { createRealWhatsappClient, type RealWhatsappClientOptions } from './create-real-whatsapp-client';
export { createWhatsappAdapter, type WhatsappAdapter, type WhatsappAdapterOptions } from './create-whatsapp-adapter';
export { qrDataUrl } from './qr-data-url';
export { OPTIONS_HINT, renderWhatsappText } from './render-whatsapp-text';
export { addressFromChatId, addressFromPhoneDigits, chatIdFromAddress, type WhatsappTarget } from './whatsapp-address';
export type { WhatsappClientEvent, WhatsappClientLike, WhatsappMessageLike } from './whatsapp-client-like';
