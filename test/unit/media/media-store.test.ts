import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { inspectImage, MediaStore, THUMB_MAX_SIDE, type ValidImage } from '../../../src/media';
import { jpegWithExif, png, SAMPLE_PHOTOS_DIR, webp } from '../../fixtures/media/images';

const LIMITS = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

async function validated(bytes: Buffer): Promise<ValidImage> {
  const check = await inspectImage(bytes, LIMITS);
  if (!check.ok) throw new Error(`fixture refused: ${check.reason}`);
  return check;
}

/** Every file under `dir`, relative, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

let root: string;
let store: MediaStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'posvenda-media-'));
  store = new MediaStore(root);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

describe('MediaStore.put', () => {
  it('stores the original byte-for-byte (EXIF kept) under a sha256-sharded path', async () => {
    const bytes = await jpegWithExif(1000, 600, 6);
    const stored = await store.put(bytes, await validated(bytes));
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    expect(stored).toEqual({
      sha256,
      contentType: 'image/jpeg',
      sizeBytes: bytes.length,
      width: 600,
      height: 1000,
      originalPath: `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`,
      thumbPath: `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.thumb.jpg`,
    });
    const onDisk = await fs.readFile(path.join(root, stored.originalPath));
    expect(onDisk.equals(bytes)).toBe(true);
    expect((await store.read(sha256, 'original'))?.equals(bytes)).toBe(true);
    const meta = await sharp(onDisk).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif?.toString('latin1')).toContain('PosvendaCam');
  });

  it('makes an upright JPEG thumbnail of at most 320 px, without EXIF', async () => {
    const bytes = await jpegWithExif(1000, 600, 6); // displayed 600×1000
    const stored = await store.put(bytes, await validated(bytes));
    const thumb = await store.read(stored.sha256, 'thumb');
    expect(thumb).not.toBeNull();
    const meta = await sharp(thumb!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(THUMB_MAX_SIDE);
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 192, height: 320 }); // rotated upright
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(await fs.readFile(path.join(root, stored.thumbPath))).toEqual(thumb);
  });

  it('makes JPEG thumbnails of PNG (with transparency) and WebP, never enlarging small images', async () => {
    for (const bytes of [await png(120, 90), await webp(640, 480)]) {
      const stored = await store.put(bytes, await validated(bytes));
      const meta = await sharp((await store.read(stored.sha256, 'thumb'))!).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.hasAlpha).toBe(false);
      expect([meta.width, meta.height]).toEqual(stored.width > 320 ? [320, 240] : [120, 90]);
    }
  });

  it('stores the shared sample photos', async () => {
    for (const name of ['armario_porta.jpg', 'gaveta_riscada.png', 'porta_empenada.jpg', 'quina_amassada.jpg']) {
      const bytes = await fs.readFile(path.join(SAMPLE_PHOTOS_DIR, name));
      const stored = await store.put(bytes, await validated(bytes));
      expect((await store.read(stored.sha256, 'original'))?.equals(bytes)).toBe(true);
      const thumb = await sharp((await store.read(stored.sha256, 'thumb'))!).metadata();
      expect([thumb.width, thumb.height]).toEqual([stored.width, stored.height]); // all under 320 px
    }
    expect(await listFiles(root)).toHaveLength(8);
  });

  it('is idempotent: the same bytes twice write nothing new and return the same record', async () => {
    const bytes = await jpegWithExif(500, 400, 1);
    const check = await validated(bytes);
    const first = await store.put(bytes, check);
    const filesBefore = await listFiles(root);
    const statsBefore = await Promise.all(filesBefore.map((f) => fs.stat(path.join(root, f))));

    const second = await store.put(Buffer.from(bytes), check);
    expect(second).toEqual(first);
    const filesAfter = await listFiles(root);
    expect(filesAfter).toEqual(filesBefore);
    expect(filesAfter).toEqual([first.originalPath, first.thumbPath]);
    const statsAfter = await Promise.all(filesAfter.map((f) => fs.stat(path.join(root, f))));
    expect(statsAfter.map((s) => [s.ino, s.mtimeMs])).toEqual(statsBefore.map((s) => [s.ino, s.mtimeMs]));
  });

  it('keys by the bytes as received: the same picture re-encoded is another record', async () => {
    const a = await jpegWithExif(200, 100, 1);
    const b = await sharp(a).jpeg({ quality: 50 }).toBuffer();
    const [sa, sb] = [await store.put(a, await validated(a)), await store.put(b, await validated(b))];
    expect(sa.sha256).not.toBe(sb.sha256);
    expect(await listFiles(root)).toHaveLength(4);
  });

  it('concurrent puts of the same bytes end with one original and one thumbnail', async () => {
    const bytes = await png(300, 200);
    const check = await validated(bytes);
    const records = await Promise.all([1, 2, 3, 4].map(() => store.put(bytes, check)));
    expect(new Set(records.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(await listFiles(root)).toEqual([records[0]!.originalPath, records[0]!.thumbPath]);
  });

  it('recreates a missing thumbnail without touching the original', async () => {
    const bytes = await jpegWithExif(800, 600, 3);
    const check = await validated(bytes);
    const stored = await store.put(bytes, check);
    const originalStat = await fs.stat(path.join(root, stored.originalPath));
    await fs.rm(path.join(root, stored.thumbPath));

    await store.put(bytes, check);
    expect(await store.read(stored.sha256, 'thumb')).not.toBeNull();
    const after = await fs.stat(path.join(root, stored.originalPath));
    expect([after.ino, after.mtimeMs]).toEqual([originalStat.ino, originalStat.mtimeMs]);
  });

  it('writes through a temp file + rename: a failed write leaves neither a partial file nor the temp file', async () => {
    const bytes = await jpegWithExif(300, 200, 1);
    const check = await validated(bytes);
    const rename = jest
      .spyOn(fs, 'rename')
      .mockRejectedValueOnce(Object.assign(new Error('disk died'), { code: 'EIO' }));

    await expect(store.put(bytes, check)).rejects.toThrow('disk died');
    expect(rename).toHaveBeenCalledTimes(1);
    const [tmp, target] = rename.mock.calls[0] as [string, string];
    expect(path.dirname(tmp)).toBe(path.dirname(target)); // same directory, so rename is atomic
    expect(await listFiles(root)).toEqual([]);

    rename.mockRestore();
    const stored = await store.put(bytes, check);
    expect(await listFiles(root)).toEqual([stored.originalPath, stored.thumbPath]); // no *.tmp left behind
  });

  it('refuses empty bytes and a failed check', async () => {
    const check = await validated(await png(10, 10));
    await expect(store.put(Buffer.alloc(0), check)).rejects.toThrow(TypeError);
    await expect(
      store.put(await png(10, 10), { ok: false, reason: 'not_image' } as unknown as ValidImage),
    ).rejects.toThrow(TypeError);
  });

  it('refuses bytes that do not match the check (more pixels than it declared)', async () => {
    const small = await png(10, 10);
    const big = await png(200, 200);
    await expect(store.put(big, await validated(small))).rejects.toThrow();
  });
});

describe('MediaStore.read / pathOf', () => {
  it('returns null for anything that is not a 64-hex sha256, without touching the file system', async () => {
    await fs.writeFile(path.join(root, 'secret'), 'x');
    const readFile = jest.spyOn(fs, 'readFile');
    for (const bad of [
      '../../etc/passwd',
      '../secret',
      'secret',
      '',
      'ab',
      'g'.repeat(64),
      `${'a'.repeat(64)}/../../secret`,
      `${'a'.repeat(63)}\0`,
      'a'.repeat(65),
    ]) {
      expect(await store.read(bad, 'original')).toBeNull();
      expect(await store.read(bad, 'thumb')).toBeNull();
    }
    expect(readFile).not.toHaveBeenCalled();
  });

  it('returns null for an unknown variant or a sha256 that is not stored', async () => {
    const bytes = await png(20, 20);
    const stored = await store.put(bytes, await validated(bytes));
    expect(await store.read(stored.sha256, '../secret' as 'thumb')).toBeNull();
    expect(await store.read('0'.repeat(64), 'original')).toBeNull();
    expect((await store.read(stored.sha256.toUpperCase(), 'original'))?.equals(bytes)).toBe(true);
  });

  it('pathOf gives sharded relative paths and throws on a bad sha256', () => {
    const sha = `abcd${'0'.repeat(60)}`;
    expect(store.pathOf(sha, 'original')).toBe(`ab/cd/${sha}`);
    expect(store.pathOf(sha, 'thumb')).toBe(`ab/cd/${sha}.thumb.jpg`);
    expect(() => store.pathOf('../../etc/passwd', 'original')).toThrow(RangeError);
    expect(store.rootDir).toBe(path.resolve(root));
  });
});
