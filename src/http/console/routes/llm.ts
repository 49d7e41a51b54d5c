import { type LlmTotals, llmTotalsByConversation, llmTotalsByDay } from '../../../db/llm-calls-repo';
import { type Html, html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDateTime } from '../labels';
import { page } from '../layout';

const DAYS = 30;

const usd = (n: number) => `US$ ${n.toFixed(n < 1 ? 4 : 2)}`;
const int = (n: number) => n.toLocaleString('pt-BR');

function totalsCells(t: LlmTotals): Html {
  return html`<td data-label="Chamadas">${int(t.calls)}</td>
  <td data-label="Ok">${int(t.ok)}</td>
  <td data-label="Falhas">${int(t.failed)}</td>
  <td data-label="Puladas">${int(t.skipped)}</td>
  <td data-label="Tokens entrada">${int(t.inputTokens)}</td>
  <td data-label="Tokens saída">${int(t.outputTokens)}</td>
  <td data-label="Custo estimado">${usd(t.costUsd)}</td>`;
}

const TOTALS_HEAD = html`<th>Chamadas</th><th>Ok</th><th>Falhas</th><th>Puladas</th><th>Tokens entrada</th><th>Tokens saída</th><th>Custo estimado</th>`;

/** Managers: model usage per day and per conversation (tokens, estimated cost, failures). */
export function registerLlm(ctx: ConsoleContext) {
  ctx.route('GET /console/llm', async (req, reply) => {
    const u = req.consoleUser!;
    const since = new Date(ctx.deps.now().getTime() - DAYS * 86_400_000);
    const [days, convs] = await Promise.all([
      llmTotalsByDay(ctx.deps.db, since),
      llmTotalsByConversation(ctx.deps.db, since, 50),
    ]);
    const total = days.reduce((s, d) => s + d.costUsd, 0);
    return ctx.send(
      reply,
      page(
        { title: 'Uso do modelo', user: u, active: 'llm' },
        html`<div class="page-head"><h1>Uso do modelo (IA)</h1>
  <p class="muted">Últimos ${DAYS} dias: ${usd(total)} estimados. Custo calculado com os preços por 1000 tokens configurados
  (LLM_PRICE_INPUT_PER_1K_USD / LLM_PRICE_OUTPUT_PER_1K_USD). "Puladas" = orçamento diário atingido ou serviço
  indisponível (só regras).</p></div>
<section class="card">
  <h2>Por dia (UTC)</h2>
  ${
    days.length
      ? html`<table class="responsive llm-days">
    <thead><tr><th>Dia</th>${TOTALS_HEAD}</tr></thead>
    <tbody>${days.map((d) => html`<tr><td data-label="Dia">${d.day}</td>${totalsCells(d)}</tr>`)}</tbody>
  </table>`
      : html`<p class="empty">Nenhuma chamada ao modelo no período (sem modelo configurado, só regras).</p>`
  }
</section>
<section class="card">
  <h2>Por conversa (as 50 de maior custo)</h2>
  ${
    convs.length
      ? html`<table class="responsive llm-conversations">
    <thead><tr><th>Conversa</th><th>Solicitações</th><th>Última</th>${TOTALS_HEAD}</tr></thead>
    <tbody>${convs.map(
      (c) => html`<tr>
      <td data-label="Conversa"><code>${c.conversationId.slice(0, 8)}</code></td>
      <td data-label="Solicitações">${c.protocols.length ? c.protocols.map((p) => html`<a href="/console/requests/${p}">${p}</a> `) : '—'}</td>
      <td data-label="Última">${fmtDateTime(c.lastAt)}</td>
      ${totalsCells(c)}
    </tr>`,
    )}</tbody>
  </table>`
      : html`<p class="empty">Nenhuma conversa com chamadas ao modelo no período.</p>`
  }
</section>`,
      ),
    );
  });
}
