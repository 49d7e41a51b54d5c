/**
 * Personal data masked before a text leaves for the model provider (LGPD): e-mail addresses,
 * CNPJs, CPFs and phone numbers. The rules already read them from the original text, so the
 * model never needs them. Invoice numbers (up to 9 digits) and product codes are left alone.
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/** 14 digits, bare or as 00.000.000/0000-00 (with any of the usual separators). */
const CNPJ = /(?<!\d)\d{2}[.\s]?\d{3}[.\s]?\d{3}[/\s]?\d{4}[-.\s]?\d{2}(?!\d)/g;
/** 000.000.000-00 (formatted; a bare 11-digit run is caught as a phone). */
const CPF = /(?<!\d)\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)/g;
/** +55 (54) 99999-0000, 54 3221-7070, (54)999990000, 5554999990000 … : 10 to 13 digits with phone punctuation. */
const PHONE = /(?<![\d/])(?:\+?55[\s.-]?)?\(?\d{2}\)?[\s.-]?9?[\s.]?\d{4}[\s.-]?\d{4}(?![\d/])/g;
/** Any remaining run of 10+ digits (a phone typed without separators, a CPF). */
const LONG_DIGITS = /(?<!\d)\d{10,}(?!\d)/g;

export function maskPii(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(CNPJ, '[cnpj]')
    .replace(CPF, '[cpf]')
    .replace(PHONE, '[telefone]')
    .replace(LONG_DIGITS, '[telefone]');
}
