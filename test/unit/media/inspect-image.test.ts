import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { acceptedImageTypes, heicDecodable, type ImageCheck, inspectImage } from '../../../src/media';
import {
  avif,
  gif,
  HTML_BYTES,
  heicBranded,
  jpegWithExif,
  MP4_HEADER,
  PDF_BYTES,
  png,
  pseudoRandomBytes,
  SAMPLE_PHOTOS_DIR,
  SVG_WITH_SCRIPT,
  tiff,
  webp,
} from '../../fixtures/media/images';

const LIMITS = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

function reasonOf(check: ImageCheck): string {
  return check.ok ? `ok:${check.contentType}` : check.reason;
}

describe('inspectImage: accepted photos', () => {
  it('accepts a JPEG with EXIF orientation and reports the displayed (rotated) size', async () => {
    const bytes = await jpegWithExif(400, 200, 6);
    expect(await inspectImage(bytes, LIMITS)).toEqual({
      ok: true,
      contentType: 'image/jpeg',
      width: 200,
      height: 400,
      format: 'jpeg',
    });
  });

  it('accepts PNG, WebP and AVIF by content', async () => {
    expect(await inspectImage(await png(120, 90), LIMITS)).toEqual({
      ok: true,
      contentType: 'image/png',
      width: 120,
      height: 90,
      format: 'png',
    });
    expect(await inspectImage(await webp(160, 120), LIMITS)).toEqual({
      ok: true,
      contentType: 'image/webp',
      width: 160,
      height: 120,
      format: 'webp',
    });
    expect(await inspectImage(await avif(64, 48), LIMITS)).toEqual({
      ok: true,
      contentType: 'image/avif',
      width: 64,
      height: 48,
      format: 'heif',
    });
  });

  it('judges the shared sample photos by content, not by their .jpg/.png names', async () => {
    const expected: Record<string, string> = {
      'armario_porta.jpg': 'ok:image/jpeg',
      'gaveta_riscada.png': 'ok:image/png',
      'porta_empenada.jpg': 'ok:image/jpeg',
      'quina_amassada.jpg': 'ok:image/jpeg',
      'foto_corrompida.jpg': 'not_image', // a PDF named .jpg
    };
    for (const [name, want] of Object.entries(expected)) {
      const check = await inspectImage(await readFile(path.join(SAMPLE_PHOTOS_DIR, name)), LIMITS);
      expect([name, reasonOf(check)]).toEqual([name, want]);
    }
    const porta = await inspectImage(await readFile(path.join(SAMPLE_PHOTOS_DIR, 'porta_empenada.jpg')), LIMITS);
    expect(porta).toMatchObject({ ok: true, width: 168, height: 224 });
  });

  it('lists what this build accepts', () => {
    expect(acceptedImageTypes).toEqual(expect.arrayContaining(['image/jpeg', 'image/png', 'image/webp', 'image/avif']));
    expect(acceptedImageTypes.includes('image/heic')).toBe(heicDecodable);
    expect(heicDecodable).toBe(sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false);
  });
});

