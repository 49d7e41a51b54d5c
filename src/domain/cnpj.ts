import { digitsOf } from './text';

function checkDigit(base: string): number {
  // Weights run 2..9 from the right, wrapping around.
  let sum = 0;
  let weight = 2;
  for (let i = base.length - 1; i >= 0; i--) {
    sum += Number(base[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** True when the input holds exactly 14 digits (punctuation ignored) with valid check digits. */
export function isValidCnpj(input: string): boolean {
  const d = digitsOf(input);
  if (d.length !== 14 || /^(\d)\1{13}$/.test(d)) return false;
  const first = checkDigit(d.slice(0, 12));
  const second = checkDigit(d.slice(0, 12) + String(first));
  return d.endsWith(`${first}${second}`);
}

/** The 14 digits of a valid CNPJ, or null. */
export function normalizeCnpj(input: string): string | null {
  return isValidCnpj(input) ? digitsOf(input) : null;
}

/** `24680135000103` → `24.680.135/0001-03`. Input must already be 14 digits. */
export function formatCnpj(digits: string): string {
  return digits.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5');
}
