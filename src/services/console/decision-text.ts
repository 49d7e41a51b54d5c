import { T } from '../../../flows/texts';
import type { Decision } from '../../domain/request-status';

/**
 * The message the customer receives for a review decision: the same catalogue texts, composed
 * by `services/review.ts` `decide` and previewed by the console before the
 * reviewer confirms. (A test compares this preview with what reaches the customer's web chat.)
 */
export function customerDecisionText(
  decision: Decision,
  protocol: string,
  message: string,
  orderNumber: string | null,
): string {
  const text = message.trim();
  switch (decision) {
    case 'accept':
      return T.decisionAccepted(protocol) + (text ? `\n${text}` : '');
    case 'return':
      return T.decisionReturned(protocol, text);
    case 'charge':
      return T.decisionCharged(protocol, text, orderNumber ?? undefined);
    case 'reject':
      return T.decisionRejected(protocol, text);
  }
}

/** Ready-made messages the reviewer can pick (and edit) for each decision. */
export const PRESET_MESSAGES: Record<Decision, readonly string[]> = {
  accept: [],
  return: [
    'A foto não mostra o item instalado. Pode enviar uma foto da peça montada no móvel?',
    'A NF não corresponde ao item. Pode conferir o número da nota fiscal?',
    'Falta a foto da etiqueta/peça. Pode enviar uma foto da etiqueta de identificação?',
    'A foto está sem nitidez. Pode enviar outra, mais próxima e com boa luz?',
    'Falta o código ou a máscara (cor/acabamento) do item. Pode informar?',
    'Pode descrever melhor o problema (o que aconteceu com a peça)?',
  ],
  charge: [
    'O item está fora do prazo de garantia.',
    'Danos na montagem, manuseio ou armazenagem não são cobertos pela garantia.',
  ],
  reject: [
    'Pela análise das fotos, o dano foi causado na montagem ou manuseio e não é coberto pela garantia.',
    'Esta solicitação repete outra já registrada.',
  ],
};

export const DECISION_LABELS: Record<Decision, string> = {
  accept: 'Aceitar (garantia)',
  return: 'Devolver ao cliente',
  charge: 'Assistência cobrada',
  reject: 'Improcedente (recusar)',
};
