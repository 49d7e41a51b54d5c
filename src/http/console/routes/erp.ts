import { z } from 'zod';
import { awaitingImport, batchFile, exportBatch, listBatches } from '../../../services/erp';
import { ClientError } from '../../../services/errors';
import { flashFrom } from '../flash';
import { formIds } from '../form-values';
import { html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDateTime, fmtKg, label, STATUS_LABELS, who } from '../labels';
import { csrfField, page, pill } from '../layout';

/**
 * FOCCO export page: decided requests waiting for the ERP import (with or without their data),
 * export of the chosen ones or of everything ready, and the batches already exported (each
 * downloadable again as CSV or XLSX — the same file every time).
 */
export function registerErp(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  ctx.route('GET /console/erp', async (req, reply) => {
    const u = req.consoleUser!;
    const [rows, batches] = await Promise.all([awaitingImport(db), listBatches(db)]);
    const ready = rows.filter((r) => r.erp);
    const batchParam = z.coerce
      .number()
      .int()
      .positive()
      .safeParse((req.query as { batch?: unknown }).batch);
    return ctx.send(
      reply,
      page(
        { title: 'Exportação ERP', user: u, active: 'erp', flash: flashFrom(req.query) },
        html`<div class="page-head"><h1>Exportação para o ERP (FOCCO)</h1>
  <p class="muted">Solicitações aceitas ou cobradas: preencha os dados do ERP na página de cada uma, depois exporte o lote. A exportação marca as solicitações como importadas.</p></div>
${
  batchParam.success
    ? html`<p class="flash flash-ok">Lote ${batchParam.data}: <a href="/console/erp/batches/${batchParam.data}/csv" download>baixar CSV</a> · <a href="/console/erp/batches/${batchParam.data}/xlsx" download>baixar XLSX</a></p>`
    : ''
}
<section class="card">
  <h2>Aguardando importação (${rows.length}; ${ready.length} prontas)</h2>
  ${
    rows.length === 0
      ? html`<p class="muted">Nada aguardando importação.</p>`
      : html`<form method="post" action="/console/erp/export" data-confirm="Exportar e marcar como importadas no ERP?">
  ${csrfField(u)}
  <table class="table erp-table">
    <thead><tr><th></th><th>Protocolo</th><th>Cliente</th><th>Decisão</th><th>Pedido ERP</th><th>Peso</th><th>Volumes</th><th>CFOP</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr>
      <td data-label="Exportar">${r.erp ? html`<input type="checkbox" name="id" value="${r.id}" aria-label="Exportar ${r.protocol}">` : ''}</td>
      <td data-label="Protocolo"><a href="/console/requests/${r.protocol}#after-review">${r.protocol}</a></td>
      <td data-label="Cliente">${r.customerName}</td>
      <td data-label="Decisão">${pill(r.status, label(STATUS_LABELS, r.status))}</td>
      <td data-label="Pedido ERP">${r.erp?.erpOrderNumber ?? pill('warn', 'preencher')}</td>
      <td data-label="Peso">${r.erp ? fmtKg(r.erp.weightKg) : '—'}</td>
      <td data-label="Volumes">${r.erp?.volumes ?? '—'}</td>
      <td data-label="CFOP">${r.erp?.cfop ?? '—'}</td>
    </tr>`,
    )}</tbody>
  </table>
  <div class="row">
    <button type="submit" name="scope" value="chosen">Exportar selecionadas</button>
    <button type="submit" name="scope" value="ready" class="secondary"${ready.length ? '' : html` disabled`}>Exportar todas as prontas (${ready.length})</button>
  </div>
</form>`
  }
</section>
<section class="card">
  <h2>Lotes exportados</h2>
  ${
    batches.length === 0
      ? html`<p class="muted">Nenhum lote ainda.</p>`
      : html`<table class="table"><thead><tr><th>Lote</th><th>Quando</th><th>Por</th><th>Solicitações</th><th>Arquivos</th></tr></thead>
  <tbody>${batches.map(
    (
      b,
    ) => html`<tr><td data-label="Lote">${b.id}</td><td data-label="Quando">${fmtDateTime(b.createdAt)}</td><td data-label="Por">${who(b.createdBy)}</td>
    <td data-label="Solicitações">${b.requestIds.length}</td>
    <td data-label="Arquivos"><a href="/console/erp/batches/${b.id}/csv" download>CSV</a> · <a href="/console/erp/batches/${b.id}/xlsx" download>XLSX</a></td></tr>`,
  )}</tbody></table>`
  }
</section>`,
      ),
    );
  });

  ctx.route('POST /console/erp/export', async (req, reply) => {
    const u = req.consoleUser!;
    const b = (req.body ?? {}) as { id?: unknown; scope?: unknown };
    const ids = formIds(b.id);
    if (b.scope !== 'ready' && ids.length === 0)
      throw new ClientError(400, 'Marque ao menos uma solicitação para exportar.');
    const res = await exportBatch(db, b.scope === 'ready' ? 'ready' : ids, ctx.by(u), ctx.deps.erp);
    ctx.deps.deliver(res.outboxIds);
    await ctx.audit(req, { action: 'erp.export', target: `erp-batch:${res.batchId}`, details: { count: res.count } });
    return reply.redirect(`/console/erp?ok=exported&batch=${res.batchId}`, 303);
  });

  ctx.route('GET /console/erp/batches/:id/:format', async (req, reply) => {
    const p = z
      .object({ id: z.coerce.number().int().positive(), format: z.enum(['csv', 'xlsx']) })
      .safeParse(req.params);
    if (!p.success) throw new ClientError(404, 'Lote não encontrado.');
    const file = await batchFile(db, p.data.id, p.data.format, ctx.deps.erp.layout);
    if (!file) throw new ClientError(404, 'Lote não encontrado.');
    return reply
      .type(file.type)
      .header('Content-Disposition', `attachment; filename="${file.name}"`)
      .header('Cache-Control', 'no-store')
      .send(file.body);
  });
}
