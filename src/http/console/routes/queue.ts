import { and, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { dbKeyValueStore } from '../../../db/kv-store';
import { forwards } from '../../../db/schema';
import type { DeadlineMark } from '../../../services/console/deadline';
import { allowed, HOME, REQUEST_STATUS_SCOPE } from '../../../services/console/permissions';
import { listQueue, type QueueFilter, type QueueRow, statusCounts } from '../../../services/console/queue';
import type { ConsoleUser } from '../../../services/console/sessions';
import { latestSlaAlerts, type SlaAlertList } from '../../../services/sla-alerts';
import { flashFrom } from '../flash';
import { type Html, html, qs } from '../html';
import type { ConsoleContext } from '../index';
import { CHANNEL_LABELS, fmtDateTime, label, REASON_SHORT, STATUS_LABELS, STATUS_ORDER } from '../labels';
import { page, pill } from '../layout';
import { slaBanner } from '../sla-banner';

const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (v === '' || Array.isArray(v) ? undefined : v), schema.optional());

export const queueQuery = z.object({
  status: optional(z.string().max(20)),
  reason: optional(z.string().max(20)),
  channel: optional(z.string().max(20)),
  customer: optional(z.string().max(100)),
  warranty: optional(z.string().max(5)),
  q: optional(z.string().max(100)),
  ok: optional(z.string().max(20)),
});
type QueueQuery = z.infer<typeof queueQuery>;

/** "8 dias · prazo vence em 1 dia" — the age with the deadline mark, in words. */
export function deadlineText(ageDays: number, deadlineDays: number, mark: DeadlineMark): string {
  const age = ageDays === 1 ? '1 dia' : `${ageDays} dias`;
  if (mark === 'past') {
    const over = ageDays - deadlineDays;
    return `${age} · prazo vencido há ${over === 1 ? '1 dia' : `${over} dias`}`;
  }
  if (mark === 'near') {
    const left = deadlineDays - ageDays;
    return `${age} · ${left === 0 ? 'prazo vence hoje' : `prazo vence em ${left === 1 ? '1 dia' : `${left} dias`}`}`;
  }
  return age;
}

export function deadlineBadge(ageDays: number, deadlineDays: number, mark: DeadlineMark): Html {
  const text = deadlineText(ageDays, deadlineDays, mark);
  const tag = mark === 'past' ? 'vencido' : mark === 'near' ? 'prazo' : '';
  return html`<span class="age age-${mark}">${tag ? html`<span class="mark mark-${mark}">${tag}</span>` : ''}${text}</span>`;
}

