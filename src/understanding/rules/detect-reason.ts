import type { ReasonCategory, Signals, UnderstandingContext } from '../signals';
import { expandWord } from './abbreviations';
import { withoutTypingSlips } from './detect-correction';
import { type Cue, hasProblemCue, scoreCues } from './keyword-cues';
import { foldMessageText } from './prepare-text';
import type { Message } from './types';

const DAMAGE =
  '(quebr|amass|danific|batid|bateu|trinc|rach|estour|estilha|avariad|lasc|risc|arranh|molhad|furad|rasgad|empenad|torto)\\w*';
const ACTORS =
  '(a gente|nos|nossa equipe|nosso montador|nossos montadores|o ajudante|ajudante|funcionario|cliente|cliente final|o pessoal)';
const CLIENT_ACTIONS =
  '(quebr|risc|lasc|trinc|amass|bateu|batemos|derrub|furou|furaram|cortou|cortaram|danific|estrag|molh|forc|roeu)\\w*';

/**
 * Category cues. `transporte`: damaged on the way (arrived broken, box torn, carrier). `cliente`:
 * damaged by the store, its assembler or the end customer (assembly, fall, storage, humidity at
 * the site). `industria`: defects from the factory (warped, peeling, wrong hole, colour, size,
 * part, missing part).
 */
