import { isSha256Hex } from '../../../media';
import { ClientError } from '../../../services/errors';
import type { ConsoleContext } from '../index';

/** Content type from the bytes themselves, never from what the sender claimed. */
export function sniffImageType(b: Buffer): string {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (b.subarray(4, 8).toString('latin1') === 'ftyp') {
    const brand = b.subarray(8, 12).toString('latin1');
    return brand.startsWith('avi') ? 'image/avif' : 'image/heic';
  }
  return 'application/octet-stream';
}

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'application/octet-stream': 'bin',
};

/** Photos and thumbnails for logged-in staff only (401 without a session), with safe headers. */
export function registerMedia(ctx: ConsoleContext) {
  ctx.route('GET /console/media/:sha', async (req, reply) => {
    const { sha } = req.params as { sha?: string };
    const variant = (req.query as { variant?: string }).variant === 'thumb' ? 'thumb' : 'original';
    if (!isSha256Hex(sha)) throw new ClientError(404, 'Foto não encontrada.');
    const bytes = await ctx.deps.store.read(sha.toLowerCase(), variant);
    if (!bytes) throw new ClientError(404, 'Foto não encontrada.');
    const type = sniffImageType(bytes);
    const name = `${sha.slice(0, 12).toLowerCase()}${variant === 'thumb' ? '-mini' : ''}.${EXT[type] ?? 'bin'}`;
    return reply
      .code(200)
      .type(type)
      .header('X-Content-Type-Options', 'nosniff')
      .header(
        'Content-Disposition',
        `${type === 'application/octet-stream' ? 'attachment' : 'inline'}; filename="${name}"`,
      )
      .header('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
      .header('Cache-Control', 'private, max-age=600')
      .header('Vary', 'Cookie')
      .send(bytes);
  });
}
