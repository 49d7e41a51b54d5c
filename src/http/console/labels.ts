import { REASON_LABELS } from '../../../flows/texts';
import { COMPANY_TIME_ZONE } from '../../domain/calendar';
import { formatCnpj } from '../../domain/cnpj';
import { REQUEST_STATUSES } from '../../domain/request-status';
import { formatDateBr } from '../../domain/warranty';

/** Staff wording for statuses, channels, reasons and teams (pt-BR). */
export const STATUS_LABELS: Record<string, string> = {
  submitted: 'Em análise',
  returned: 'Devolvida ao cliente',
  accepted: 'Aceita (garantia)',
  charged: 'Assistência cobrada',
  rejected: 'Improcedente',
  imported: 'Importada no ERP',
  released: 'Liberada p/ produção',
  shipped: 'Expedida',
  closed: 'Encerrada',
};
/** Queue tabs follow the life of a request, as the domain lists it. */
export const STATUS_ORDER = REQUEST_STATUSES;

export const CHANNEL_LABELS: Record<string, string> = {
  web: 'Chat do site',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  email: 'E-mail',
  sac: 'SAC (telefone)',
};

export const REASON_SHORT: Record<string, string> = {
  industria: 'Indústria',
  transporte: 'Transporte',
  cliente: 'Cliente',
};
export const reasonLong = (c: string) => (REASON_LABELS as Record<string, string>)[c] ?? c;

export const TEAM_LABELS: Record<string, string> = {
  projects: 'Projetos',
  training: 'Treinamento',
  assistance: 'Assistência Técnica',
  finance: 'Financeiro',
};

export const INTENT_LABELS: Record<string, string> = {
  promob: 'Dúvida de Promob',
  montagem: 'Dúvida de montagem',
  humano: 'Pediu para falar com a equipe',
  financeiro: 'Liberação de assistência cobrada',
  sac: 'Encaminhado pelo SAC',
};

export const label = (map: Record<string, string>, key: string) => map[key] ?? key;

const dateTime = new Intl.DateTimeFormat('pt-BR', {
  timeZone: COMPANY_TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** `29/11/2026 15:04` in Brasília time. */
export function fmtDateTime(d: Date | string): string {
  return dateTime.format(typeof d === 'string' ? new Date(d) : d).replace(', ', ' ');
}

/** `YYYY-MM-DD` → `dd/mm/aaaa`; empty for null. */
export function fmtDate(d: string | null | undefined): string {
  return d ? formatDateBr(d) : '';
}

export function fmtCnpj(digits: string): string {
  return digits.length === 14 ? formatCnpj(digits) : digits;
}

export function fmtKg(n: number): string {
  return `${n.toLocaleString('pt-BR', { maximumFractionDigits: 2 })} kg`;
}

/** `user:ana@x.com` → `ana@x.com`; `bot` → `bot`; `token:nome` → `API (nome)`. */
export function who(by: string): string {
  if (by.startsWith('user:')) return by.slice(5);
  if (by.startsWith('token:')) return `API (${by.slice(6)})`;
  if (by === 'bot') return 'bot';
  return by;
}
