/**
 * Everything the bot says, in one catalogue (pt-BR, short and warm, WhatsApp style).
 * A business person can edit the wording here; placeholders are plain function arguments.
 * Keep the keywords the customer needs to recognise a question ("nota fiscal", "foto",
 * "código", "quantidade", "o que aconteceu", "CNPJ", "posso registrar?").
 */
export const TEAM_NAMES = {
  projects: 'equipe de Projetos',
  training: 'equipe de Treinamento',
  assistance: 'equipe da Assistência Técnica',
  finance: 'financeiro',
} as const;

export const REASON_LABELS = {
  industria: 'Defeito de fábrica (indústria)',
  transporte: 'Dano no transporte/entrega',
  cliente: 'Dano na montagem ou manuseio (loja/cliente)',
} as const;

export const STATUS_PLAIN: Record<string, { label: string; next: string }> = {
  submitted: { label: 'recebida, em análise pela assistência', next: 'a equipe vai analisar e te responder por aqui' },
  returned: {
    label: 'devolvida para correção',
    next: 'precisamos que você nos envie o que foi pedido para seguir',
  },
  accepted: { label: 'aprovada (em garantia)', next: 'as peças vão entrar na programação de produção' },
  charged: {
    label: 'analisada como assistência cobrada',
    next: 'peça a liberação ao financeiro informando o número do pedido',
  },
  rejected: { label: 'recusada', next: 'se tiver dúvidas, peça para falar com a equipe' },
  imported: { label: 'aprovada e lançada no sistema', next: 'aguardando liberação para produção' },
  awaiting_finance: {
    label: 'assistência cobrada lançada no sistema',
    next: 'peça a liberação ao financeiro informando o número do pedido',
  },
  released: { label: 'liberada para produção', next: 'assim que for expedida te avisamos' },
  shipped: { label: 'expedida', next: 'as peças estão a caminho' },
  closed: { label: 'encerrada', next: '' },
};

export const MENU_OPTIONS = [
  'Assistência técnica (peça com defeito ou avariada)',
  'Consultar andamento de uma solicitação',
  'Dúvida sobre o Promob',
  'Dúvida de montagem',
  'Financeiro / liberação de assistência cobrada',
  'Falar com uma pessoa da equipe',
] as const;
export const MENU_INTENTS = ['assistencia', 'status', 'promob', 'montagem', 'financeiro', 'humano'] as const;

export const YES_NO = ['Sim', 'Não'] as const;
export const CONFIRM_OPTIONS = ['Sim, pode registrar', 'Não, quero corrigir'] as const;
export const CONTINUE_OPTIONS = ['Sim, quero seguir', 'Não, cancelar'] as const;

/** The pieces the intake may still need, as they are named inside one combined question. */
export const NEED_PHRASES = {
  cnpj: 'o CNPJ da loja',
  /** Where the channel has a "share my phone" button (Telegram). */
  cnpjOrPhone: 'o CNPJ da loja (ou toque em "Compartilhar meu telefone", se seu telefone é o cadastrado)',
  invoice: 'o número da nota fiscal',
  /** After a number that was not found: the question the miss leads to. */
  invoiceRecheck: 'o número certo da nota fiscal (pode conferir na nota)',
  items: 'o código do produto e a quantidade',
  itemsKnownInvoice: 'o código ou o nome da peça da nota e a quantidade',
  reason: 'o que aconteceu com a peça',
  photos: 'uma foto da peça (instalada, se já foi montada)',
} as const;

export type Need = keyof typeof NEED_PHRASES;

