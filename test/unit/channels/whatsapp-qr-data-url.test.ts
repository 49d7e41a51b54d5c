import { qrDataUrl } from '../../../src/channels/whatsapp/qr-data-url';

test('qrDataUrl renders the pairing string as a PNG data URL', async () => {
  const url = await qrDataUrl('2@abcDEF123,xyz=,uvw=,rst=');
  expect(url.startsWith('data:image/png;base64,')).toBe(true);
  const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
});
