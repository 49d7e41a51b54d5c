/** Cardinal words customers spell out for small quantities ("duas portas", "uma peça"). */
const NUMBER_WORDS: Record<string, number> = {
  um: 1,
  uma: 1,
  dois: 2,
  duas: 2,
  tres: 3,
  quatro: 4,
  cinco: 5,
  seis: 6,
  sete: 7,
  oito: 8,
  nove: 9,
  dez: 10,
  onze: 11,
  doze: 12,
  ambos: 2,
  ambas: 2,
};

/** Value of a spelled-out small number, or undefined. */
export function numberWordValue(word: string): number | undefined {
  return NUMBER_WORDS[word];
}

/** Ordinal words, for picking options ("a segunda") — zero-based. */
const ORDINALS: Array<[RegExp, number]> = [
  [/^primeir[oa]$/, 0],
  [/^segund[oa]$/, 1],
  [/^terceir[oa]$/, 2],
  [/^quart[oa]$/, 3],
  [/^quint[oa]$/, 4],
  [/^sext[oa]$/, 5],
  [/^setim[oa]$/, 6],
  [/^oitav[oa]$/, 7],
];

/** Zero-based index for an ordinal word, `'last'` for "última", or undefined. */
export function ordinalIndex(word: string): number | 'last' | undefined {
  if (/^ultim[oa]$/.test(word)) return 'last';
  return ORDINALS.find(([re]) => re.test(word))?.[1];
}
