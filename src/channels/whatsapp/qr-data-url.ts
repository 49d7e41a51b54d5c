import QRCode from 'qrcode';

/**
 * The pairing QR as a `data:image/png;base64,…` URL, for the staff page to show in an `<img>` (staff
 * scan it with the store's phone: WhatsApp → Linked devices). `qr` is the string from the adapter's
 * status (`status().qr`) or `qr()`.
 */
export function qrDataUrl(qr: string): Promise<string> {
  // Medium error correction and a quiet zone: phones read it reliably from a monitor.
  return QRCode.toDataURL(qr, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
}
