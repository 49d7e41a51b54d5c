import { addDays, formatDateBr } from '../../domain/warranty';

/** What the reviewer is probably going to decide, with the reasons; a suggestion only. */
export type SuggestedOutcome = 'accept' | 'charge' | 'reject_or_charge' | 'return' | 'check';

export interface SuggestionInput {
  reasonCategory: string;
  /** The day the request was (re)submitted, `YYYY-MM-DD`: warranty is judged on that day. */
  submittedOn: string;
  invoiceNotFound: boolean;
  items: { productCode: string; warrantyUntil: string | null }[];
  photoCount: number;
}

export interface Suggestion {
  outcome: SuggestedOutcome;
  /** Short pt-BR label of the outcome ("provável aceite em garantia"). */
  label: string;
  /** Each ground as "fact → consequence", in pt-BR. */
  grounds: string[];
}

export const OUTCOME_LABELS: Record<SuggestedOutcome, string> = {
  accept: 'provável aceite (garantia)',
  charge: 'provável assistência cobrada',
  reject_or_charge: 'provável improcedente ou assistência cobrada',
  return: 'provável devolução ao cliente para correção',
  check: 'conferir antes de decidir',
};

/**
 * Suggests an outcome from the facts the procedure (PRO-AST-01 6.1) asks the reviewer to check:
 * NF, photo of the installed item, reason category (indústria / transporte / cliente) and the
 * warranty date of each item. Pure: same input, same output; the reviewer decides.
 *
 * Precedence when several apply: NF not found (check) → no photo (return) → damage by the
 * customer (improcedente/cobrada) → out of warranty (cobrada) → accept. Every ground that
 * applies is listed, whichever wins.
 */
export function suggestOutcome(input: SuggestionInput): Suggestion {
  const grounds: string[] = [];
  const outcomes: SuggestedOutcome[] = [];

  if (input.invoiceNotFound) {
    grounds.push('NF não localizada no cadastro → conferir a nota (número, cliente) antes de decidir');
    outcomes.push('check');
  }
  if (input.photoCount === 0) {
    grounds.push('sem foto do item instalado → devolver pedindo a foto');
    outcomes.push('return');
  }
  if (input.reasonCategory === 'cliente') {
    grounds.push('motivo cliente (dano na montagem, manuseio ou armazenagem) → improcedente/cobrada');
    outcomes.push('reject_or_charge');
  }

  const dated = input.items.filter((i): i is { productCode: string; warrantyUntil: string } => !!i.warrantyUntil);
  const expired = dated.filter((i) => i.warrantyUntil < input.submittedOn);
  if (expired.length > 0) {
    const earliest = expired.reduce((a, b) => (a.warrantyUntil <= b.warrantyUntil ? a : b)).warrantyUntil;
    const since = formatDateBr(addDays(earliest, 1));
    const which =
      expired.length === input.items.length
        ? 'fora da garantia'
        : `${expired.map((i) => i.productCode).join(', ')} fora da garantia`;
    grounds.push(`${which} desde ${since} (garantia até ${formatDateBr(earliest)}) → provável assistência cobrada`);
    outcomes.push('charge');
  } else if (dated.length > 0 && dated.length === input.items.length) {
    const until = dated.reduce((a, b) => (a.warrantyUntil <= b.warrantyUntil ? a : b)).warrantyUntil;
    grounds.push(`em garantia até ${formatDateBr(until)}`);
  }
  if (dated.length < input.items.length) {
    grounds.push('item sem data de garantia → conferir a garantia');
    outcomes.push('check');
  }

  if (input.reasonCategory === 'industria') grounds.push('motivo indústria (defeito de fábrica) → procedente');
  if (input.reasonCategory === 'transporte') grounds.push('motivo transporte (dano na entrega) → procedente');

  const order: SuggestedOutcome[] = ['check', 'return', 'reject_or_charge', 'charge'];
  const outcome = order.find((o) => outcomes.includes(o)) ?? 'accept';
  if (outcome === 'accept' && grounds.length === 0) grounds.push('nada contra o aceite nos dados da solicitação');
  return { outcome, label: OUTCOME_LABELS[outcome], grounds };
}
