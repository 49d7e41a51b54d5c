import { foldText } from '../../domain/text';

/** Only the start of a message is analysed: keeps the rules fast on pasted documents. */
export const MAX_ANALYSED_CHARS = 4000;

/** Lines that start the quoted history of an e-mail reply: nothing after them is the customer's. */
const QUOTE_HEADERS: RegExp[] = [
  /^\s*(em|on)\s.{0,200}(escreveu|wrote)\s*:?\s*$/i,
  /^\s*-{2,}\s*(mensagem original|original message|mensagem encaminhada|forwarded message)/i,
  /^\s*(de|from)\s*:\s*\S+.*$/i,
];

/**
 * A closing line ("Att,", "Atenciosamente", "Att, Silvia – Inovar") or the `--` delimiter. What
 * follows is a signature: names, company names, phones and CNPJs that must not be read as content
 * (a store called "Financeiro Ponto Móveis" is not a finance question).
 */
const SIGNATURE_START =
  /^\s*(--\s*|(att|abs|sds)\b\.?,?.*|atenciosamente\b.*|abracos?\b,?.*|cordialmente\b.*|saudacoes\b.*|grat[oa]\s*,?|obrigad[oa]s?\s*[,!.]?)\s*$/i;

/** Emoji that carry a yes/no meaning; all other pictographs are dropped. */
const EMOJI_WORDS: Array<[RegExp, string]> = [
  [/([0-9])\uFE0F?\u20E3/gu, ' $1 '],
  [/[\u{1F44D}\u{1F44C}\u2705\u2714\u{1F197}\u{1F919}]/gu, ' ok '],
  [/[\u{1F44E}\u274C\u{1F6AB}\u2716]/gu, ' nao '],
  [/\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\uFE0F|\u200D/gu, ' '],
];

/** Spellings of NF / número that are rewritten to one form so that parsers need one keyword. */
const SPELLING_FIXES: Array<[RegExp, string]> = [
  [/\bn\s?\.\s?f\s?\.?(?:\s?-?\s?e\b\.?)?/g, ' nf '],
  [/\bnf\s?-\s?e\b\.?|\bnfe\b\.?/g, ' nf '],
  [/\bn\s?[º°]\s?\.?/g, ' numero '],
  [/\b(?:n|no|nro|num)\s?\.(?=\s*\d)/g, ' numero '],
  [/\bnro\b/g, ' numero '],
  [/[º°ª](?=\s*\d)/g, ' '],
  [/\bc\s?\/(?=\s?[a-z])/g, 'com '],
  [/\bs\s?\/(?=\s?[a-z])/g, 'sem '],
  [/\bp\s?\/(?=\s?[a-z])/g, 'para '],
  // The wardrobe has two names; invoices use ROUPEIRO.
  [/\bguarda\s?-?\s?roupas?\b/g, 'roupeiro'],
  // "diaaa", "oiii", "kkkk": three or more repeats never change the meaning of a word.
  [/([a-z])\1{2,}/g, '$1'],
];

/**
 * Splits an e-mail-like text into the customer's body and its signature block; quoted replies
 * are dropped from both.
 */
export function stripQuotedAndSignature(text: string): { body: string; signature: string } {
  const lines = text.split(/\r?\n/);
  const kept: string[] = [];
  const signature: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (/^\s*>/.test(line)) continue;
    if (i > 0 && QUOTE_HEADERS.some((re) => re.test(line))) break;
    // A first line of "Obrigado!" is the whole message, not a signature.
    const inSignature =
      signature.length > 0 || (kept.some((l) => l.trim().length > 0) && SIGNATURE_START.test(foldText(line)));
    (inSignature ? signature : kept).push(line);
  }
  return { body: kept.join('\n').trim(), signature: signature.join('\n').trim() };
}

/** Folds each line (accents, case, spaces) but keeps line breaks, which act as sentence breaks. */
function foldKeepingLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => foldText(line))
    .filter((line) => line.length > 0)
    .join('\n');
}

/** Emoji meaning, accent folding and spelling normalisation: the text every parser works on. */
export function foldMessageText(text: string): string {
  let t = text;
  for (const [re, by] of EMOJI_WORDS) t = t.replace(re, by);
  let folded = foldKeepingLines(t);
  for (const [re, by] of SPELLING_FIXES) folded = folded.replace(re, by);
  return folded.replace(/[ \t]+/g, ' ').trim();
}

/**
 * Cleans raw customer text: truncation, e-mail history and signature removal, then folding.
 * Returns the cleaned original (for quoting the customer's own words), the folded text every
 * parser works on, and the folded signature (only searched for the sender's CNPJ).
 */
export function prepareText(raw: string): { original: string; folded: string; signature: string } {
  const { body, signature } = stripQuotedAndSignature(raw.slice(0, MAX_ANALYSED_CHARS));
  return { original: body, folded: foldMessageText(body), signature: foldMessageText(signature) };
}