function filterForm(q: QueueQuery, status: string): Html {
  const opt = (value: string, text: string, current?: string) =>
    html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${text}</option>`;
  return html`<form method="get" action="/console/requests" class="filters" role="search"
  hx-get="/console/requests" hx-target="#queue-results" hx-select="#queue-results" hx-swap="outerHTML"
  hx-push-url="true" hx-trigger="change, submit, input changed delay:400ms from:input[type=search]">
  <input type="hidden" name="status" value="${status}">
  <label class="grow">Buscar
    <input type="search" name="q" value="${q.q ?? ''}" placeholder="Protocolo, NF, pedido ou cliente">
  </label>
  <label>Cliente
    <input type="text" name="customer" value="${q.customer ?? ''}" placeholder="Código, CNPJ ou nome">
  </label>
  <label>Motivo
    <select name="reason">${opt('', 'Todos', q.reason)}${Object.entries(REASON_SHORT).map(([k, v]) => opt(k, v, q.reason))}</select>
  </label>
  <label>Canal
    <select name="channel">${opt('', 'Todos', q.channel)}${Object.entries(CHANNEL_LABELS).map(([k, v]) => opt(k, v, q.channel))}</select>
  </label>
  <label>Garantia
    <select name="warranty">${opt('', 'Todas', q.warranty)}${opt('in', 'Em garantia', q.warranty)}${opt('out', 'Fora da garantia', q.warranty)}</select>
  </label>
  <div class="actions">
    <button type="submit">Filtrar</button>
    <a class="button secondary" href="/console/requests${qs({ status })}">Limpar</a>
  </div>
</form>`;
}

function tabs(
  counts: Record<string, number>,
  status: string,
  scope: readonly string[] | undefined,
  q: QueueQuery,
): Html {
  const keep = { reason: q.reason, channel: q.channel, customer: q.customer, warranty: q.warranty, q: q.q };
  const shown = STATUS_ORDER.filter((s) => !scope || scope.includes(s));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const tab = (s: string, text: string, n: number) =>
    html`<a href="/console/requests${qs({ status: s, ...keep })}" class="tab${s === status ? ' active' : ''}"${s === status ? html` aria-current="page"` : ''}>${text} <b>${n}</b></a>`;
  return html`<nav class="tabs" aria-label="Status">
  ${shown.map((s) => tab(s, STATUS_LABELS[s] ?? s, counts[s] ?? 0))}
  ${!scope || scope.length > 1 ? tab('all', 'Todas', total) : ''}
</nav>`;
}

function rowView(r: QueueRow, deadlineDays: number): Html {
  const href = `/console/requests/${r.protocol}`;
  return html`<tr class="deadline-${r.deadline}">
  <td data-label="Protocolo"><a class="protocol" href="${href}">${r.protocol}</a>${r.round > 1 ? html` <span class="muted">(${r.round}ª rodada)</span>` : ''}</td>
  <td data-label="Cliente">${r.customerName}<br><span class="muted">${r.customerCode}</span></td>
  <td data-label="NF">${r.invoiceNumber}${r.invoiceNotFound ? html` ${pill('warn', 'não localizada')}` : ''}${r.orderNumber ? html`<br><span class="muted">pedido ${r.orderNumber}</span>` : ''}</td>
  <td data-label="Motivo">${label(REASON_SHORT, r.reasonCategory)}</td>
  <td data-label="Canal">${label(CHANNEL_LABELS, r.channel)}${r.origin === 'sac' ? html` ${pill('info', 'origem SAC')}` : ''}</td>
  <td data-label="Garantia">${r.inWarranty ? pill('ok', 'em garantia') : pill('warn', 'fora da garantia')}</td>
  <td data-label="Itens / fotos">${r.itemCount} / ${r.photoCount}${r.photoCount === 0 ? html` ${pill('warn', 'sem foto')}` : ''}</td>
  <td data-label="Idade" title="Aberta em ${fmtDateTime(r.createdAt)}">${deadlineBadge(r.ageDays, deadlineDays, r.deadline)}</td>
  <td data-label="Status">${pill(r.status, label(STATUS_LABELS, r.status))}</td>
</tr>`;
}

export function queueView(opts: {
  user: ConsoleUser;
  rows: QueueRow[];
  counts: Record<string, number>;
  status: string;
  query: QueueQuery;
  scope?: readonly string[];
  deadlineDays: number;
  openAssistanceForwards: number | null;
  flash: ReturnType<typeof flashFrom>;
  /** The latest daily SLA alert list (jobs/sla-alerts). */
  sla?: SlaAlertList | null;
}): Html {
  const { rows, deadlineDays } = opts;
  const late = rows.filter((r) => r.deadline === 'past').length;
  const near = rows.filter((r) => r.deadline === 'near').length;
  return page(
    { title: 'Fila de revisão', user: opts.user, active: 'queue', flash: opts.flash },
    html`<div class="page-head">
  <h1>Fila de revisão</h1>
  ${allowed(opts.user.role, 'case:open') ? html`<a class="button" href="/console/sac/new">Abrir caso (SAC)</a>` : ''}
</div>
${
  opts.openAssistanceForwards
    ? html`<p class="notice"><a href="/console/forwards${qs({ team: 'assistance' })}">${opts.openAssistanceForwards} encaminhamento(s) em aberto para a Assistência Técnica</a> (dúvidas, pedidos para falar com a equipe, conversas encaminhadas pelo SAC).</p>`
    : ''
}
${slaBanner(opts.sla ?? null, opts.scope)}
${tabs(opts.counts, opts.status, opts.scope, opts.query)}
${filterForm(opts.query, opts.status)}
<section id="queue-results" aria-live="polite">
  <p class="summary">${rows.length} solicitação(ões)${late ? html` · <span class="age age-past">${late} com prazo vencido</span>` : ''}${near ? html` · <span class="age age-near">${near} perto do prazo</span>` : ''} <span class="muted">· prazo de assistência: ${deadlineDays} dias</span></p>
  ${
    rows.length
      ? html`<table class="queue responsive">
    <thead><tr><th>Protocolo</th><th>Cliente</th><th>NF</th><th>Motivo</th><th>Canal</th><th>Garantia</th><th>Itens / fotos</th><th>Idade</th><th>Status</th></tr></thead>
    <tbody>${rows.map((r) => rowView(r, deadlineDays))}</tbody>
  </table>`
      : html`<p class="empty">Nenhuma solicitação com esses filtros.</p>`
  }
</section>`,
  );
}

export function registerQueue(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  const render: Parameters<ConsoleContext['route']>[1] = async (req, reply) => {
    const u = req.consoleUser!;
    const parsed = queueQuery.safeParse(req.query);
    const q: QueueQuery = parsed.success ? parsed.data : {};
    const scope = REQUEST_STATUS_SCOPE[u.role];
    // A search (protocol, NF, order numbers, customer) looks in every status unless one is chosen.
    const defaultStatus = q.q?.trim() ? 'all' : (scope?.[0] ?? 'submitted');
    const status =
      q.status && (q.status === 'all' || STATUS_ORDER.includes(q.status as 'submitted')) ? q.status : defaultStatus;
    const filter: QueueFilter = {
      status: status === 'all' ? undefined : status,
      reason: q.reason,
      channel: q.channel,
      customer: q.customer,
      warranty: q.warranty === 'in' || q.warranty === 'out' ? q.warranty : undefined,
      q: q.q,
    };
    const [rows, counts] = await Promise.all([
      listQueue(db, filter, { today: ctx.deps.today(), deadlineDays: ctx.deps.assistanceDeadlineDays, scope }),
      statusCounts(db, scope),
    ]);
    let openAssistanceForwards: number | null = null;
    if (allowed(u.role, 'forwards:read')) {
      const [n] = await db
        .select({ n: count() })
        .from(forwards)
        .where(and(eq(forwards.team, 'assistance'), eq(forwards.status, 'open')));
      openAssistanceForwards = Number(n?.n ?? 0);
    }
    return ctx.send(
      reply,
      queueView({
        user: u,
        rows,
        counts,
        status,
        query: q,
        scope,
        deadlineDays: ctx.deps.assistanceDeadlineDays,
        openAssistanceForwards,
        flash: flashFrom(req.query),
        sla: await latestSlaAlerts(dbKeyValueStore(db)),
      }),
    );
  };

  ctx.route('GET /console', async (req, reply) => {
    const u = req.consoleUser!;
    if (HOME[u.role] === 'forwards' || !allowed(u.role, 'queue:read')) return reply.redirect('/console/forwards', 302);
    return render(req, reply);
  });
  ctx.route('GET /console/requests', render);
}
