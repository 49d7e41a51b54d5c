import { createHash, randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageContentType, ValidImage } from './inspect-image';

/** Which stored file: the bytes as received, or the JPEG thumbnail. */
export type MediaVariant = 'original' | 'thumb';

/**
 * What {@link MediaStore.put} stored. `sha256` is the lower-case hex digest of the bytes as received;
 * `originalPath`/`thumbPath` are relative to the store root, with `/` separators; `width`/`height` are the
 * displayed (EXIF-oriented) dimensions from the {@link ValidImage} check.
 */
export interface StoredMedia {
  sha256: string;
  contentType: ImageContentType;
  sizeBytes: number;
  width: number;
  height: number;
  originalPath: string;
  thumbPath: string;
}

/** Longest side of a thumbnail, in pixels. */
export const THUMB_MAX_SIDE = 320;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a 64-character hex string (either case); the only shape a store key may have. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value.toLowerCase());
}

/** Writes `data` to a temp file next to `target`, fsyncs it, then renames it over `target`. */
async function writeFileAtomic(target: string, data: Buffer): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // Make the rename itself durable; best effort (not every platform lets a directory be fsynced).
  const dirHandle = await fs.open(dir, 'r').catch(() => undefined);
  await dirHandle
    ?.sync()
    .catch(() => undefined)
    .finally(() => dirHandle.close().catch(() => undefined));
}

/** Size of the file at `file`, or null when there is none. */
async function sizeOf(file: string): Promise<number | null> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st.size : null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Content-addressed photo store on the local file system (no database).
 *
 * Layout under `rootDir`: `ab/cd/<sha256>` is the original, byte-for-byte as received (EXIF kept: it is
 * evidence), and `ab/cd/<sha256>.thumb.jpg` a JPEG of at most {@link THUMB_MAX_SIDE} px per side, turned upright
 * by the EXIF orientation, with all metadata stripped (no GPS leaks to whoever views thumbnails).
 *
 * Every file is written to a temp file in the same directory, fsynced and renamed, so a crash leaves either no
 * file or the whole file (at worst an orphan `.*.tmp` file, which is never read). Putting the same bytes again
 * writes nothing and returns the same record; a missing thumbnail (e.g. crash between the two writes) is
 * recreated on the next put. Concurrent puts of the same bytes are safe: both renames install identical content.
 */
export class MediaStore {
  /** Absolute root directory of the store. */
  readonly rootDir: string;

  /** @param rootDir directory holding the store; created on the first put. */
  constructor(rootDir: string) {
    this.rootDir = path.resolve(rootDir);
  }

  /**
   * Stores `bytes` (which `check` must describe: pass the result of `inspectImage` on these same bytes) and its
   * thumbnail, unless already stored. Rejects when `bytes` is empty, `check` is not a valid image, the thumbnail
   * cannot be made, or the file system fails.
   */
  async put(bytes: Buffer, check: ValidImage): Promise<StoredMedia> {
    if (!Buffer.isBuffer(bytes) || bytes.length === 0)
      throw new TypeError('MediaStore.put: bytes must be a non-empty Buffer');
    if (check?.ok !== true) throw new TypeError('MediaStore.put: check must be a successful inspectImage result');

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const record: StoredMedia = {
      sha256,
      contentType: check.contentType,
      sizeBytes: bytes.length,
      width: check.width,
      height: check.height,
      originalPath: this.pathOf(sha256, 'original'),
      thumbPath: this.pathOf(sha256, 'thumb'),
    };
    const originalFile = this.absolute(record.originalPath);
    const thumbFile = this.absolute(record.thumbPath);
    await fs.mkdir(path.dirname(originalFile), { recursive: true });

    // Same name ⇒ same content, unless the file was damaged outside this class; the size check is a cheap guard.
    if ((await sizeOf(originalFile)) !== bytes.length) await writeFileAtomic(originalFile, bytes);
    if (!(await sizeOf(thumbFile))) await writeFileAtomic(thumbFile, await makeThumbnail(bytes, check));
    return record;
  }

  /**
   * Bytes of a stored variant, or null when `sha256` is not 64 hex characters (so `../../etc/passwd` can never
   * name a path), `variant` is unknown, or nothing is stored under it. Other file-system errors reject.
   */
  async read(sha256: string, variant: MediaVariant): Promise<Buffer | null> {
    if (!isSha256Hex(sha256) || (variant !== 'original' && variant !== 'thumb')) return null;
    try {
      return await fs.readFile(this.absolute(this.pathOf(sha256, variant)));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Path of a variant relative to {@link rootDir} (`/`-separated), e.g. `ab/cd/abcd…` or `ab/cd/abcd….thumb.jpg`.
   * Throws a RangeError when `sha256` is not 64 hex characters or `variant` is unknown.
   */
  pathOf(sha256: string, variant: MediaVariant): string {
    if (!isSha256Hex(sha256)) throw new RangeError('MediaStore.pathOf: sha256 must be 64 hex characters');
    const sha = sha256.toLowerCase();
    const base = `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;
    if (variant === 'original') return base;
    if (variant === 'thumb') return `${base}.thumb.jpg`;
    throw new RangeError(`MediaStore.pathOf: unknown variant ${String(variant)}`);
  }

  private absolute(relative: string): string {
    return path.join(this.rootDir, ...relative.split('/'));
  }
}

/** Upright JPEG thumbnail without metadata; transparent areas become white. */
async function makeThumbnail(bytes: Buffer, check: ValidImage): Promise<Buffer> {
  // The image was already checked to have exactly width × height pixels: refuse anything bigger.
  const limitInputPixels = Math.max(1, check.width * check.height);
  return sharp(bytes, { limitInputPixels, failOn: 'error' })
    .autoOrient()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
}
