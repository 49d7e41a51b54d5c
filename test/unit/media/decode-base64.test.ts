import fc from 'fast-check';
import { decodeBase64Attachment } from '../../../src/media';
import { png } from '../../fixtures/media/images';

const MB = 1024 * 1024;

describe('decodeBase64Attachment: accepted', () => {
  it('decodes plain base64', () => {
    expect(decodeBase64Attachment('aGVsbG8gbXVuZG8=', 100)).toEqual({ ok: true, bytes: Buffer.from('hello mundo') });
  });

  it('decodes a data:image URL, whatever its declared type and header case', async () => {
    const bytes = await png(20, 10);
    const b64 = bytes.toString('base64');
    for (const url of [
      `data:image/png;base64,${b64}`,
      `DATA:IMAGE/JPEG;BASE64,${b64}`,
      `data:image/png;name=foto%20porta.png;base64,${b64}`,
      `data:;base64,${b64}`,
      `  data:image/webp;base64,${b64}\n`,
    ]) {
      const result = decodeBase64Attachment(url, MB);
      expect(result.ok && result.bytes.equals(bytes)).toBe(true);
    }
  });

  it('ignores MIME line breaks and surrounding whitespace', () => {
    const bytes = Buffer.from('uma porta de armário empenada, com a dobradiça solta'.repeat(5));
    const wrapped = `\r\n  ${bytes
      .toString('base64')
      .match(/.{1,76}/g)
      ?.join('\r\n')}\r\n`;
    const result = decodeBase64Attachment(wrapped, MB);
    expect(result.ok && result.bytes.equals(bytes)).toBe(true);
  });

  it('decodes URL-safe base64 and unpadded input', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x00, 0x01]);
    expect(decodeBase64Attachment(bytes.toString('base64url'), 100)).toEqual({ ok: true, bytes });
    expect(decodeBase64Attachment(bytes.toString('base64').replace(/=+$/, ''), 100)).toEqual({ ok: true, bytes });
  });

  it('decodes an empty payload to an empty buffer (inspectImage then says "empty")', () => {
    expect(decodeBase64Attachment('', 10)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
    expect(decodeBase64Attachment('data:image/png;base64,', 10)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
  });

  it('round-trips arbitrary bytes in every accepted spelling', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('base64', 'base64url', 'data', 'wrapped'),
        (arr, how) => {
          const bytes = Buffer.from(arr);
          const b64 = bytes.toString('base64');
          const text =
            how === 'base64'
              ? b64
              : how === 'base64url'
                ? bytes.toString('base64url')
                : how === 'data'
                  ? `data:image/jpeg;base64,${b64}`
                  : (b64.match(/.{1,76}/g) ?? []).join('\n');
          const result = decodeBase64Attachment(text, bytes.length);
          expect(result.ok && result.bytes.equals(bytes)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decodeBase64Attachment: refused', () => {
  it.each([
    ['invalid character', 'aGVsbG8*bXVuZG8='],
    ['non-ASCII letter', 'aGVsbG8gbXVuZG8é'],
    ['padding in the middle', 'aGVs=bG8gbXVuZG8='],
    ['too much padding', 'aGVsbG8gbXVuZG8==='],
    ['padding on a full quantum', 'aGVs=='],
    ['wrong padding length', 'aGVsbG8=='],
    ['impossible length', 'aGVsb'],
    ['mixed alphabets', 'ab+_'],
    ['non-canonical trailing bits', 'QR=='],
    ['not a base64 data URL', 'data:image/png,%89PNG'],
    ['data URL with a broken payload', 'data:image/png;base64,iVBOR%%%'],
    ['JSON instead of base64', '{"file":"foto.jpg"}'],
  ])('%s', (_name, text) => {
    expect(decodeBase64Attachment(text, MB)).toEqual({ ok: false, reason: 'bad_base64' });
  });

  it('checks the decoded size exactly, at the boundary', () => {
    const bytes = Buffer.alloc(1000, 7);
    const b64 = bytes.toString('base64');
    expect(decodeBase64Attachment(b64, 1000).ok).toBe(true);
    expect(decodeBase64Attachment(b64, 999)).toEqual({ ok: false, reason: 'too_large' });
    expect(decodeBase64Attachment(Buffer.alloc(1).toString('base64'), 0)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('refuses a 100 MB string from its length, without decoding it', () => {
    const huge = `data:image/jpeg;base64,${'A'.repeat(100 * MB)}`;
    const from = jest.spyOn(Buffer, 'from');
    try {
      const started = process.hrtime.bigint();
      expect(decodeBase64Attachment(huge, 10 * MB)).toEqual({ ok: false, reason: 'too_large' });
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
      // Just above the limit (within the cheap bound): still refused before decoding.
      expect(decodeBase64Attachment('A'.repeat(4 * 1000), 2999)).toEqual({ ok: false, reason: 'too_large' });
      expect(from).not.toHaveBeenCalled();
    } finally {
      from.mockRestore();
    }
  });

  it('never throws for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat({ max: 500 }), (text, max) => {
        const result = decodeBase64Attachment(text, max);
        if (result.ok) expect(result.bytes.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });

  it('throws on a nonsensical maxBytes (a programming error)', () => {
    expect(() => decodeBase64Attachment('AAAA', -1)).toThrow(RangeError);
    expect(() => decodeBase64Attachment('AAAA', 1.5)).toThrow(RangeError);
  });
});
