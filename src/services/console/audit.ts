import { and, desc, eq, gte, ilike, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { auditLog } from '../../db/schema';
import { startOfLocalDate } from '../../domain/calendar';
import { addDays } from '../../domain/warranty';

/** Console actions written to the audit log (pt-BR labels for the manager's page). */
export const AUDIT_ACTIONS = {
  'login.ok': 'Entrou',
  'login.failed': 'Falha de login',
  'login.blocked': 'Login bloqueado (muitas tentativas)',
  logout: 'Saiu',
  'access.denied': 'Acesso negado',
  'csrf.refused': 'Formulário recusado (CSRF)',
  'request.decide': 'Decisão',
  'request.edit': 'Correção de dados',
  'request.note': 'Nota interna',
  'case.open': 'Caso aberto pelo SAC',
  'case.forward': 'Conversa encaminhada',
  'forward.answer': 'Encaminhamento respondido',
  'outbox.retry': 'Reenvio de mensagem',
  'request.erp': 'Dados do ERP',
  'erp.export': 'Exportação para o ERP',
  'request.finance_release': 'Liberação do financeiro',
  'release.record': 'Liberação para produção',
  'request.ship': 'Envio registrado',
  'request.close': 'Solicitação encerrada',
  'user.create': 'Usuário criado',
  'user.disable': 'Usuário desativado',
  'user.enable': 'Usuário reativado',
  'user.password': 'Senha redefinida',
  'kpis.revenue': 'Faturamento do mês (indicadores)',
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

export interface AuditEntry {
  action: AuditAction;
  /** When; default the database's now(). */
  at?: Date;
  actor: string;
  userId?: number | null;
  role?: string | null;
  target?: string | null;
  requestId?: number | null;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}

/** Append one entry (inside the caller's transaction when given one). */
export async function audit(db: Executor, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    ...(e.at ? { at: e.at } : {}),
    action: e.action,
    actor: e.actor.slice(0, 320),
    userId: e.userId ?? null,
    role: e.role ?? null,
    target: e.target?.slice(0, 500) ?? null,
    requestId: e.requestId ?? null,
    ip: e.ip ?? null,
    details: e.details ?? null,
  });
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** `YYYY-MM-DD`, inclusive. */
  from?: string;
  /** `YYYY-MM-DD`, inclusive. */
  to?: string;
  limit?: number;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}

/** Newest first. `from`/`to` are days in Brasília time, as the console shows every time (both included). */
export async function listAudit(db: Executor, f: AuditFilter) {
  const where: SQL[] = [];
  if (f.actor) where.push(ilike(auditLog.actor, `%${likeEscape(f.actor)}%`));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.from) where.push(gte(auditLog.at, startOfLocalDate(f.from)));
  if (f.to) where.push(lt(auditLog.at, startOfLocalDate(addDays(f.to, 1))));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(f.limit ?? 300);
}

/** Failed logins for this e-mail since `since` (any IP): the account-level brake on guessing. */
export async function countFailedLogins(db: Executor, email: string, since: Date): Promise<number> {
  const rows = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'login.failed'), eq(auditLog.target, email), gte(auditLog.at, since)))
    .limit(1000);
  return rows.length;
}