function joinPt(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} e ${parts[parts.length - 1]}`;
}

export const T = {
  greeting: (name?: string) => `Olá${name ? `, ${name}` : ''}! 👋 Aqui é o assistente da Assistência Técnica.`,
  /** One question asking for everything still missing, so the customer can answer in one message. */
  askNeeds: (needs: string[]) =>
    needs.length === 1
      ? `Pode me enviar ${needs[0]}?`
      : `Pode me enviar ${joinPt(needs)}? Pode mandar tudo numa mensagem só.`,
  openingHelp:
    'Para outros assuntos (andamento de uma solicitação, Promob, montagem, financeiro ou falar com a equipe), é só me dizer.',
  menu: 'Não entendi bem 🤔 Sobre o que você quer falar? Responda com o número ou o nome da opção.',
  menuAgain: 'Escolha uma das opções abaixo (pode responder só com o número).',

  // identification
  cnpjNotFound: (cnpj: string) =>
    `Não encontrei o CNPJ ${cnpj} no nosso cadastro. Confere o número? Se a loja ainda não é cadastrada, peça para falar com a equipe.`,
  phoneIdentified: (name: string) => `Obrigado! Encontrei o cadastro da ${name}. 👍`,
  phoneNotFound: 'Não encontrei esse telefone no nosso cadastro de lojas.',
  cnpjInvalid: 'Esse CNPJ não parece válido (os dígitos não conferem). Pode conferir e me mandar de novo?',
  identifyFirst: 'Antes, preciso identificar a sua loja.',

  // invoice
  invoiceNotFound: (nf: string) => `Não encontrei a nota fiscal ${nf} no cadastro da sua loja.`,
  invoiceAcceptedUnverified: (nf: string) =>
    `Ainda não localizei a NF ${nf}, mas tudo bem: vou registrar assim e a equipe confere a nota na análise.`,
  invoiceFound: (nf: string, date: string) => `Encontrei a NF ${nf}, emitida em ${date}.`,
  /** After answering a status question asked in the middle of a new report. */
  intakeResumes: 'Sobre a nova solicitação que estamos abrindo:',

  // items
  askItemPick: (nf: string) =>
    `Qual peça da NF ${nf} está com problema? Responda com o número da opção e, se for mais de uma unidade, a quantidade.`,
  itemNotOnInvoice: (code: string, nf: string) => `O produto ${code} não consta na NF ${nf}.`,
  itemDescriptionUnclear: (words: string) => `Não consegui identificar "${words}" entre os itens da nota.`,
  quantityTooHigh: (code: string, max: number) =>
    `A NF tem só ${max} ${max === 1 ? 'unidade' : 'unidades'} do ${code}; considerei ${max}.`,
  askQuantity: (code: string) => `Quantas unidades do ${code} estão com problema?`,

  // reason
  askReasonCategory: 'Entendi o problema. Para classificar, qual foi a causa?',
  askReasonText: 'Me conta o que aconteceu com a peça (o defeito ou dano)?',

  // photos
  photoRefused: (n: number) =>
    n === 1
      ? 'O arquivo que você mandou não é uma imagem que eu consiga abrir 😕 (a foto precisa ser JPG ou PNG)'
      : `${n} arquivos que você mandou não são imagens que eu consiga abrir 😕 (as fotos precisam ser JPG ou PNG)`,
  /** Some files of the message were refused, others taken: no question, the rest of the reply goes on. */
  photoRefusedOthersTaken: (refused: number, taken: number) =>
    `${refused === 1 ? 'Um dos arquivos não é uma imagem' : `${refused} dos arquivos não são imagens`} que eu consiga abrir 😕 ${
      taken === 1 ? 'A outra foto eu recebi' : `As outras ${taken} fotos eu recebi`
    }; se quiser, mande de novo em JPG ou PNG.`,
  photoTooLarge: 'Uma das imagens passou do limite de tamanho (10 MB). Pode mandar uma versão menor?',
  photoUnavailable: 'Não consegui baixar uma das imagens que você mandou 😕 Pode enviar de novo?',
  photoTooMany: 'Recebi muitas imagens de uma vez; guardei as 10 primeiras.',
  photosReceived: (n: number) => (n === 1 ? 'Recebi a foto 📷' : `Recebi ${n} fotos 📷`),

  // charged assistance warnings
  warnOutOfWarranty: (until: string) =>
    `Atenção: pela data da nota, a garantia terminou em ${until}. Provavelmente será assistência cobrada; a equipe confirma na análise.`,
  warnReasonCliente:
    'Atenção: danos na montagem, manuseio ou armazenagem normalmente são analisados como assistência cobrada.',
  warnContinueHint: 'Se quiser seguir mesmo assim, é só continuar; para desistir, diga "cancelar".',

  // summary / confirmation
  summaryTitle: 'Confere os dados da solicitação:',
  confirmQuestion: 'Está tudo certo? Posso registrar?',
  confirmQuestionCharged: 'Quer registrar mesmo assim?',
  askWhatToFix:
    'Tudo bem! O que precisa corrigir? Pode me mandar já o dado certo (nota, item, quantidade, motivo ou foto).',
  submitted: (protocol: string, days: number, deadline: string) =>
    `Pronto! ✅ Solicitação registrada com o protocolo ${protocol}. A equipe analisa e te responde por aqui; nosso prazo é de ${days} dias (até ${deadline}).`,
  resubmitted: (protocol: string) =>
    `Obrigado! ✅ Reenviei a solicitação ${protocol} com as correções para a equipe analisar de novo.`,

  resumeStashed: 'Agora vamos continuar a outra solicitação que você tinha começado.',
  cancelled: 'Tudo bem, cancelei. Se precisar, é só chamar por aqui. 🙂',
  nothingToCancel: 'Tudo bem! Se precisar de algo, é só chamar.',

  // status
  statusNone:
    'Não encontrei solicitações de assistência em aberto para a sua loja. Quer abrir uma nova? É só me contar o que aconteceu.',
  statusNotFoundRef: (ref: string) => `Não encontrei a solicitação ${ref} no cadastro da sua loja.`,
  statusLine: (protocol: string, nf: string, status: string, next: string, date: string) =>
    `• ${protocol} (NF ${nf}, aberta em ${date}): ${status}${next ? ` — ${next}` : ''}.`,
  statusHeader: (n: number) => (n === 1 ? 'Sua solicitação:' : `Suas solicitações (${n}):`),

  // forwards
  forwarded: (team: string) =>
    `Encaminhei sua mensagem para a ${team}. Eles vão te responder por aqui mesmo, assim que possível. 🙂`,
  forwardedHuman:
    'Claro! Encaminhei para a equipe da Assistência Técnica; uma pessoa vai falar com você por aqui (ou ligar) assim que possível. 🙂',
  financeForwarded: (order: string) =>
    `Certo! Encaminhei ao financeiro o pedido ${order} para liberação da assistência cobrada. Assim que o financeiro liberar, te aviso por aqui. 💰`,
  askOrderNumber: 'Para o financeiro liberar, qual é o número do pedido da assistência cobrada?',
  teamAnswer: (team: string, text: string) => `Resposta da ${team}:\n${text}`,

  // review results (sent after a staff decision)
  decisionAccepted: (protocol: string) =>
    `Boa notícia! ✅ A solicitação ${protocol} foi aprovada em garantia. As peças vão entrar na programação de produção e te avisamos no envio.`,
  decisionReturned: (protocol: string, message: string) =>
    `A solicitação ${protocol} voltou para correção 📝\nA equipe pediu: ${message}\nPode me enviar por aqui? Eu atualizo e reenvio para análise.`,
  decisionCharged: (protocol: string, message: string, order?: string) =>
    `A solicitação ${protocol} foi analisada como assistência cobrada.\n${message}\nPara seguir, peça a liberação ao financeiro informando o número do pedido${order ? ` (${order})` : ''}.`,
  decisionRejected: (protocol: string, message: string) =>
    `A solicitação ${protocol} não foi aprovada.\n${message}\nSe tiver dúvidas, é só pedir para falar com a equipe.`,
  // after the review (ERP import, finance release, shipping)
  chargedOrderCreated: (protocol: string, order: string) =>
    `O pedido da assistência cobrada ${protocol} foi gerado: número ${order}. 🧾\nPara seguir para a produção, peça a liberação ao financeiro informando esse número.`,
  financeReleased: (protocol: string, order: string) =>
    `Liberação do financeiro registrada para o pedido ${order} (${protocol}). ✅ Agora ele entra na programação de produção e te avisamos no envio.`,
  shipped: (protocol: string, on: string, shipmentInvoice: string) =>
    `Sua assistência ${protocol} foi enviada em ${on} 🚚 (NF de remessa ${shipmentInvoice}). Qualquer coisa, é só chamar por aqui.`,
  returnedPrompt: (protocol: string, message: string) =>
    `Estamos corrigindo a solicitação ${protocol}. A equipe pediu: ${message}\nPode me enviar?`,

  safety: 'Quem decide as solicitações é a equipe da Assistência Técnica; eu só registro e encaminho. 🙂',
  tooLong: 'Sua mensagem é bem longa; li o começo dela. Se faltou algo, me mande em partes.',
} as const;
