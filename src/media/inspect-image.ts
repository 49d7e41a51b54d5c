import sharp from 'sharp';
import { decodeThumbnail, type ThumbnailPixels } from './thumbnail';

/** Content types an accepted photo can have (decided from the bytes, never from the sender's claim). */
export type ImageContentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'image/avif';

/**
 * Why bytes were refused:
 * - `empty`: zero bytes;
 * - `too_large`: more bytes than `maxBytes` (checked before anything else is read);
 * - `too_many_pixels`: width × height above `maxPixels` (decompression-bomb guard);
 * - `unsupported`: recognisably an image, but in a format we do not take (GIF, TIFF/camera RAW, BMP, SVG,
 *   JPEG XL, JPEG 2000, PSD, HEIC when this sharp build has no HEVC decoder);
 * - `not_image`: anything else, including PDFs, HTML, random bytes and truncated/corrupt JPEG/PNG/WebP/AVIF.
 */
export type ImageRejection = 'too_large' | 'not_image' | 'unsupported' | 'too_many_pixels' | 'empty';

/**
 * An image that decoded completely. `width`/`height` are the dimensions as displayed, i.e. after the EXIF
 * orientation is applied (a portrait phone photo stored landscape + `Orientation=6` reports portrait).
 * `format` is sharp's loader name (`jpeg`, `png`, `webp`, `heif`).
 */
export type ValidImage = {
  ok: true;
  contentType: ImageContentType;
  width: number;
  height: number;
  format: string;
};

/** Result of {@link inspectImage}. */
export type ImageCheck = ValidImage | { ok: false; reason: ImageRejection };

/** Limits for {@link inspectImage}; both must be positive integers. */
export interface InspectImageOptions {
  /** Largest accepted input, in bytes. */
  maxBytes: number;
  /** Largest accepted width × height (passed to sharp as `limitInputPixels`). */
  maxPixels: number;
}

type Family = 'jpeg' | 'png' | 'webp' | 'heif';
type HeifHint = 'avif' | 'heic' | 'unknown';
type Sniff = { kind: 'candidate'; family: Family; heif?: HeifHint } | { kind: 'unsupported' } | { kind: 'not_image' };

/**
 * Whether this sharp/libvips build can decode HEVC-compressed HEIF (iPhone "HEIC" photos). The prebuilt sharp
 * binaries ship libheif with the AV1 decoder only (patents), in which case libvips lists only `.avif` among the
 * heif loader's suffixes; a libvips built with libde265 adds `.heic`/`.heif`.
 */
export const heicDecodable: boolean = (() => {
  try {
    const suffixes = sharp.format.heif?.input?.fileSuffix ?? [];
    return sharp.format.heif?.input?.buffer === true && suffixes.includes('.heic');
  } catch {
    return false;
  }
})();

/** Content types {@link inspectImage} can accept with this sharp build (HEIC only when {@link heicDecodable}). */
export const acceptedImageTypes: readonly ImageContentType[] = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/avif',
  ...(heicDecodable ? (['image/heic'] as const) : []),
]);

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_GENERIC_BRANDS = new Set(['mif1', 'msf1', 'miaf', 'mif2']);
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function startsWith(bytes: Buffer, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, Math.min(end, bytes.length));
}

