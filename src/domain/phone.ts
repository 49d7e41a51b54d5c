import { digitsOf } from './text';

/**
 * Brazilian phone to E.164 (`+55DDNNNNNNNNN`), or null when it cannot be one.
 * Accepts `(54) 99999-0000`, `54999990000`, `+55 54 9 9999-0000`, `054 99999-0000`,
 * with or without the country code and the area code's leading 0.
 */
export function normalizePhone(input: string): string | null {
  let d = digitsOf(input);
  if (d.startsWith('00')) d = d.slice(2); // international prefix
  if (d.length >= 12 && d.startsWith('55')) d = d.slice(2);
  if (d.length === 11 || d.length === 12) d = d.replace(/^0/, '');
  // Now DD + 8 (landline or old mobile) or DD + 9 (mobile) digits.
  if (d.length !== 10 && d.length !== 11) return null;
  const area = d.slice(0, 2);
  if (area[0] === '0' || area[1] === '0') return null; // Brazilian area codes are 11..99 without a 0
  if (d.length === 11 && d[2] !== '9') return null; // only mobiles have 9 digits
  return `+55${d}`;
}

/**
 * Keys under which a phone is matched: the E.164 form plus the form with/without the
 * mobile's extra 9 (WhatsApp often drops it), so `+555499990000` finds `+5554999990000`.
 */
export function phoneMatchKeys(e164: string): string[] {
  const d = e164.replace(/^\+55/, '');
  const keys = new Set([e164]);
  if (d.length === 11 && d[2] === '9') keys.add(`+55${d.slice(0, 2)}${d.slice(3)}`);
  if (d.length === 10 && /[6-9]/.test(d[2] ?? '')) keys.add(`+55${d.slice(0, 2)}9${d.slice(2)}`);
  return [...keys];
}

/** Lower-cased e-mail address when it looks like one, else null. */
export function normalizeEmail(input: string): string | null {
  const e = input.trim().toLowerCase();
  return /^[^\s@<>()]+@[^\s@<>()]+\.[a-z0-9-]{2,}$/.test(e) ? e : null;
}

/** A contact as stored and matched: E.164 phone or lower-case e-mail. */
export function normalizeContact(input: string): string | null {
  return input.includes('@') ? normalizeEmail(input) : normalizePhone(input);
}
