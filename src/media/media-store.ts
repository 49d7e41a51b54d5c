import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type ImageContentType, thumbnailFromCheck, type ValidImage } from './inspect-image';
import { encodeThumbnail, makeThumbnail } from './thumbnail';

export { THUMB_MAX_SIDE } from './thumbnail';

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

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a 64-character hex string (either case); the only shape a store key may have. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value.toLowerCase());
}

/**
 * Writes each file to a temp file in `dir` (its target's directory), fsyncs them, renames them over their
 * targets, then fsyncs `dir` once so the renames are durable too.
 */
async function writeFilesAtomic(dir: string, files: { target: string; data: Buffer }[]): Promise<void> {
  const tmps = files.map(({ target }) =>
    path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`),
  );
  try {
    // Settle every write before cleaning up, so no temp file is still being created when the others are removed.
    const writes = await Promise.allSettled(
      files.map(async ({ data }, i) => {
        const handle = await fs.open(tmps[i] as string, 'wx', 0o644);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
      }),
    );
    const failed = writes.find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [i, { target }] of files.entries()) await fs.rename(tmps[i] as string, target);
  } catch (err) {
    await Promise.all(tmps.map((tmp) => fs.rm(tmp, { force: true }).catch(() => undefined)));
    throw err;
  }
  // Make the renames durable; best effort (not every platform lets a directory be fsynced).
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
    const dir = path.dirname(originalFile);

    // Same name ⇒ same content, unless the file was damaged outside this class; the size check is a cheap guard.
    // A new photo (no original) has no thumbnail either, so only a photo seen before pays for the second look.
    const originalSize = await sizeOf(originalFile);
    const thumbSize = originalSize === null ? null : await sizeOf(thumbFile);
    if (originalSize === null) await fs.mkdir(dir, { recursive: true });
    const files: { target: string; data: Buffer }[] = [];
    if (originalSize !== bytes.length) files.push({ target: originalFile, data: bytes });
    if (!thumbSize) {
      // The check decoded these very bytes already; otherwise the image must have exactly the pixels it declared.
      const pixels = thumbnailFromCheck(check, bytes);
      const data = pixels
        ? await encodeThumbnail(pixels)
        : await makeThumbnail(bytes, { limitInputPixels: Math.max(1, check.width * check.height), failOn: 'error' });
      files.push({ target: thumbFile, data });
    }
    if (files.length > 0) await writeFilesAtomic(dir, files);
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