/** ISO-BMFF `ftyp` box → HEIF family hint, or null when it is not a HEIF image (MP4/MOV video, etc.). */
function sniffIsoBmff(bytes: Buffer): HeifHint | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = bytes.readUInt32BE(0);
  if (boxSize < 16 || boxSize > 4096 || boxSize > bytes.length || boxSize % 4 !== 0) return null;
  const brands = [ascii(bytes, 8, 12)];
  for (let i = 16; i + 4 <= boxSize; i += 4) brands.push(ascii(bytes, i, i + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  if (brands.some((b) => HEIF_GENERIC_BRANDS.has(b))) return 'unknown';
  return null;
}

/**
 * SVG: a text format that must never reach libvips' SVG loader (scripts, external entities, huge renders).
 * True when the first element after any XML declaration, comments and doctype is `<svg`.
 */
function looksLikeSvg(bytes: Buffer): boolean {
  let head = ascii(bytes, 0, 4096)
    .replace(/^(\uFEFF|\xEF\xBB\xBF)/, '')
    .trimStart()
    .toLowerCase();
  const prolog = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!doctype[^[>]*(\[[\s\S]*?\])?\s*>)\s*/;
  for (let m = prolog.exec(head); m; m = prolog.exec(head)) head = head.slice(m[0].length);
  return /^<(svg:)?svg[\s>/]/.test(head);
}

/** Cheap magic-byte classification; only `candidate` bytes are ever handed to sharp. */
function sniff(bytes: Buffer): Sniff {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'candidate', family: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'candidate', family: 'png' };
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') {
    return { kind: 'candidate', family: 'webp' };
  }
  const heif = sniffIsoBmff(bytes);
  if (heif === 'heic' && !heicDecodable) return { kind: 'unsupported' };
  if (heif) return { kind: 'candidate', family: 'heif', heif };

  // Image formats we recognise but do not accept.
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'unsupported' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'unsupported' }; // TIFF, and the TIFF-based camera RAWs (DNG, CR2, NEF, ...)
  }
  if (startsWith(bytes, [0xff, 0x0a])) return { kind: 'unsupported' }; // JPEG XL codestream
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) {
    return { kind: 'unsupported' }; // JPEG XL container
  }
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) {
    return { kind: 'unsupported' }; // JPEG 2000
  }
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'unsupported' }; // Photoshop
  if (
    bytes.length >= 18 &&
    ascii(bytes, 0, 2) === 'BM' &&
    bytes.readUInt32LE(6) === 0 &&
    BMP_DIB_HEADER_SIZES.has(bytes.readUInt32LE(14))
  ) {
    return { kind: 'unsupported' };
  }
  if (looksLikeSvg(bytes)) return { kind: 'unsupported' };
  return { kind: 'not_image' };
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`inspectImage: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function contentTypeOf(family: Family, compression: string | undefined): ImageContentType | null {
  switch (family) {
    case 'jpeg':
      return 'image/jpeg';
    case 'png':
      return 'image/png';
    case 'webp':
      return 'image/webp';
    case 'heif':
      if (compression === 'av1') return 'image/avif';
      if (compression === 'hevc' && heicDecodable) return 'image/heic';
      return null;
  }
}

/**
 * Thumbnail pixels decoded while checking, by check result; they go with the result when it is no longer
 * referenced. Kept unencoded: a photo the store already holds never needs the JPEG.
 */
const thumbnails = new WeakMap<ValidImage, { bytes: Buffer; pixels: ThumbnailPixels }>();

/**
 * The thumbnail pixels {@link inspectImage} decoded while producing `check`, if `check` came from inspecting
 * this very Buffer object (not merely equal bytes); otherwise undefined, and the caller decodes its own.
 */
export function thumbnailFromCheck(check: ValidImage, bytes: Buffer): ThumbnailPixels | undefined {
  const made = thumbnails.get(check);
  return made?.bytes === bytes ? made.pixels : undefined;
}

/**
 * Decides whether untrusted bytes are a photo we accept, by content only (magic bytes, then sharp), never by
 * the file name or the content type the channel claimed.
 *
 * Accepted: JPEG, PNG (APNG: first frame), WebP (animated: first frame), AVIF, and HEIC only when this sharp
 * build can decode HEVC ({@link heicDecodable}; the prebuilt binaries cannot, so HEIC is `unsupported` there).
 * Refused as `unsupported`: GIF (256 colours is poor evidence of damage, and WhatsApp/Telegram turn GIFs into
 * MP4 anyway), SVG and any other vector/text format (never handed to libvips), TIFF/RAW, BMP, JPEG XL/2000, PSD.
 *
 * Sizes are checked in this order: empty, `maxBytes`, magic bytes, header (`maxPixels`), then a full decode
 * with `failOn: 'error'` so a truncated or corrupt file is refused (`not_image`) instead of stored. That decode
 * gives the thumbnail's pixels, which {@link MediaStore.put} encodes instead of decoding the photo a second time
 * ({@link thumbnailFromCheck}).
 *
 * Never throws for any `bytes` (garbage, truncated, hostile); rejects only when `opts` are not positive integers.
 */
export async function inspectImage(bytes: Buffer, opts: InspectImageOptions): Promise<ImageCheck> {
  const maxBytes = positiveInteger('maxBytes', opts?.maxBytes);
  const maxPixels = positiveInteger('maxPixels', opts?.maxPixels);
  if (!Buffer.isBuffer(bytes)) return { ok: false, reason: 'not_image' };
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large' };

  const sniffed = sniff(bytes);
  if (sniffed.kind !== 'candidate') return { ok: false, reason: sniffed.kind };

  const options = { limitInputPixels: maxPixels, failOn: 'error' } as const;
  try {
    const meta = await sharp(bytes, options).metadata();
    if (meta.format !== sniffed.family) return { ok: false, reason: 'not_image' };
    const { width, height } = meta.autoOrient ?? meta;
    if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
      return { ok: false, reason: 'not_image' };
    }
    if (width * height > maxPixels) return { ok: false, reason: 'too_many_pixels' };
    const contentType = contentTypeOf(sniffed.family, meta.compression);
    if (!contentType) return { ok: false, reason: 'unsupported' };

    // The header can be fine while the pixel data is truncated: decode everything, into the thumbnail's pixels.
    const pixels = await decodeThumbnail(bytes, options);
    const valid: ValidImage = { ok: true, contentType, width, height, format: meta.format };
    thumbnails.set(valid, { bytes, pixels });
    return valid;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) return { ok: false, reason: 'too_many_pixels' };
    if (sniffed.family === 'heif' && /decod(er|ing plugin)|unsupported codec/i.test(message)) {
      return { ok: false, reason: 'unsupported' };
    }
    return { ok: false, reason: 'not_image' };
  }
}
