import type { Intent } from '../signals';
import { type Cue, hasProblemCue, scoreCues } from './keyword-cues';

/** Structural facts found by the other parsers that make some intents likelier. */
export interface IntentHints {
  hasInvoice?: boolean;
  /** Any product named, resolved or not. */
  hasProduct?: boolean;
  hasProtocol?: boolean;
  hasOrder?: boolean;
  /** A problem was described (a reason category was recognised). */
  hasProblem?: boolean;
}

const QUESTION = /\?|^(como|qual|quais|onde|quanto|quantos|quantas|tem|existe|pode|posso|devo)\b|\bduvida\b/;

/**
 * Keyword cues per intent, on normalised text (accents folded, abbreviations expanded).
 * Weights are relative: a strong cue (4–5) is an unambiguous phrase, a weak one (1–1.5) a word
 * that only tips the balance.
 */
const INTENT_CUES: Record<Exclude<Intent, 'saudacao'>, Cue[]> = {
  assistencia: [
    { re: /\bassistencia( tecnica)?\b/, weight: 1.5 },
    {
      re: /\b(abrir|solicit\w*|preciso de|precisamos de|quero|gostaria de|fazer) (uma |um |a |o )?(assistencia|chamado|reposicao|troca|garantia)\b/,
      weight: 2.5,
    },
    { re: /\b(reposicao|repor|trocar|substitui\w*|mandar outr[ao]|enviar outr[ao])\b/, weight: 1.5 },
    { re: /\bgarantia\b/, weight: 1 },
    { re: /\bpeca com defeito\b/, weight: 2 },
    { re: /\b(problema|problemas|reclamacao|reclamar|reclamou|reclamando|motivo)\b/, weight: 2 },
  ],
  status: [
    {
      re: /\b(novidade|novidades|andamento|status|posicao|atualizacao|previsao|acompanhar|acompanhamento|situacao|noticia|noticias)\b/,
      weight: 2.5,
    },
    { re: /\b(retorno|resposta)\b/, weight: 1.5 },
    {
      re: /\bcomo (esta|estao|anda|andam|ficou|vai)\b[^.?]{0,30}\b(pedido|solicitacao|assistencia|chamado|processo|protocolo|reposicao|peca|_protocol_)/,
      weight: 3,
    },
    {
      re: /\bquando (chega|chegam|vai chegar|vem|vai vir|sai|vao enviar|vao mandar|enviam|mandam|sera enviad\w*)\b/,
      weight: 2.5,
    },
    {
      re: /\b(ja|foi|foram|sera|vai ser)\b[^.?]{0,20}\b(aprov|aceit|analis|envi|despach|postad|liberad|respond)\w*/,
      weight: 2,
    },
    {
      re: /\b(ainda nao|nao) (chegou|chegaram|recebi|recebemos|enviaram|mandaram|responderam|tive retorno)\b/,
      weight: 2,
    },
    { re: /\b(peca|pecas) de reposicao\b|\breposicao\b[^.?]{0,30}\b(chega|chegou|envi|previs)/, weight: 2 },
    { re: /\b(ninguem (me )?respondeu|sem resposta|aguardando|cade)\b/, weight: 2 },
    { re: /\b(foi|foram) cancelad\w*/, weight: 2 },
    { re: /\b(consultar|ver|saber)\b[^.?]{0,20}\b(pedido|solicitacao|assistencia|chamado|protocolo)\b/, weight: 1.5 },
    // "em que pé está", "como ficou a minha solicitação", "alguma notícia"
    { re: /\bem que pe (esta|estao|anda|andam|ta|tao|ficou)\b/, weight: 3 },
  ],
  promob: [
    { re: /\bpromob\w*/, weight: 5 },
    { re: /\b(biblioteca|bibliotecas|render|renderiza\w*|renderiz\w*|lista de corte|plugin)\b/, weight: 3 },
    { re: /\bcatalogo\b/, weight: 1.5 },
    { re: /\barquivo (do|de) projeto\b|\bprojetista\w*/, weight: 1.5 },
  ],
  montagem: [
    {
      re: /\b(montagem|montar|monto|monta|montando|instalar|instalo|instala|instalacao|fixar|fixo|fixa|fixacao|regular|regulo|regula|regulagem|nivelar|nivela|rosqu\w*|parafus\w*|folga|gabarito|passo a passo)\b/,
      weight: 1.5,
    },
    { re: /\bmanual\b/, weight: 2 },
    {
      re: /\b(como|onde) (eu )?(monto|monta|montar|instalo|instala|instalar|fixo|fixa|fixar|regulo|regula|regular|encaixo|encaixa|prendo|prende|coloco|coloca|ajusto|ajusta|nivelo|nivela)\b/,
      weight: 3,
    },
    {
      re: /\bqual (a |o )?(altura|distancia|medida|folga|parafuso|broca|furo|posicao)\b|\bem qual furo\b|\bonde fica\b/,
      weight: 3,
    },
    { re: /\b(altura|distancia)\b/, weight: 1 },
    { re: /\bmanual de (montagem|instalacao)\b|\btem (o )?manual\b/, weight: 2 },
  ],
  financeiro: [
    {
      re: /\b(paguei|pagamos|pago|paga|pagamento|pagar|pix|boleto|comprovante|transferencia|deposito|cobranca)\b/,
      weight: 3,
    },
    { re: /\b(assistencia|conserto|servico|pedido) cobrad[oa]\b|\bcobrad[oa]\b/, weight: 3 },
    { re: /\b(liberar|libera|liberacao|liberem)\b/, weight: 1.5 },
    { re: /\bvalor\b|\bquanto (custa|fica|sai)\b/, weight: 1.5 },
    { re: /\bfinanceiro\b/, weight: 2.5 },
  ],
  humano: [
    {
      re: /\b(falar|conversar|contato) com (alguem|algum atendente|um atendente|uma pessoa|pessoa|atendente|humano|o responsavel|responsavel|o gerente|gerente|supervisor|o setor)\b/,
      weight: 4,
    },
    { re: /\batendente\b|\batendimento humano\b|\bpessoa de verdade\b|\bhumano\b|\brobo\b/, weight: 3.5 },
    {
      re: /\bme (liga|ligar|ligue|ligam|liguem|telefona|telefonar|chama|chamar|retorna|retornar)\b|\b(liga|ligar|ligue) (para|pra) mim\b/,
      weight: 3.5,
    },
    { re: /\bcontato telefonico\b|\btelefone (de|do|da) (alguem|setor|responsavel|atendente)\b/, weight: 3.5 },
    { re: /\b(alguem|pessoa) (ai|para me atender|pra me atender|que possa)\b/, weight: 2.5 },
    { re: /\b(quero|preciso|gostaria de|posso|queria|podemos) (falar|conversar)\b/, weight: 3.5 },
  ],
  cancelar: [
    { re: /\b(cancelar|cancela|cancele|cancelo|cancelem)\b/, weight: 4 },
    {
      re: /\bdeixa (para|pra) la\b|\bdeixa quieto\b|\bdesisto\b|\besquece\b|\bnao (precisa|preciso|quero) mais\b|\bpara tudo\b|\bencerrar\b/,
      weight: 4,
    },
  ],
};