const CATEGORY_CUES: Record<ReasonCategory, Cue[]> = {
  transporte: [
    {
      re: /\b(transportadora|transporte|frete|motorista|caminhao|entregador|descarga|descarregamento|descarregar)\b/,
      weight: 3,
    },
    { re: /\b(transportadora|motorista|entregador)\b[^.]{0,25}\b(derrub|quebr|amass|bat|risc|danific)/, weight: 2 },
    { re: /\bentrega\b/, weight: 2 },
    {
      re: new RegExp(
        `\\b(chegou|chegaram|recebi|recebemos|entregue|entregues|entregaram|entregou)\\b[^.]{0,40}\\b${DAMAGE}`,
      ),
      weight: 2.5,
    },
    // "veio quebrado" alone may be the trip or the factory: too weak to decide, so the bot asks.
    { re: new RegExp(`\\b(veio|vieram)\\b[^.]{0,40}\\b${DAMAGE}`), weight: 1 },
    {
      re: /\b(caixa|caixas|embalagem|embalagens|volume|plastico)\b[^.]{0,25}\b(rasgad|amassad|molhad|furad|danificad|abert|estourad|violad|avariad)\w*/,
      weight: 3,
    },
    { re: /\b(rasgad|amassad|molhad|furad|estourad)\w* (a |na |da )?(caixa|embalagem)/, weight: 3 },
    { re: /\bavaria\w*/, weight: 1.5 },
    // "já veio assim" is the trip; "já veio assim de fábrica" is the factory (below).
    { re: /\b(ja )?(chegou|veio|vieram|chegaram|entregou|entregaram|entregue) assim\b(?! d[ae] fabrica)/, weight: 2 },
    {
      re: new RegExp(
        `\\b(abri|abriu|abrimos|abriram|abrir|tirei|tiramos|tirou|desembal\\w*)\\b[^.]{0,30}\\b(caixa|embalagem|plastico)\\b[^.]{0,40}\\b${DAMAGE}`,
      ),
      weight: 3,
    },
    { re: new RegExp(`\\bja (veio|vieram|estava|estavam|tava|tavam|chegou) ${DAMAGE}`), weight: 2 },
  ],
  cliente: [
    // The assembler as the one who did it: "o montador riscou", "o montador que quebrou".
    { re: new RegExp(`\\bmontador(a|es)?\\b[^.]{0,15}\\b${CLIENT_ACTIONS}`), weight: 4 },
    // "o montador apertou demais a bucha e rachou"
    {
      re: /\bmontador(a|es)?\b[^.]{0,40}\b(apert\w* demais|forc\w*)[^.]{0,30}\b(rach|quebr|trinc|lasc|estour)\w*/,
      weight: 4,
    },
    { re: /\b(quebr|risc|lasc|trinc|caiu|derrub|danific)\w*[^.]{0,30}\bmontador/, weight: 3.5 },
    { re: new RegExp(`\\b${ACTORS}\\b[^.]{0,25}\\b${CLIENT_ACTIONS}`), weight: 3 },
    { re: /\b(danificad|quebrad|riscad)\w* (pela|pelo|por) (nossa|nosso|gente|montador|cliente|equipe)/, weight: 3 },
    { re: /\b(durante a|na|da|pela) (montagem|instalacao)\b/, weight: 3 },
    {
      re: /\b(montando|instalando|ao montar|ao instalar|na hora de (montar|instalar)|(fomos|fui|foram|foi) (montar|instalar)|quando (fomos|fui|foram) (montar|instalar))\b/,
      weight: 3,
    },
    {
      re: /\b(caiu|cairam|derrubou|derrubamos|derrubei|derrubaram|deixamos cair|deixou cair|escorregou)\b/,
      weight: 2.5,
    },
    {
      re: /\b(quebrei|quebramos|riscamos|risquei|lascamos|lasquei|batemos|bati|derrubei|derrubamos|furei|furamos|cortei|cortamos|molhamos|estragamos|estraguei|trincamos)\b/,
      weight: 3,
    },
    {
      re: /\b(mau uso|uso indevido|uso inadequado|erro (nosso|da loja|do montador)|culpa (nossa|do montador|da loja|minha))\b/,
      weight: 3,
    },
    { re: /\b(cachorro|gato|crianca|criancas|pet|animal)\b/, weight: 3 },
    { re: /\b(armazenad|armazenam|guardad|estocad|deposito|garagem)\w*/, weight: 3 },
    {
      re: /\b(umidade|molh\w*|agua|chuva|infiltra\w*)\b[^.]{0,40}\bobra\b|\bobra\b[^.]{0,20}\b(umidade|molh\w*|agua|chuva)/,
      weight: 3,
    },
    // "o dano ocorreu na obra": where it happened, said outright.
    {
      re: /\b(ocorreu|aconteceu|foi|ocorreram|aconteceram|danificou|danificaram)\b[^.]{0,15}\b(na|durante a) obra\b/,
      weight: 3,
    },
    { re: /\bumidade\b/, weight: 1.5 },
  ],
  industria: [
    { re: /\bde fabrica(cao)?\b|\bdefeito de (fabrica|fabricacao)\b|\bfabricacao\b|\bindustria\b/, weight: 4 },
    // "já vieram assim de fábrica", "saiu assim da fábrica": the customer places the damage at the factory.
    { re: /\b(veio|vieram|chegou|chegaram|saiu|sairam|vem) assim d[ae] fabrica\b/, weight: 2 },
    { re: /\b(empen|entort|envergad)\w*|\b(torto|torta|tortos|tortas)\b/, weight: 3 },
    { re: /\b(descasc|descol|desplac)\w*|\bfita de borda\b|\bborda solt\w*/, weight: 3 },
    // "a pintura está saindo", "a lâmina soltando": the finish lets go.
    {
      re: /\b(pintura|tinta|verniz|lamina|laminado|fita|revestimento|acabamento)\b[^.]{0,15}\b(saindo|soltando|desgrudando|caindo|sain|solt)\w*/,
      weight: 3,
    },
    { re: /\b(bolha|bolhas|manchad\w*|mancha|manchas)\b/, weight: 3 },
    { re: /\b(estufad|estufou|estufaram|inchad|inchou|incharam)\w*/, weight: 1 },
    {
      re: /\b(cor|tom|tonalidade)\b[^.]{0,15}\bmais (clar|escur)\w*|\bcor (diferente|errada|trocada|divergente|errad\w*)\b|\b(tonalidade|tom) diferente\b|\boutra cor\b|\bcores diferentes\b|\bcor (nao bate|nao confere)\b/,
      weight: 3,
    },
    {
      re: /\b(medida|medidas|tamanho|dimensao|dimensoes)\s(errad|diferente|incorret|menor|maior|trocad)\w*/,
      weight: 3,
    },
    { re: /\b(cm|mm|centimetros?|milimetros?|_measure_|\d+[a-z]*) (menor|maior|a menos|a mais)\b/, weight: 2 },
    {
      re: /\b(peca|pecas|item|produto|modelo) (errad|trocad)\w*|\b(veio|vieram|mandaram|enviaram) (errad|trocad|outr)\w*/,
      weight: 3,
    },
    {
      re: /\b(faltou|faltaram|faltando|falta|faltam|faltava|nao veio|nao vieram|a menos)\b/,
      weight: 3,
    },
    { re: /\b(veio|vieram|vem|chegou|chegaram|esta|estao|estava|ficou|ficaram) sem (o|a|os|as)?\b/, weight: 3 },
    {
      re: /\b(veio|vieram|ficou|ficaram|esta|estao) (menor|maior|mais curt\w*|mais compri\w*|mais larg\w*|mais estreit\w*)\b/,
      weight: 3,
    },
    {
      re: /\b(furacao|furacoes|furos?|furado|furada)\b[^.]{0,25}\b(errad|invertid|fora|faltando|deslocad|tort|diferente|contrari)\w*|\bsem (a )?furacao\b/,
      weight: 4,
    },
    { re: /\bdefeit\w*/, weight: 2 },
    {
      re: /\b(acabamento|pintura|laminad\w*|lamina|revestimento)\b[^.]{0,20}\b(ruim|defeito|falha|bolha|mancha|descasc|solt)/,
      weight: 3,
    },
    { re: /\b(travand|travad|emperr)\w*|\bnao (abre|fecha|desliza|encaixa)\b/, weight: 2 },
    // A mechanism that fails ("a mola quebrada", "o amortecedor vazando"), or damage inside a sealed package.
    {
      re: /\b(mola|molas|amortecedor|amortecedores|pistao|pistoes|mecanismo|trava|roldana|roldanas|rolamento)\b[^.]{0,25}\b(quebr|solt|vaz|trav|nao funciona|nao fecha|nao segura|fraca)\w*/,
      weight: 3,
    },
    {
      re: /\b(saco|saquinho|plastico|embalagem|embalagens|caixa|caixas)\b[^.]{0,15}\b(lacrad|intact|fechad|perfeit|inteir|sem (nenhum )?(dano|avaria|marca))\w*/,
      weight: 3,
    },
  ],
};

