/** Lower case, accents removed, whitespace folded: the form all text matching works on. */
export function foldText(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Only the digits of a string. */
export function digitsOf(input: string): string {
  return input.replace(/\D/g, '');
}
