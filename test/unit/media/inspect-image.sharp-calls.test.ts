/**
 * Non-images must be refused by the magic-byte check: they never reach sharp/libvips. An accepted photo is decoded
 * once: the check's full decode makes the thumbnail the store keeps.
 */
jest.mock('sharp', () => {
  const actual = jest.requireActual('sharp');
  const spy = jest.fn((...args: unknown[]) => actual(...args));
  return Object.assign(spy, actual);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { heicDecodable, inspectImage, MediaStore, THUMB_MAX_SIDE } from '../../../src/media';
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
    expect(sharpSpy.mock.calls.length).toBeGreaterThan(0);
    for (const call of sharpSpy.mock.calls) {
      expect(call[1]).toEqual({ limitInputPixels: LIMITS.maxPixels, failOn: 'error' });
    }
  });
});

describe('the photo is decoded once on its way into the store', () => {
  const LIMITS_BIG = { maxBytes: 10 * 1024 * 1024, maxPixels: 50_000_000 };
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-decode-once-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const jpeg = () =>
    jest
      .requireActual('sharp')({ create: { width: 900, height: 600, channels: 3, background: '#a05030' } })
      .jpeg()
      .toBuffer() as Promise<Buffer>;

  /** sharp calls that read the photo itself (the thumbnail's encode reads raw pixels instead). */
  const photoReads = (bytes: Buffer) => sharpSpy.mock.calls.filter((c) => c[0] === bytes).length;

  it('put stores the thumbnail the check decoded: header read + one decode, no second decode', async () => {
    const bytes = await jpeg();
    const store = new MediaStore(root);
    sharpSpy.mockClear();
    const check = await inspectImage(bytes, LIMITS_BIG);
    if (!check.ok) throw new Error('fixture refused');
    const stored = await store.put(bytes, check);
    expect(photoReads(bytes)).toBe(2);
    const thumb = await jest
      .requireActual('sharp')(await store.read(stored.sha256, 'thumb'))
      .metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', THUMB_MAX_SIDE, 213]);
  });

  it('a check of other Buffer objects (even with equal bytes) is not trusted for the thumbnail', async () => {
    const bytes = await jpeg();
    const store = new MediaStore(root);
    const check = await inspectImage(bytes, LIMITS_BIG);
    if (!check.ok) throw new Error('fixture refused');
    sharpSpy.mockClear();
    const copy = Buffer.from(bytes);
    await store.put(copy, check);
    expect(photoReads(copy)).toBe(1); // put decoded the bytes it was given for its own thumbnail
  });
});
