import { parseDateBrOrIso } from '../../../domain/warranty';
import { AUDIT_ACTIONS, listAudit } from '../../../services/console/audit';
import { formString } from '../form-values';
import { type Html, html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDateTime } from '../labels';
import { page } from '../layout';

/** A real calendar date typed as YYYY-MM-DD (2026-02-30 is not one), else no filter. */
const isoDate = (v: unknown) => {
  const s = formString(v);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? (parseDateBrOrIso(s) ?? undefined) : undefined;
};

function detailsText(d: unknown): string {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ')
    .slice(0, 600);
}

export function registerAudit(ctx: ConsoleContext) {
  ctx.route('GET /console/audit', async (req, reply) => {
    const u = req.consoleUser!;
    const q = req.query as Record<string, unknown>;
    const actor = formString(q.user).trim().slice(0, 200) || undefined;
    const action = formString(q.action) in AUDIT_ACTIONS ? formString(q.action) : undefined;
    const from = isoDate(q.from);
    const to = isoDate(q.to);
    const rows = await listAudit(ctx.deps.db, { actor, action, from, to, limit: 500 });
    const opt = (value: string, text: string): Html =>
      html`<option value="${value}"${value === (action ?? '') ? html` selected` : ''}>${text}</option>`;
    return ctx.send(
      reply,
      page(
        { title: 'Auditoria', user: u, active: 'audit' },
        html`<div class="page-head"><h1>Auditoria</h1></div>
<section class="card">
  <form method="get" action="/console/audit" class="filters">
    <label class="grow">Usuário <input type="search" name="user" value="${actor ?? ''}" placeholder="e-mail (ou parte)"></label>
    <label>Ação <select name="action">${opt('', 'Todas')}${Object.entries(AUDIT_ACTIONS).map(([k, v]) => opt(k, v))}</select></label>
    <label>De <input type="date" name="from" value="${from ?? ''}"></label>
    <label>Até <input type="date" name="to" value="${to ?? ''}"></label>
    <div class="actions"><button type="submit">Filtrar</button> <a class="button secondary" href="/console/audit">Limpar</a></div>
  </form>
  <p class="summary">${rows.length} registro(s)${rows.length === 500 ? ' (os 500 mais recentes)' : ''}. Nada é apagado.</p>
  <table class="responsive audit">
    <thead><tr><th>Quando</th><th>Quem</th><th>Ação</th><th>Alvo</th><th>IP</th><th>Detalhes</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr>
      <td data-label="Quando">${fmtDateTime(r.at)}</td>
      <td data-label="Quem">${r.actor}${r.role ? html`<br><span class="muted">${r.role}</span>` : ''}</td>
      <td data-label="Ação">${(AUDIT_ACTIONS as Record<string, string>)[r.action] ?? r.action}</td>
      <td data-label="Alvo">${
        r.target && /^AT-\d+$/.test(r.target)
          ? html`<a href="/console/requests/${r.target}">${r.target}</a>`
          : (r.target ?? '')
      }</td>
      <td data-label="IP">${r.ip ?? ''}</td>
      <td data-label="Detalhes" class="clip">${detailsText(r.details)}</td>
    </tr>`,
    )}</tbody>
  </table>
</section>`,
      ),
    );
  });
}
