import sharp from 'sharp';

/** Longest side of a thumbnail, in pixels. */
export const THUMB_MAX_SIDE = 320;

/**
 * Upright JPEG thumbnail without metadata (no GPS leaks to whoever views thumbnails); transparent areas become
 * white. It decodes the whole image, so it also fails on truncated or corrupt pixel data under `failOn: 'error'`.
 */
export function makeThumbnail(bytes: Buffer, options: { limitInputPixels: number; failOn: 'error' }): Promise<Buffer> {
  return sharp(bytes, options)
    .autoOrient()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
}
