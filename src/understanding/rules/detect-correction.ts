import type { Claims, Message, Token } from './types';

/**
 * "Digitei errado", "a nota está errada": the customer talks about what they typed. A correction, and never the
 * part's damage (detect-reason leaves these words out, see {@link withoutTypingSlips}).
 */
const TYPING_SLIP =
  /\b(digitei|digitou|escrevi|escreveu|mandei|passei|informei|coloquei|botei|falei|enviei)\b[^.,;!?]{0,25}\berrad[oa]s?\b|\b(nota|nf|numero|codigo|quantidade|pedido|protocolo|cnpj) (esta |estava |ta |tava |saiu |foi )?errad[oa]\b/;
const TYPING_SLIPS = new RegExp(TYPING_SLIP.source, 'g');

/** The text with talk about what was typed blanked out, for reading the problem the customer describes. */
export function withoutTypingSlips(text: string): string {
  return text.replace(TYPING_SLIPS, ' ');
}

/** Phrases that announce a correction of something said before. */
const CORRECTION_CUES: RegExp[] = [
  /\bna verdade\b/,
  /\b(errei|errou|erramos|me enganei|se enganou|nos enganamos|enganei|me confundi|confundi|troquei)\b/,
  /\b(corrigindo|correcao|corrige|corrigir|retificando|retifica)\b/,
  TYPING_SLIP,
  /\bquis dizer\b/,
  /\b(o|a) (certo|certa|correto|correta) (e|sao)\b/,
  /\b(nota|nf|numero|pedido|quantidade|codigo|produto|peca|item|cor|medida) (certa|certo|correta|correto) (e|sao)\b/,
  /\bnao e (isso|esse|essa|este|esta)\b/,
];

/** Words allowed between "não é" and the number it rejects ("não é a nota 4521"). */
const NEGATION_SKIP = new Set(['e', 'foi', 'era', 'sao', 'a', 'o', 'as', 'os', 'da', 'do', 'essa', 'esse']);
const NEGATION_NOUNS = new Set(['nota', 'nf', 'pedido', 'quantidade', 'numero', 'codigo', 'protocolo']);

function negatedAfter(tokens: Token[], k: number): number | undefined {
  let sawCopula = false;
  for (let j = k + 1; j < tokens.length && j - k <= 5; j++) {
    const t = tokens[j]!;
    if (t.kind === 'number') return sawCopula ? j : undefined;
    if (t.norm === 'e' || t.norm === 'foi' || t.norm === 'era' || t.norm === 'sao') sawCopula = true;
    if (!NEGATION_SKIP.has(t.norm) && !NEGATION_NOUNS.has(t.norm)) return undefined;
  }
  return undefined;
}

/**
 * Numbers the customer explicitly rejects: "não é 4521", "e não 1", "em vez de 450". They are
 * claimed as `negated` so invoice and quantity parsers keep only the corrected value.
 */
export function claimNegatedNumbers(msg: Message, claims: Claims): { denied: boolean } {
  const { tokens } = msg;
  let denied = false;
  for (const [k, t] of tokens.entries()) {
    let target: number | undefined;
    const isDenial = t.norm === 'nao';
    if (isDenial) {
      const prev = tokens[k - 1]?.norm;
      const next = tokens[k + 1];
      // "são 2 e não 1"
      if ((prev === 'e' || prev === ',') && next?.kind === 'number') target = k + 1;
      else target = negatedAfter(tokens, k);
    } else if (
      (t.norm === 'vez' && tokens[k - 1]?.norm === 'em') ||
      (t.norm === 'inves' && tokens[k - 1]?.norm === 'ao') ||
      (t.norm === 'lugar' && tokens[k - 1]?.norm === 'no')
    ) {
      if (tokens[k + 1]?.norm === 'de' && tokens[k + 2]?.kind === 'number') target = k + 2;
    }
    if (target !== undefined && !claims.has(target)) {
      claims.set(target, 'negated');
      // "em vez de 450" states a fact ("came 440 instead of 450"); only "não é X" corrects.
      denied ||= isDenial;
    }
  }
  return { denied };
}

/** True when the customer corrects something ("na verdade", "errei", "não é X, é Y"). */
export function detectCorrection(msg: Message, denied: boolean): boolean {
  if (denied) return true;
  return CORRECTION_CUES.some((re) => re.test(msg.text));
}
