/** A keyword pattern and how much it counts towards a reading. */
export interface Cue {
  re: RegExp;
  weight: number;
}

/** Sum of the weights of the cues found in `text` (each cue counts once). */
export function scoreCues(text: string, cues: readonly Cue[]): number {
  let score = 0;
  for (const cue of cues) if (cue.re.test(text)) score += cue.weight;
  return score;
}

/**
 * Damage and defect words in any form: what makes a message an assistance report and what the
 * reason description is cut around.
 */
const PROBLEM_CUES: readonly RegExp[] = [
  /\b(quebr|trinc|rach|risc|arranh|amass|lasc|empen|entort|descasc|descol|desplac|estuf|inchad|inchou|incharam|inchar|manch|bolha|defeit|avari|danific|estrag|estour|estilha|desalinh|emperr|travand|mof|podre|rasgad|molhad|molhou|molharam|batid|furad|solta|soltou|soltand|torto|torta|tortos|tortas|roeu|caiu|cairam|derrub)\w*/,
  /\b(falt(ou|ando|a|am|aram|ava)|nao veio|nao vieram|a menos)\b/,
  /\b(veio|vieram|vem|chegou|chegaram|esta|estao|estava|ficou|ficaram) sem (o|a|os|as)?\b/,
  /\b(veio|vieram|ficou|ficaram|esta|estao) (menor|maior|mais curt\w*|mais compri\w*|mais larg\w*|mais estreit\w*)\b/,
  /\b(errad[oa]s?|trocad[oa]s?|invertid[oa]s?|diferente|outra cor)\b/,
  /\b(sem furacao|furacao errada|nao fecha|nao abre|nao encaixa|nao desliza)\b/,
  /\b(vazand|vazou|vazam|esfarel|desmanch|afund|apodrec|enferruj|oxidad|descascad)\w*|\bnao (acende|liga|funciona|trava|segura)\b|\bparou de funcionar\b/,
];

/** True when the text describes damage, a defect or a missing/wrong part. */
export const hasProblemCue = (text: string): boolean => PROBLEM_CUES.some((re) => re.test(text));