const CATEGORIES = Object.keys(CATEGORY_CUES) as ReasonCategory[];

/** The category the words point to, when one clearly leads. */
function reasonCategoryOf(text: string): ReasonCategory | undefined {
  const scores = CATEGORIES.map((c) => ({ c, s: scoreCues(text, CATEGORY_CUES[c]) })).sort((a, b) => b.s - a.s);
  const [first, second] = scores;
  if (!first || first.s < 1.5 || (second && first.s === second.s)) return undefined;
  return first.c;
}

/**
 * Normalised form of one sentence of the original text, for cue matching. Lighter than full
 * tokenisation (no number spans): only the words matter to the cues.
 */
function normalForm(sentence: string): string {
  return foldMessageText(sentence)
    .replace(/[a-z]+/g, (w) => ` ${expandWord(w)} `)
    .replace(/\s+/g, ' ')
    .trim();
}

const GREETING_SENTENCE = /^(oi|ola|opa|bom dia|boa tarde|boa noite|prezad[oa]s?|ola equipe|boa|bom)\b[\s,!.]*$/i;
const ATTACHMENT_SENTENCE =
  /^(segue|seguem|envio|anexo|foto|fotos)\b.{0,30}(foto|fotos|anexo|imagem|imagens)?[\s.!]*$/i;
const MAX_DESCRIPTION = 500;
/** After . ! ? or at a line break; not after an abbreviation's dot ("cód. 512057", "nº. 3", "ref. 615044"). */
const SENTENCE_BREAK =
  /(?<=[.!?])(?<!\b(?:c[oó]d|ref|n[º°o]|num|obs|qtde?|unid|un|p[cç]|aprox|tel|ex|sr|sra|dr|av)\.)\s+|\n+/i;

/**
 * The customer's own words for the problem: the sentences that carry a problem cue, without
 * greetings and "segue foto". When the bot asked for the reason, the whole answer is the description.
 */
/** A greeting, with a short vocative, opening the sentence: "opa boa tarde, ", "boa tarde meu rei, ", "Oi! ". */
const LEAD_GREETING =
  /^((oi|ol[aá]|opa|e a[ií]|eai|bom dia|boa tarde|boa noite|prezad[oa]s?|pessoal|galera|tudo bem|tudo bom|blz|beleza)\b[\s,!.]*)+([^\s,.:;!?]+(\s+[^\s,.:;!?]+){0,2}\s*[,!]\s*)?/i;
/** The invoice said before the problem: "NF 318528: ", "Referente à NF 318790: ", "Segue NF 318586 — ". */
const LEAD_INVOICE =
  /^((referente [aà]|segue( a)?|sobre a|pedido d[ao]|da|na)\s+)?(nf-?e?|nota( fiscal)?|danfe)\s*(n[º°o.]*\s*)?[\d.\-/]+\s*[:,—–-]\s*/i;

/**
 * The sentence without what opens it but is not the problem: a greeting, the invoice number (shown beside the
 * description anyway). Kept whole when too little would be left.
 */
function withoutLeadIn(sentence: string): string {
  const rest = sentence.replace(LEAD_GREETING, '').replace(LEAD_INVOICE, '');
  return rest.length >= 12 ? rest : sentence;
}

function describe(msg: Message, asked: boolean): string | undefined {
  const sentences = msg.original
    .split(SENTENCE_BREAK)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const problem = sentences.filter((s) => {
    const form = withoutTypingSlips(normalForm(s));
    return hasProblemCue(form) || reasonCategoryOf(form);
  });
  let chosen = problem;
  if (chosen.length === 0 && asked) {
    chosen = sentences.filter((s) => !GREETING_SENTENCE.test(s) && !ATTACHMENT_SENTENCE.test(s));
  }
  const text = chosen.map(withoutLeadIn).join(' ').replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

/**
 * Reason for the assistance: the category when the words point to one, and the customer's
 * description. No reason at all when the message describes no problem (and none was asked for).
 */
export function detectReason(msg: Message, ctx: UnderstandingContext): Signals['reason'] {
  const asked = ctx.expecting === 'reason';
  const text = withoutTypingSlips(msg.text);
  const category = reasonCategoryOf(text);
  if (!category && !hasProblemCue(text) && !asked) return undefined;
  const description = describe(msg, asked) ?? msg.original.trim();
  if (!description) return undefined;
  return category ? { category, description } : { description };
}
