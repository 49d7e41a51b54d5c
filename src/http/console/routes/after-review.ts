import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { customers, releases, requests } from '../../../db/schema';
import { readErpData } from '../../../domain/erp';
import { toIsoDate } from '../../../domain/warranty';
import { allowed } from '../../../services/console/permissions';
import type { RequestPageData } from '../../../services/console/request-detail';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ERP_EDITABLE, type ErpSettings, erpFormValues, saveErpData } from '../../../services/erp';
import { closeRequest, financeState, recordFinanceRelease, recordShipment } from '../../../services/production';
import { formString, protocolOf } from '../form-values';
import { type Html, html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDate, fmtDateTime, fmtKg, who } from '../labels';
import { csrfField, pill } from '../layout';

/**
 * The request page's "after the decision" card: FOCCO import data (accepted/charged), the finance
 * release of charged assistance, the release to production, shipping and closing.
 */

type FormState = { values: Record<string, unknown>; errors: Record<string, string> };

const FIELDS: { name: string; label: string; hint?: string; inputmode?: string; size?: 'short' }[] = [
  { name: 'erpOrderNumber', label: 'Número do pedido no ERP', inputmode: 'numeric' },
  { name: 'salesDivision', label: 'Divisão de venda' },
  { name: 'reason', label: 'Motivo (ERP)' },
  { name: 'paymentCondition', label: 'Condição de pagamento' },
  { name: 'cfop', label: 'Tipo de NF (CFOP)', inputmode: 'decimal', size: 'short' },
  { name: 'weightKg', label: 'Peso (kg)', inputmode: 'decimal', size: 'short' },
  { name: 'volumes', label: 'Volumes (peças)', inputmode: 'numeric', size: 'short' },
  { name: 'orderSequence', label: 'Sequência do pedido do cliente', inputmode: 'numeric', size: 'short' },
];

const show = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function erpForm(r: RequestPageData['request'], u: ConsoleUser, f: FormState, hints: Record<string, string>): Html {
  return html`<form method="post" action="/console/requests/${r.protocol}/erp" class="stack erp-form" novalidate>
  ${csrfField(u)}
  <div class="fields">
  ${FIELDS.map(
    (x) => html`<label class="${x.size ?? ''}">${x.label}
    <input type="text" name="${x.name}" value="${show(f.values[x.name])}"${x.inputmode ? html` inputmode="${x.inputmode}"` : ''}${f.errors[x.name] ? html` aria-invalid="true"` : ''} maxlength="120">
    ${f.errors[x.name] ? html`<span class="field-error">${f.errors[x.name]}</span>` : hints[x.name] ? html`<span class="muted small">${hints[x.name]}</span>` : ''}
  </label>`,
  )}
  </div>
  <button type="submit">Salvar dados do ERP</button>
</form>`;
}

function erpFacts(erp: NonNullable<ReturnType<typeof readErpData>>): Html {
  return html`<dl class="facts">
  <dt>Pedido ERP</dt><dd>${erp.erpOrderNumber}</dd>
  <dt>Tipo</dt><dd>${erp.kind === 'charged' ? 'Assistência cobrada' : 'Garantia'}</dd>
  <dt>Divisão / motivo</dt><dd>${erp.salesDivision} · ${erp.reason}</dd>
  <dt>Pagamento / CFOP</dt><dd>${erp.paymentCondition} · ${erp.cfop}</dd>
  <dt>Peso / volumes</dt><dd>${fmtKg(erp.weightKg)} · ${erp.volumes} volume(s)</dd>
  <dt>Sequência do cliente</dt><dd>${erp.orderSequence ?? '—'}</dd>
</dl>`;
}

