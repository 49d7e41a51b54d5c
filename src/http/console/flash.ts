import type { PageOptions } from './layout';

/** Fixed confirmation messages shown after a redirect (`?ok=code`): never text from the request. */
export const FLASH = {
  decided: 'Decisão registrada e enviada ao cliente.',
  edited: 'Correção registrada no histórico.',
  noted: 'Nota interna registrada (não é enviada ao cliente).',
  opened: 'Caso aberto e colocado na fila de revisão.',
  forwarded: 'Conversa encaminhada para a Assistência Técnica.',
  answered: 'Resposta enviada ao cliente.',
  retried: 'Mensagem colocada de novo na fila de envio.',
  enabled: 'Usuário reativado.',
  disabled: 'Usuário desativado; as sessões dele foram encerradas.',
  logout: 'Você saiu do console.',
  expired: 'Sua sessão terminou. Entre de novo.',
  erp: 'Dados do ERP salvos.',
  exported: 'Lote exportado: as solicitações estão como importadas no ERP.',
  finance: 'Liberação do financeiro registrada e enviada ao cliente.',
  released: 'Liberação do dia registrada.',
  shipped: 'Envio registrado e enviado ao cliente.',
  closed: 'Solicitação encerrada.',
} as const;

export function flashFrom(query: unknown): PageOptions['flash'] {
  const ok = (query as { ok?: unknown } | undefined)?.ok;
  if (typeof ok === 'string' && ok in FLASH) return { kind: 'ok', text: FLASH[ok as keyof typeof FLASH] };
  return null;
}
