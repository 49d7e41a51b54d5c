import type { Intent, ReasonCategory, Signals, UnderstandingContext } from '../signals';
import { detectIntents } from './detect-intents';
import { ordinalIndex } from './number-words';
import { prepareMessage } from './prepare-message';
import type { Message } from './types';
import { sameWord } from './word-match';

/** Words that say nothing about which option: "quero a opção de…", "sobre o…". */
const STOPWORDS = new Set([
  'o',
  'a',
  'os',
  'as',
  'de',
  'do',
  'da',
  'dos',
  'das',
  'no',
  'na',
  'com',
  'um',
  'uma',
  'e',
  'para',
  'por',
  'favor',
  'quero',
  'queria',
  'gostaria',
  'opcao',
  'sobre',
  'meu',
  'minha',
  'que',
  'eu',
  'ou',
  'em',
  'me',
  'esta',
  'ser',
  'isso',
  'esse',
  'essa',
  'o que',
  'para o',
]);
/** Words before a number that make it an option pick: "opção 2", "número 2", "a 2". */
const PICK_PREFIX = new Set(['opcao', 'opc', 'op', 'numero', 'alternativa', 'item', 'a', 'o', 'escolho', 'quero']);

/** Vocabulary that identifies a reason-category option ("Dano no transporte"). */
const CATEGORY_WORDS: Record<ReasonCategory, RegExp> = {
  industria: /\b(fabrica|industria|fabricacao|defeito)\b/,
  transporte: /\b(transporte|transportadora|entrega|frete)\b/,
  cliente: /\b(cliente|montagem|manuseio|instalacao|loja|montador)\b/,
};

const contentWords = (m: Message) =>
  m.tokens
    .filter((t) => (t.kind === 'word' || t.kind === 'number' || t.kind === 'measure') && !STOPWORDS.has(t.norm))
    .map((t) => t.norm);

/** "2", "opção 2", "2️⃣", "a 2", "opcao 1 - assistencia": the number the pick starts with. */
function numberPick(msg: Message, count: number): number | undefined {
  const meaningful = msg.tokens.filter((t) => t.kind !== 'punct');
  let k = 0;
  while (k < meaningful.length && meaningful[k]!.kind === 'word' && PICK_PREFIX.has(meaningful[k]!.norm)) k++;
  const t = meaningful[k];
  if (t?.kind !== 'number' || k > 2) return undefined;
  // The number must be the answer itself, not a count inside a sentence ("2 portas riscadas").
  const rest = meaningful.slice(k + 1);
  if (
    rest.length > 0 &&
    !msg.tokens.some((p, idx) => idx > 0 && p.kind === 'punct' && ['-', ')', '.', ':', ','].includes(p.norm))
  ) {
    return undefined;
  }
  const n = Number(t.norm);
  return n >= 1 && n <= count ? n - 1 : undefined;
}

function ordinalPick(msg: Message, count: number): number | undefined {
  const words = contentWords(msg);
  if (words.length === 0 || words.length > 2) return undefined;
  for (const w of words) {
    const idx = ordinalIndex(w);
    if (idx === 'last') return count - 1;
    if (idx !== undefined && idx < count) return idx;
  }
  return undefined;
}

/** The unique best option by shared words (typo tolerant); ties pick nothing. */
function textPick(msg: Message, options: Message[]): number | undefined {
  const mine = contentWords(msg);
  if (mine.length === 0) return undefined;
  const scores = options.map((o) => {
    const theirs = contentWords(o);
    return mine.filter((w) => theirs.some((x) => sameWord(w, x))).length;
  });
  const best = Math.max(...scores);
  if (best === 0 || scores.filter((s) => s === best).length > 1) return undefined;
  return scores.indexOf(best);
}

function uniqueIndex(flags: boolean[]): number | undefined {
  const hits = flags.flatMap((f, k) => (f ? [k] : []));
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * Which offered option the customer picked (zero-based). In order: the option's text, a number
 * (1..n), an ordinal ("a segunda"), a product code or resolved product shown in one option, words
 * shared with one option, yes/no on Sim/Não options, a reason category or an intent that only one
 * option stands for. A number larger than the option count is not a pick (it is a quantity,
 * invoice… read by the other parsers).
 */
export function pickOption(msg: Message, ctx: UnderstandingContext, signals: Signals): number | undefined {
  const options = ctx.options ?? [];
  if (options.length === 0) return undefined;
  const prepared = options.map(prepareMessage);
  const own = msg.tokens
    .filter((t) => t.kind !== 'punct')
    .map((t) => t.norm)
    .join(' ');
  const exact = prepared.findIndex(
    (o) =>
      o.tokens
        .filter((t) => t.kind !== 'punct')
        .map((t) => t.norm)
        .join(' ') === own,
  );
  if (exact >= 0 && own.length > 0) return exact;

  const byNumber = numberPick(msg, options.length);
  if (byNumber !== undefined) return byNumber;
  const byOrdinal = ordinalPick(msg, options.length);
  if (byOrdinal !== undefined) return byOrdinal;

  const codes = signals.productRefs.flatMap((r) => (r.code ? [r.code] : []));
  if (codes.length === 1) {
    const byCode = uniqueIndex(prepared.map((o) => o.tokens.some((t) => t.kind === 'number' && t.norm === codes[0])));
    if (byCode !== undefined) return byCode;
  }

  const byText = textPick(msg, prepared);
  if (byText !== undefined) return byText;

  if (signals.yesNo) {
    const yesNo = uniqueIndex(prepared.map((o) => o.text === (signals.yesNo === 'yes' ? 'sim' : 'nao')));
    if (yesNo !== undefined) return yesNo;
  }
  const category = signals.reason?.category;
  if (category) {
    const byCategory = uniqueIndex(prepared.map((o) => CATEGORY_WORDS[category].test(o.text)));
    if (byCategory !== undefined) return byCategory;
  }
  const intent: Intent | undefined = signals.intents.find((i) => i !== 'saudacao');
  if (intent) return uniqueIndex(prepared.map((o) => detectIntents(o.text).intents.includes(intent)));
  return undefined;
}