describe('inspectImage: refusals', () => {
  it('refuses zero bytes as empty', async () => {
    expect(await inspectImage(Buffer.alloc(0), LIMITS)).toEqual({ ok: false, reason: 'empty' });
  });

  it('refuses more bytes than maxBytes before looking at them', async () => {
    const bytes = await jpegWithExif(300, 300);
    expect(await inspectImage(bytes, { ...LIMITS, maxBytes: bytes.length - 1 })).toEqual({
      ok: false,
      reason: 'too_large',
    });
    expect(await inspectImage(bytes, { ...LIMITS, maxBytes: bytes.length })).toMatchObject({ ok: true });
  });

  it('refuses an image with more pixels than maxPixels', async () => {
    const bytes = await png(100, 100); // 10 000 pixels
    expect(await inspectImage(bytes, { ...LIMITS, maxPixels: 1000 })).toEqual({ ok: false, reason: 'too_many_pixels' });
    expect(await inspectImage(bytes, { ...LIMITS, maxPixels: 10_000 })).toMatchObject({ ok: true });
    const jpeg = await jpegWithExif(50, 40);
    expect(await inspectImage(jpeg, { ...LIMITS, maxPixels: 1999 })).toEqual({ ok: false, reason: 'too_many_pixels' });
  });

  it('refuses a PDF, an HTML page, an MP4 and random bytes as not_image', async () => {
    for (const [name, bytes] of [
      ['pdf', PDF_BYTES],
      ['html', HTML_BYTES],
      ['mp4', MP4_HEADER],
      ['random', pseudoRandomBytes(4096)],
      ['one byte', Buffer.from([0xff])],
      ['jpeg magic only', Buffer.from([0xff, 0xd8, 0xff])],
      ['png signature only', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
      ['webp riff header only', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')],
    ] as const) {
      expect([name, await inspectImage(bytes, LIMITS)]).toEqual([name, { ok: false, reason: 'not_image' }]);
    }
  });

  it('refuses an SVG carrying a script (and a bare <svg>) as unsupported', async () => {
    expect(await inspectImage(SVG_WITH_SCRIPT, LIMITS)).toEqual({ ok: false, reason: 'unsupported' });
    const bare = Buffer.from('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"><circle r="5"/></svg>');
    expect(await inspectImage(bare, LIMITS)).toEqual({ ok: false, reason: 'unsupported' });
  });

  it('refuses GIF and TIFF as unsupported', async () => {
    expect(await inspectImage(await gif(), LIMITS)).toEqual({ ok: false, reason: 'unsupported' });
    expect(await inspectImage(await tiff(), LIMITS)).toEqual({ ok: false, reason: 'unsupported' });
  });

  it('refuses HEIC unless this sharp build can decode HEVC', async () => {
    const check = await inspectImage(await heicBranded(), LIMITS);
    // The fixture is AV1 data under a HEIC brand: with an HEVC decoder it is corrupt, without one unsupported.
    expect(check).toEqual({ ok: false, reason: heicDecodable ? 'not_image' : 'unsupported' });
  });

  it('refuses truncated JPEG, PNG and WebP files as not_image', async () => {
    for (const [name, full] of [
      ['jpeg', await jpegWithExif(400, 300)],
      ['png', await png(200, 150)],
      ['webp', await webp(300, 200)],
    ] as const) {
      for (const fraction of [0.1, 0.5, 0.9, 0.99]) {
        const cut = full.subarray(0, Math.floor(full.length * fraction));
        expect([name, fraction, await inspectImage(cut, LIMITS)]).toEqual([
          name,
          fraction,
          { ok: false, reason: 'not_image' },
        ]);
      }
    }
  });

  it('refuses a JPEG header glued to an HTML body', async () => {
    const polyglot = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), HTML_BYTES]);
    expect(await inspectImage(polyglot, LIMITS)).toEqual({ ok: false, reason: 'not_image' });
  });

  it('never throws for arbitrary bytes, nor for damaged real images', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (arr) => {
        const check = await inspectImage(Buffer.from(arr), LIMITS);
        expect(check.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    const seed = await jpegWithExif(120, 80);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seed.length - 1 }),
        fc.nat({ max: seed.length }),
        fc.integer({ min: 1, max: 255 }),
        async (at, cut, xor) => {
          const damaged = Buffer.from(seed.subarray(0, Math.max(cut, at + 1)));
          damaged[at] = (damaged[at] ?? 0) ^ xor;
          const check = await inspectImage(damaged, LIMITS);
          expect(typeof check.ok).toBe('boolean');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never throws when handed something that is not a Buffer', async () => {
    expect(await inspectImage('hello' as unknown as Buffer, LIMITS)).toEqual({ ok: false, reason: 'not_image' });
  });

  it('rejects nonsensical limits (a programming error, not bad input)', async () => {
    const bytes = await png(10, 10);
    await expect(inspectImage(bytes, { maxBytes: 0, maxPixels: 100 })).rejects.toThrow(RangeError);
    await expect(inspectImage(bytes, { maxBytes: 100, maxPixels: Number.NaN })).rejects.toThrow(RangeError);
  });
});
