import sharp from 'sharp';

/** Longest side of a thumbnail, in pixels. */
export const THUMB_MAX_SIDE = 320;

/** A thumbnail's pixels before JPEG encoding: upright, at most {@link THUMB_MAX_SIDE} per side, no alpha. */
export interface ThumbnailPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * Decodes the whole image into the thumbnail's pixels: turned upright by the EXIF orientation, shrunk to fit
 * {@link THUMB_MAX_SIDE}, transparent areas made white. Under `failOn: 'error'` it also fails on truncated or
 * corrupt pixel data, which is what makes it the full-decode check of `inspectImage`.
 */
export async function decodeThumbnail(
  bytes: Buffer,
  options: { limitInputPixels: number; failOn: 'error' },
): Promise<ThumbnailPixels> {
  const { data, info } = await sharp(bytes, options)
    .autoOrient()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * The thumbnail file: a JPEG of the pixels, with no metadata at all (no GPS leaks to whoever views it). Plain
 * libjpeg with optimised Huffman tables, not mozjpeg: for a 320 px thumbnail mozjpeg's trellis search costs ~4×
 * the CPU (~5 ms against ~1.3) to save a few KB on a file only the staff console shows (docs/decisions.md §27).
 */
export function encodeThumbnail(pixels: ThumbnailPixels): Promise<Buffer> {
  const { data, width, height, channels } = pixels;
  return sharp(data, { raw: { width, height, channels } }).jpeg({ quality: 80, optimiseCoding: true }).toBuffer();
}

/** Decode and encode in one go, for bytes whose check did not keep the pixels. */
export async function makeThumbnail(
  bytes: Buffer,
  options: { limitInputPixels: number; failOn: 'error' },
): Promise<Buffer> {
  return encodeThumbnail(await decodeThumbnail(bytes, options));
}
