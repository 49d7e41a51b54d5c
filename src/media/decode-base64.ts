/** Result of {@link decodeBase64Attachment}. */
export type Base64DecodeResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' | 'bad_base64' };

/** `data:[<media type>][;param=value]*;base64,` — the header is looked for only in the first bytes. */
const DATA_URL_HEADER = /^data:[^,]{0,256};base64,/i;
const MAX_DATA_URL_HEADER = 'data:'.length + 256 + ';base64,'.length;
const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;
const ASCII_WHITESPACE = /[\t\n\f\r ]+/g;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Value of a base64 digit (either alphabet), for the canonical-encoding check. */
function digitValue(ch: string): number {
  if (ch === '+' || ch === '-') return 62;
  if (ch === '/' || ch === '_') return 63;
  return ALPHABET.indexOf(ch);
}

/**
 * Decodes an attachment sent as base64 text: plain base64 (standard or URL-safe alphabet, not mixed; padding
 * optional; ASCII whitespace such as MIME line breaks ignored) or a `data:<type>;base64,<payload>` URL. The
 * declared media type is ignored on purpose: what the bytes are is decided later by `inspectImage`.
 *
 * Strict: any other character, a stray `=`, an impossible length or non-zero unused trailing bits give
 * `bad_base64` instead of the silently truncated garbage `Buffer.from(s, 'base64')` would return. The decoded
 * size is computed from the text length BEFORE anything is decoded (or even copied, for grossly oversized
 * input), so a 100 MB string costs nothing to refuse. An empty payload decodes to an empty Buffer.
 *
 * @param maxBytes largest accepted decoded size; a non-negative integer (else throws a RangeError).
 */
export function decodeBase64Attachment(data: string, maxBytes: number): Base64DecodeResult {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`decodeBase64Attachment: maxBytes must be a non-negative integer, got ${String(maxBytes)}`);
  }
  if (typeof data !== 'string') return { ok: false, reason: 'bad_base64' };

  // Cheap bound first: even if half of the text were whitespace, it could not fit.
  const maxPayloadChars = Math.ceil(maxBytes / 3) * 4;
  if (data.length > 2 * maxPayloadChars + MAX_DATA_URL_HEADER + 64) return { ok: false, reason: 'too_large' };

  let text = data.trim();
  const header = DATA_URL_HEADER.exec(text.slice(0, MAX_DATA_URL_HEADER));
  if (header) text = text.slice(header[0].length);
  else if (/^data:/i.test(text)) return { ok: false, reason: 'bad_base64' }; // not a base64 data URL

  const compact = text.replace(ASCII_WHITESPACE, '');
  const body = compact.replace(/={1,2}$/, '');
  const padding = compact.length - body.length;
  if (!STANDARD.test(body) && !URL_SAFE.test(body)) return { ok: false, reason: 'bad_base64' };
  const rest = body.length % 4;
  if (rest === 1) return { ok: false, reason: 'bad_base64' };
  if (padding > 0 && (compact.length % 4 !== 0 || padding !== (4 - rest) % 4))
    return { ok: false, reason: 'bad_base64' };

  const decodedLength = Math.floor(body.length / 4) * 3 + (rest === 0 ? 0 : rest - 1);
  if (decodedLength > maxBytes) return { ok: false, reason: 'too_large' };

  // Canonical encoding: the bits of the last digit that do not belong to any byte must be zero.
  if (rest !== 0) {
    const unusedBits = rest === 2 ? 0b1111 : 0b11;
    if ((digitValue(body[body.length - 1] ?? 'A') & unusedBits) !== 0) return { ok: false, reason: 'bad_base64' };
  }

  const bytes = Buffer.from(body, URL_SAFE.test(body) && /[-_]/.test(body) ? 'base64url' : 'base64');
  if (bytes.length !== decodedLength) return { ok: false, reason: 'bad_base64' };
  return { ok: true, bytes };
}
