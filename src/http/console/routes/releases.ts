import { desc } from 'drizzle-orm';
import { releases } from '../../../db/schema';
import { ClientError } from '../../../services/errors';
import { awaitingFinance, proposeRelease, recordRelease } from '../../../services/production';
import { flashFrom } from '../flash';
import { formIds } from '../form-values';
import { html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDate, fmtDateTime, fmtKg, who } from '../labels';
import { csrfField, page, pill } from '../layout';

const PRIORITY_LABEL = { warranty: 'Garantia', charged: 'Cobrada' } as const;

/**
 * The day's release (seed 6.1/6.2): the planner's proposal pre-checked, the assistant adjusts
 * (the total updates as boxes change), and records it. Also the finance page: charged requests
 * waiting for the finance release.
 */
export function registerReleases(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  ctx.route('GET /console/releases', async (req, reply) => {
    const u = req.consoleUser!;
    const cap = ctx.deps.dailyCapKg;
    const { candidates, plan } = await proposeRelease(db, cap);
    const chosen = new Set(plan.selected);
    const deferred = new Map(plan.deferred.map((d) => [d.id, d.reason]));
    const order = [...plan.selected, ...plan.deferred.map((d) => d.id)];
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const recent = await db.select().from(releases).orderBy(desc(releases.id)).limit(10);
    return ctx.send(
      reply,
      page(
        { title: 'Liberação do dia', user: u, active: 'releases', flash: flashFrom(req.query) },
        html`<div class="page-head"><h1>Liberação do dia para produção</h1>
  <p class="muted">Garantia antes de cobrada; depois a sequência de pedidos do cliente; depois a idade. Limite diário aproximado: ${fmtKg(cap)}.</p></div>
<section class="card">
  ${
    candidates.length === 0
      ? html`<p class="muted">Nenhuma solicitação importada aguardando liberação (cobradas só depois da liberação do financeiro).</p>`
      : html`<form method="post" action="/console/releases" class="release-form" data-cap="${cap}">
  ${csrfField(u)}
  <p class="release-total" aria-live="polite">Total escolhido: <b data-total>${fmtKg(plan.totalKg)}</b> de ${fmtKg(cap)}
    <span class="over-cap" data-over${plan.totalKg > cap ? '' : html` hidden`}>${pill('warn', 'acima do limite')}</span></p>
  ${plan.oversize !== null ? html`<p>${pill('warn', 'Pedido acima do limite')} ${byId.get(plan.oversize)?.protocol} sozinho excede ${fmtKg(cap)}: a proposta é liberá-lo sozinho hoje.</p>` : ''}
  <table class="table">
    <thead><tr><th>Liberar</th><th>Protocolo</th><th>Cliente</th><th>Tipo</th><th>Seq.</th><th>Pedido ERP</th><th>Peso</th><th>Volumes</th><th>Desde</th><th>Proposta</th></tr></thead>
    <tbody>${order.map((id) => {
      const c = byId.get(id)!;
      const why = deferred.get(id);
      return html`<tr>
      <td data-label="Liberar"><input type="checkbox" name="id" value="${c.id}" data-kg="${c.weightKg}"${chosen.has(c.id) ? html` checked` : ''} aria-label="Liberar ${c.protocol}"></td>
      <td data-label="Protocolo"><a href="/console/requests/${c.protocol}">${c.protocol}</a></td>
      <td data-label="Cliente">${c.customerName}</td>
      <td data-label="Tipo">${pill(c.priority === 'warranty' ? 'ok' : 'info', PRIORITY_LABEL[c.priority])}</td>
      <td data-label="Seq.">${c.orderSequence ?? '—'}</td>
      <td data-label="Pedido ERP">${c.erpOrderNumber}</td>
      <td data-label="Peso">${fmtKg(c.weightKg)}</td>
      <td data-label="Volumes">${c.volumes}</td>
      <td data-label="Desde">${fmtDate(c.since.slice(0, 10))}</td>
      <td data-label="Proposta">${chosen.has(c.id) ? 'hoje' : why === 'oversize' ? 'acima do limite (sozinho em outro dia)' : 'próximo dia'}</td>
    </tr>`;
    })}</tbody>
  </table>
  <label class="check"><input type="checkbox" name="overCap" value="1"> Liberar mesmo se passar do limite diário</label>
  <button type="submit">Registrar liberação do dia</button>
</form>`
  }
</section>
<section class="card"><h2>Últimas liberações</h2>
${
  recent.length === 0
    ? html`<p class="muted">Nenhuma ainda.</p>`
    : html`<table class="table"><thead><tr><th>Dia</th><th>Solicitações</th><th>Total</th><th>Por</th><th>Registrada</th></tr></thead><tbody>${recent.map(
        (r) =>
          html`<tr><td data-label="Dia">${fmtDate(r.day)}</td><td data-label="Solicitações">${r.requestIds.length}</td><td data-label="Total">${fmtKg(r.totalKg)}${r.totalKg > r.capKg ? html` ${pill('warn', 'acima do limite')}` : ''}</td><td data-label="Por">${who(r.createdBy)}</td><td data-label="Registrada">${fmtDateTime(r.createdAt)}</td></tr>`,
      )}</tbody></table>`
}
</section>`,
      ),
    );
  });

  ctx.route('POST /console/releases', async (req, reply) => {
    const u = req.consoleUser!;
    const b = (req.body ?? {}) as { id?: unknown; overCap?: unknown };
    const ids = formIds(b.id);
    if (ids.length === 0) throw new ClientError(400, 'Marque ao menos uma solicitação para liberar.');
    const res = await recordRelease(db, ids, ctx.by(u), {
      capKg: ctx.deps.dailyCapKg,
      day: ctx.deps.today(),
      overCapConfirmed: b.overCap === '1',
    });
    await ctx.audit(req, {
      action: 'release.record',
      target: `release:${res.releaseId}`,
      details: { ids, totalKg: res.totalKg, oversize: res.oversize },
    });
    return reply.redirect('/console/releases?ok=released', 303);
  });

  ctx.route('GET /console/finance', async (req, reply) => {
    const u = req.consoleUser!;
    const rows = await awaitingFinance(db);
    return ctx.send(
      reply,
      page(
        { title: 'Financeiro', user: u, active: 'finance', flash: flashFrom(req.query) },
        html`<div class="page-head"><h1>Assistência cobrada: liberação do financeiro</h1>
  <p class="muted">A análise e a importação no ERP vêm antes; depois o cliente pede a liberação informando o número do pedido.</p></div>
<section class="card">${
          rows.length === 0
            ? html`<p class="muted">Nada aguardando o financeiro.</p>`
            : html`<table class="table"><thead><tr><th>Protocolo</th><th>Cliente</th><th>Pedido ERP</th><th>Situação</th></tr></thead><tbody>${rows.map(
                (x) =>
                  html`<tr><td data-label="Protocolo"><a href="/console/requests/${x.req.protocol}#after-review">${x.req.protocol}</a></td><td data-label="Cliente">${x.customerName}</td><td data-label="Pedido ERP">${x.req.erpOrderNumber ?? '—'}</td>
                  <td data-label="Situação">${x.state === 'awaiting-finance' ? pill('warn', 'aguardando liberação') : pill('info', 'aguardando importação no ERP')}</td></tr>`,
              )}</tbody></table>`
        }</section>`,
      ),
    );
  });
}