const GREETING = /^(oi|ola|opa|e ai|hey|hello|alo|bom dia|boa tarde|boa noite|salve|tudo bem|tudo bom|prezad[oa]s?)\b/;

const TRAINING =
  /\b(como (eu )?(faco|fazer|faz|uso|usar|utiliz\w*|configur\w*|atualiz\w*|import\w*|export\w*|instal\w*|cadastr\w*|coloc\w*|gero|gerar|crio|criar)|curso|cursos|treinamento|treinamentos|aprender|tutorial|tutoriais|video ?aula|aula|aulas|video|videos|ensin\w*|capacita\w*)\b/;

/** Tie-break order when two intents score the same: explicit requests first. */
const PRIORITY: Intent[] = ['humano', 'cancelar', 'financeiro', 'promob', 'status', 'montagem', 'assistencia'];
const MIN_INTENT_SCORE = 1.5;

function intentScores(text: string, hints: IntentHints): Map<Intent, number> {
  const scores = new Map<Intent, number>();
  for (const intent of PRIORITY)
    scores.set(intent, scoreCues(text, INTENT_CUES[intent as Exclude<Intent, 'saudacao'>]));
  const problem = hints.hasProblem === true || hasProblemCue(text);
  const add = (i: Intent, v: number) => scores.set(i, (scores.get(i) ?? 0) + v);
  // An NF with a product is the core of an assistance report, even before the problem is told.
  if (hints.hasInvoice) add('assistencia', 1);
  if (hints.hasProduct) add('assistencia', 0.5);
  if (problem) {
    add('assistencia', 2);
    if (hints.hasInvoice || hints.hasProduct) add('assistencia', 1);
    // "quebrou na montagem" is a damaged part, not an assembly question.
    if (!QUESTION.test(text)) add('montagem', -2);
  } else if (QUESTION.test(text) && (scores.get('montagem') ?? 0) > 0) {
    add('montagem', 1.5);
  }
  if (hints.hasProtocol) add('status', 2);
  // "…a assistência do pedido 73077?": a question naming an order, with no damage told, asks how it is going.
  if (hints.hasOrder && !problem && QUESTION.test(text) && (scores.get('status') ?? 0) > 0) add('status', 1);
  if (hints.hasOrder && (scores.get('financeiro') ?? 0) > 0) add('financeiro', 1);
  return scores;
}

/**
 * Intents of a message, most likely first; a greeting is listed last (alone when nothing else).
 * Also tells which Promob team fits: learning/how-to questions go to training.
 */
export function detectIntents(
  text: string,
  hints: IntentHints = {},
): { intents: Intent[]; promobTeam?: 'projects' | 'training' } {
  const scores = intentScores(text, hints);
  const intents = PRIORITY.filter((i) => (scores.get(i) ?? 0) >= MIN_INTENT_SCORE).sort(
    (a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || PRIORITY.indexOf(a) - PRIORITY.indexOf(b),
  );
  if (GREETING.test(text)) intents.push('saudacao');
  const promobTeam = intents.includes('promob') ? (TRAINING.test(text) ? 'training' : 'projects') : undefined;
  return promobTeam ? { intents, promobTeam } : { intents };
}
