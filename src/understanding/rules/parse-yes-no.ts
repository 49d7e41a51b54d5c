import type { UnderstandingContext } from '../signals';
import type { Message } from './types';

/** Answer phrases, longest first so "pode sim" wins over "pode". Normalised (abbreviations expanded). */
const YES_PHRASES = [
  'isso mesmo',
  'isso ai',
  'pode sim',
  'pode ser',
  'pode mandar',
  'pode enviar',
  'pode seguir',
  'pode confirmar',
  'pode prosseguir',
  'esta certo',
  'esta correto',
  'esta ok',
  'esta bom',
  'tudo certo',
  'com certeza',
  'sim senhor',
  'sim senhora',
  'e isso',
  'sim',
  'isso',
  'pode',
  'confirmo',
  'confirmado',
  'confirma',
  'correto',
  'certo',
  'ok',
  'beleza',
  'exato',
  'exatamente',
  'perfeito',
  'manda',
  'positivo',
  'claro',
  'afirmativo',
  'uhum',
  'aham',
  'yes',
  'fechado',
  'bora',
  'certinho',
];
const NO_PHRASES = [
  'ainda nao',
  'esta errado',
  'esta errada',
  'nao esta certo',
  'nao esta correto',
  'nao confere',
  'nada disso',
  'de jeito nenhum',
  'nao',
  'negativo',
  'errado',
  'errada',
  'incorreto',
  'incorreta',
  'nope',
];
/** Words that may accompany a yes/no without changing it ("ok, obrigado", "sim sim"). */
const POLITE = new Set([
  'obrigado',
  'obrigada',
  'valeu',
  'por',
  'favor',
  'grato',
  'grata',
  'agradeco',
  'e',
  'tudo',
  'mesmo',
]);
/** After "não", these make it a statement ("não sei", "não tenho"), not an answer. */
const NOT_AN_ANSWER_AFTER_NO = new Set([
  'sei',
  'tenho',
  'achei',
  'entendi',
  'lembro',
  'encontrei',
  'consigo',
  'recebi',
]);

/** A message flattened to words and punctuation; anything else (numbers, phones…) is `other`. */
type Item = { word: string } | { punct: string } | { other: true };

function flatten(msg: Message): Item[] {
  return msg.tokens.flatMap((t): Item[] => {
    if (t.kind === 'word') return t.norm.split(' ').map((word) => ({ word }));
    if (t.kind === 'punct') return [{ punct: t.norm }];
    return [{ other: true }];
  });
}

const wordAt = (items: Item[], k: number): string | undefined => {
  const it = items[k];
  return it && 'word' in it ? it.word : undefined;
};

const splitPhrases = (phrases: string[]) => phrases.map((p) => p.split(' '));
const YES = splitPhrases(YES_PHRASES);
const NO = splitPhrases(NO_PHRASES);

/** Length (in words) of the phrase the items start with, or 0. */
function phraseAt(items: Item[], k: number, phrases: readonly string[][]): number {
  const first = wordAt(items, k);
  if (first === undefined) return 0;
  for (const parts of phrases) {
    if (parts[0] === first && parts.every((w, n) => wordAt(items, k + n) === w)) return parts.length;
  }
  return 0;
}

/** True when the message is only answer phrases, politeness and punctuation: "sim sim", "ok, obrigado". */
function onlyAnswerWords(items: Item[], phrases: readonly string[][]): boolean {
  let k = 0;
  while (k < items.length) {
    const it = items[k]!;
    const n = phraseAt(items, k, phrases);
    if (n > 0) k += n;
    else if ('punct' in it && it.punct !== '?') k++;
    else if ('word' in it && POLITE.has(it.word)) k++;
    else return false;
  }
  return true;
}

/**
 * A yes or no answer. It must open the message and either be all of it, be followed by
 * punctuation ("não, a nota certa é 4522"), or answer a confirmation question. "Não achei no
 * manual…" is a statement, not a no.
 */
export function parseYesNo(msg: Message, ctx: UnderstandingContext): 'yes' | 'no' | undefined {
  const items = flatten(msg);
  for (const [answer, phrases] of [
    ['no', NO],
    ['yes', YES],
  ] as const) {
    const n = phraseAt(items, 0, phrases);
    if (n === 0) continue;
    const next = items[n];
    if (answer === 'no' && NOT_AN_ANSWER_AFTER_NO.has(wordAt(items, n) ?? '')) return undefined;
    if (onlyAnswerWords(items, phrases)) return answer;
    if (next && 'punct' in next && next.punct !== '?') return answer;
    if (ctx.expecting === 'confirm') return answer;
    return undefined;
  }
  return undefined;
}