/** The card, or nothing before a decision. */
export async function afterReviewPanel(
  ctx: ConsoleContext,
  erpSettings: ErpSettings,
  d: RequestPageData,
  u: ConsoleUser,
  form?: FormState,
): Promise<Html> {
  const { db } = ctx.deps;
  const [row] = await db
    .select({ r: requests, uf: customers.uf })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(eq(requests.id, d.id));
  if (!row) return html``;
  const { r } = row;
  const erp = readErpData(r.erp);
  const parts: Html[] = [];
  if (ERP_EDITABLE.includes(r.status as 'accepted')) {
    if (allowed(u.role, 'erp:edit')) {
      const values = form?.values ?? (await erpFormValues(db, r, erpSettings));
      const hints: Record<string, string> = {
        cfop: `Cliente ${row.uf ? `em ${row.uf}` : 'sem UF no cadastro'}; empresa em ${erpSettings.companyUf}: ${erpSettings.layout.cfop[r.status === 'charged' ? 'charged' : 'warranty'].inState} dentro do estado, ${erpSettings.layout.cfop[r.status === 'charged' ? 'charged' : 'warranty'].outOfState} fora.`,
        weightKg: 'Calculado pelos itens; ajuste se precisar.',
        orderSequence: 'Opcional: qual pedido do cliente vai primeiro.',
      };
      parts.push(html`<p>${erp ? pill('ok', 'pronta para exportar') : pill('warn', 'preencher para importar')}
  ${erp ? html` <a href="/console/erp">Exportação ERP →</a>` : ''}</p>
${erpForm(d.request, u, { values, errors: form?.errors ?? {} }, hints)}`);
    } else if (erp) parts.push(erpFacts(erp));
    else parts.push(html`<p class="muted">Aguardando os dados de importação no ERP.</p>`);
  } else if (erp) {
    parts.push(erpFacts(erp));
  }

  const fin = financeState(r);
  if (fin !== 'n/a') {
    const text = {
      'awaiting-import': 'Assistência cobrada: primeiro a importação no ERP, depois a liberação do financeiro.',
      'awaiting-finance': 'Aguardando a liberação do financeiro.',
      released: `Liberada pelo financeiro em ${r.financeReleasedAt ? fmtDateTime(r.financeReleasedAt.toISOString()) : ''} (${who(r.financeReleasedBy ?? '')}).`,
    }[fin];
    parts.push(html`<p>${pill(fin === 'released' ? 'ok' : 'warn', 'Financeiro')} ${text}</p>`);
    if (fin === 'awaiting-finance' && allowed(u.role, 'finance:release'))
      parts.push(html`<form method="post" action="/console/requests/${r.protocol}/finance-release" data-confirm="Registrar a liberação do financeiro? O cliente é avisado.">
  ${csrfField(u)}
  <button type="submit">Registrar liberação do financeiro</button>
  <span class="muted small">O cliente recebe: liberação registrada, segue para a produção.</span>
</form>`);
  }

  if (r.releasedAt) {
    const [rel] = r.releaseId ? await db.select().from(releases).where(eq(releases.id, r.releaseId)) : [];
    parts.push(html`<p>${pill('ok', 'Produção')} Liberada em ${fmtDateTime(r.releasedAt.toISOString())} por ${who(r.releasedBy ?? '')}${rel ? ` (dia ${fmtDate(rel.day)}, total ${fmtKg(rel.totalKg)})` : ''}
  ${r.releaseOversize ? pill('warn', 'acima do limite diário: liberada sozinha') : ''}</p>`);
  }
  if (r.status === 'released' && allowed(u.role, 'shipping:record')) {
    parts.push(html`<form method="post" action="/console/requests/${r.protocol}/shipment" class="row" data-confirm="Registrar o envio? O cliente é avisado.">
  ${csrfField(u)}
  <label>Data do envio <input type="text" name="date" value="${fmtDate(ctx.deps.today())}" inputmode="numeric" required maxlength="10" class="short"></label>
  <label>NF de remessa <input type="text" name="shipmentInvoice" inputmode="numeric" required maxlength="14" class="short"></label>
  <button type="submit">Registrar envio</button>
</form>`);
  }
  if (r.shippedAt) {
    parts.push(
      html`<p>${pill('ok', 'Envio')} Enviada em ${fmtDate(toIsoDate(r.shippedAt))} · NF de remessa ${r.shipmentInvoice ?? '—'}${r.closedAt ? ` · encerrada em ${fmtDateTime(r.closedAt.toISOString())}` : ''}</p>`,
    );
  }
  if (r.status === 'shipped' && allowed(u.role, 'shipping:record')) {
    parts.push(html`<form method="post" action="/console/requests/${r.protocol}/close" class="row" data-confirm="Encerrar a solicitação?">
  ${csrfField(u)}
  <label class="grow">Observação (opcional) <input type="text" name="note" maxlength="500"></label>
  <button type="submit" class="secondary">Encerrar</button>
</form>`);
  }
  if (parts.length === 0) return html``;
  return html`<section class="card" id="after-review"><h2>Depois da análise</h2>${parts}</section>`;
}

const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

/**
 * Routes of the card's forms. `renderWithForm` re-renders the request page with the ERP form's
 * values and errors (422) so nothing typed is lost.
 */
export function registerAfterReviewActions(
  ctx: ConsoleContext,
  renderWithForm: (req: FastifyRequest, form: FormState) => Promise<Html | null>,
) {
  const { db } = ctx.deps;

  ctx.route('POST /console/requests/:protocol/erp', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const b = body(req);
    const values = Object.fromEntries(FIELDS.map((f) => [f.name, formString(b[f.name])]));
    const res = await saveErpData(db, protocol, values, ctx.by(u));
    if (!res.ok) {
      const doc = await renderWithForm(req, { values, errors: res.errors });
      return doc ? ctx.send(reply, doc, 422) : reply;
    }
    await ctx.audit(req, { action: 'request.erp', target: protocol, details: { erp: res.data } });
    return reply.redirect(`/console/requests/${protocol}?ok=erp#after-review`, 303);
  });

  ctx.route('POST /console/requests/:protocol/finance-release', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const ids = await recordFinanceRelease(db, protocol, ctx.by(u));
    ctx.deps.deliver(ids);
    await ctx.audit(req, { action: 'request.finance_release', target: protocol });
    return reply.redirect(`/console/requests/${protocol}?ok=finance#after-review`, 303);
  });

  ctx.route('POST /console/requests/:protocol/shipment', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const b = body(req);
    const input = { date: formString(b.date), shipmentInvoice: formString(b.shipmentInvoice) };
    const ids = await recordShipment(db, protocol, input, ctx.by(u), ctx.deps.today());
    ctx.deps.deliver(ids);
    await ctx.audit(req, { action: 'request.ship', target: protocol, details: input });
    return reply.redirect(`/console/requests/${protocol}?ok=shipped#after-review`, 303);
  });

  ctx.route('POST /console/requests/:protocol/close', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    await closeRequest(db, protocol, ctx.by(u), formString(body(req).note).slice(0, 500) || null);
    await ctx.audit(req, { action: 'request.close', target: protocol });
    return reply.redirect(`/console/requests/${protocol}?ok=closed`, 303);
  });
}
