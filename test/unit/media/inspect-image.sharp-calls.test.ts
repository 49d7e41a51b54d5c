/** Non-images must be refused by the magic-byte check: they never reach sharp/libvips. */
jest.mock('sharp', () => {
  const actual = jest.requireActual('sharp');
  const spy = jest.fn((...args: unknown[]) => actual(...args));
  return Object.assign(spy, actual);
});

import sharp from 'sharp';
import { heicDecodable, inspectImage } from '../../../src/media';
import {
  gif,
  HTML_BYTES,
  heicBranded,
  MP4_HEADER,
  PDF_BYTES,
  pseudoRandomBytes,
  SVG_WITH_SCRIPT,
} from '../../fixtures/media/images';

const LIMITS = { maxBytes: 1024 * 1024, maxPixels: 1_000_000 };
const sharpSpy = sharp as unknown as jest.Mock;

describe('inspectImage: libvips only sees candidate images', () => {
  it('does not call sharp for SVG, PDF, HTML, MP4, GIF, random bytes or too-large input', async () => {
    const inputs = [SVG_WITH_SCRIPT, PDF_BYTES, HTML_BYTES, MP4_HEADER, await gif(), pseudoRandomBytes(1000, 7)];
    if (!heicDecodable) inputs.push(await heicBranded());
    sharpSpy.mockClear();
    for (const bytes of inputs) expect((await inspectImage(bytes, LIMITS)).ok).toBe(false);
    expect((await inspectImage(Buffer.alloc(LIMITS.maxBytes + 1, 0xff), LIMITS)).ok).toBe(false);
    expect(sharpSpy).not.toHaveBeenCalled();
  });

  it('passes the pixel limit and failOn: error to sharp', async () => {
    const bytes = await jest
      .requireActual('sharp')({
        create: { width: 8, height: 8, channels: 3, background: '#808080' },
      })
      .png()
      .toBuffer();
    sharpSpy.mockClear();
    expect(await inspectImage(bytes, LIMITS)).toMatchObject({ ok: true, contentType: 'image/png' });
    expect(sharpSpy).toHaveBeenCalled();
    for (const call of sharpSpy.mock.calls) {
      expect(call[1]).toEqual({ limitInputPixels: LIMITS.maxPixels, failOn: 'error' });
    }
  });
});
