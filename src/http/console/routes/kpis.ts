import { z } from 'zod';
import { dbKeyValueStore } from '../../../db/kv-store';
import type { KpiReport, LeadTimeStats } from '../../../domain/kpis';
import { parseDecimal } from '../../../domain/parse-decimal';
import { addMonths, formatDateBr } from '../../../domain/warranty';
import { allowed } from '../../../services/console/permissions';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ClientError } from '../../../services/errors';
import { kpiReport, parseKpiPeriod, saveRevenue } from '../../../services/kpis';
import { kpiCsv } from '../../../services/kpis-csv';
import { formString } from '../form-values';
import { type Html, html, qs } from '../html';
import type { ConsoleContext } from '../index';
import { label, REASON_SHORT, STATUS_LABELS } from '../labels';
import { assetVersion, csrfField, page, pill } from '../layout';

/** A chart for `kpis.js`: Chart.js settings are built in the browser from this (no inline script). */
export interface ChartSpec {
  type: 'bar' | 'line' | 'doughnut';
  labels: string[];
  datasets: {
    label: string;
    data: (number | null)[];
    type?: 'bar' | 'line';
    color?: string;
    /** One color per bar. */
    colors?: string[];
    dashed?: boolean;
  }[];
  horizontal?: boolean;
  /** Values are percentages (axis 0–100). */
  percent?: boolean;
  /** Values are BRL. */
  money?: boolean;
}

const GREEN = '#2e7d5b';
const RED = '#c0392b';
const BLUE = '#3b6ea8';
const AMBER = '#d08c2b';

const fmtPct = (n: number | null) => (n === null ? '–' : `${n.toLocaleString('pt-BR', { maximumFractionDigits: 1 })}%`);
const fmtNum = (n: number | null, digits = 1) =>
  n === null ? '–' : n.toLocaleString('pt-BR', { maximumFractionDigits: digits });
export const fmtBrl = (n: number | null) =>
  n === null ? '–' : n.toLocaleString('pt-BR', { style: 'currency', currency: 'BRL' });
const MONTHS = ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'];
/** `2026-11` → `nov/2026`. */
const fmtMonth = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1]}/${m.slice(0, 4)}`;
/** Monday `2026-11-23` → `23/11`. */
const fmtWeek = (w: string) => `${w.slice(8, 10)}/${w.slice(5, 7)}`;

function chart(id: string, title: string, spec: ChartSpec, note?: string): Html {
  return html`<figure class="card chart">
  <figcaption><h2>${title}</h2>${note ? html`<p class="muted small">${note}</p>` : ''}</figcaption>
  <div class="chart-box"><canvas id="${id}" role="img" aria-label="${title}" data-chart="${JSON.stringify(spec)}"></canvas></div>
</figure>`;
}

function distribution(s: LeadTimeStats, name: string): ChartSpec {
  return {
    type: 'bar',
    labels: s.buckets.map((b) => `${b.label} d`),
    datasets: [
      {
        label: name,
        data: s.buckets.map((b) => b.count),
        colors: s.buckets.map((b) => (b.max !== null && b.max <= s.deadlineDays ? GREEN : RED)),
      },
    ],
  };
}

/** The report's charts, in page order. */
export function kpiCharts(r: KpiReport): { id: string; title: string; spec: ChartSpec; note?: string }[] {
  const a = r.assistanceLeadTime;
  const p = r.productionLeadTime;
  const top = <T>(xs: T[]) => xs.slice(0, 10);
  return [
    {
      id: 'chart-assistance',
      title: `Prazo de assistência: distribuição (meta ${a.deadlineDays} dias)`,
      spec: distribution(a, 'Solicitações expedidas'),
      note: 'Dias corridos do envio da solicitação à expedição. Verde: dentro do prazo.',
    },
    {
      id: 'chart-production',
      title: `Prazo de produção: distribuição (meta ${p.deadlineDays} dias)`,
      spec: distribution(p, 'Solicitações expedidas'),
      note: 'Dias corridos da liberação para a produção à expedição.',
    },
    {
      id: 'chart-ontime-month',
      title: '% no prazo por mês',
      spec: {
        type: 'bar',
        percent: true,
        labels: a.byMonth.map((m) => fmtMonth(m.period)),
        datasets: [
          { label: 'Assistência', data: a.byMonth.map((m) => m.onTimePct), color: BLUE },
          { label: 'Produção', data: p.byMonth.map((m) => m.onTimePct), color: AMBER },
        ],
      },
    },
    {
      id: 'chart-ontime-week',
      title: '% no prazo por semana',
      spec: {
        type: 'line',
        percent: true,
        labels: a.byWeek.map((w) => fmtWeek(w.period)),
        datasets: [
          { label: 'Assistência', data: a.byWeek.map((w) => w.onTimePct), color: BLUE },
          { label: 'Produção', data: p.byWeek.map((w) => w.onTimePct), color: AMBER },
        ],
      },
      note: 'Semanas de segunda a domingo, pela data de expedição.',
    },
    {
      id: 'chart-cost',
      title: 'Custo da assistência por mês × 1% do faturamento',
      spec: {
        type: 'bar',
        money: true,
        labels: r.cost.byMonth.map((m) => fmtMonth(m.month)),
        datasets: [
          {
            label: 'Custo',
            data: r.cost.byMonth.map((m) => m.costBrl),
            colors: r.cost.byMonth.map((m) => (m.withinTarget === false ? RED : GREEN)),
          },
          {
            label: `Meta (${fmtNum(r.cost.targetShare * 100)}% do faturamento)`,
            data: r.cost.byMonth.map((m) => m.targetBrl),
            type: 'line',
            color: '#555555',
            dashed: true,
          },
        ],
      },
      note: 'Pelo mês de expedição. Assistência cobrada fica fora (paga pelo cliente).',
    },
    {
      id: 'chart-reason',
      title: 'Solicitações por motivo',
      spec: {
        type: 'doughnut',
        labels: r.byReason.map((x) => label(REASON_SHORT, x.category)),
        datasets: [{ label: 'Solicitações', data: r.byReason.map((x) => x.requests) }],
      },
    },
    {
      id: 'chart-product',
      title: 'Produtos com mais solicitações',
      spec: {
        type: 'bar',
        horizontal: true,
        labels: top(r.byProduct).map((x) => `${x.productCode} ${x.description}`.slice(0, 40)),
        datasets: [{ label: 'Solicitações', data: top(r.byProduct).map((x) => x.requests), color: BLUE }],
      },
    },
    {
      id: 'chart-customer',
      title: 'Clientes com mais solicitações',
      spec: {
        type: 'bar',
        horizontal: true,
        labels: top(r.byCustomer).map((x) => x.name.slice(0, 40)),
        datasets: [{ label: 'Solicitações', data: top(r.byCustomer).map((x) => x.requests), color: AMBER }],
      },
    },
  ];
}

function stat(title: string, value: string, detail: string, kind?: 'ok' | 'bad'): Html {
  return html`<div class="kpi-card${kind ? ` kpi-${kind}` : ''}"><span class="kpi-title">${title}</span><b class="kpi-value">${value}</b><span class="muted small">${detail}</span></div>`;
}

function cards(r: KpiReport): Html {
  const a = r.assistanceLeadTime;
  const p = r.productionLeadTime;
  const over = r.cost.byMonth.some((m) => m.withinTarget === false);
  const judged = r.cost.byMonth.some((m) => m.withinTarget !== null);
  const kindOf = (pct: number | null) => (pct === null ? undefined : pct >= 80 ? 'ok' : 'bad');
  return html`<section class="kpi-cards" aria-label="Resumo">
  ${stat('Assistência no prazo', fmtPct(a.onTimePct), `${a.onTime} de ${a.count} expedidas em até ${a.deadlineDays} dias · média ${fmtNum(a.avgDays)} d`, kindOf(a.onTimePct))}
  ${stat('Produção no prazo', fmtPct(p.onTimePct), `${p.onTime} de ${p.count} em até ${p.deadlineDays} dias · média ${fmtNum(p.avgDays)} d`, kindOf(p.onTimePct))}
  ${stat('Custo da assistência', fmtBrl(r.cost.totalBrl), judged ? (over ? 'acima de 1% do faturamento em algum mês' : 'abaixo de 1% do faturamento') : 'informe o faturamento do mês', judged ? (over ? 'bad' : 'ok') : undefined)}
  ${stat('Devolvidas ao cliente', fmtPct(r.returns.ratePct), `${r.returns.returnedRequests} de ${r.returns.requests} solicitações · ${r.returns.returnEvents} devolução(ões)`)}
  ${stat('Tempo de decisão', r.decisionTime.medianHours === null ? '–' : `${fmtNum(r.decisionTime.medianHours)} h`, `mediana de ${r.decisionTime.decisions} decisão(ões) · média ${fmtNum(r.decisionTime.avgHours)} h`)}
  ${stat('Concluídas pelo bot sem devolução', fmtPct(r.botCompletion.ratePct), `${r.botCompletion.withoutReturn} de ${r.botCompletion.botRequests} abertas pelo bot`)}
</section>`;
}

function costTable(u: ConsoleUser, r: KpiReport): Html {
  const canEdit = allowed(u.role, 'kpis:revenue');
  const months = r.cost.byMonth;
  return html`<section class="card" id="custo">
  <h2>Custo × faturamento por mês</h2>
  <table class="responsive kpi-table">
    <thead><tr><th>Mês</th><th>Custo</th><th>Solicitações</th><th>Sem custo</th><th>Cobradas (fora)</th><th>Faturamento</th><th>Meta (1%)</th><th>% do faturamento</th></tr></thead>
    <tbody>${months.map(
      (m) => html`<tr>
      <td data-label="Mês">${fmtMonth(m.month)}</td>
      <td data-label="Custo">${fmtBrl(m.costBrl)}</td>
      <td data-label="Solicitações">${m.requests}</td>
      <td data-label="Sem custo">${m.requestsWithoutCost ? pill('warn', String(m.requestsWithoutCost)) : '0'}</td>
      <td data-label="Cobradas (fora)">${m.chargedRequests} · ${fmtBrl(m.chargedCostBrl)}</td>
      <td data-label="Faturamento">${m.revenueBrl === null ? html`<span class="muted">não informado</span>` : fmtBrl(m.revenueBrl)}</td>
      <td data-label="Meta (1%)">${fmtBrl(m.targetBrl)}</td>
      <td data-label="% do faturamento">${m.pctOfRevenue === null ? '–' : pill(m.withinTarget ? 'ok' : 'warn', `${fmtNum(m.pctOfRevenue, 2)}%`)}</td>
    </tr>`,
    )}</tbody>
  </table>
  <p class="muted small">Custo de uma solicitação: o valor informado na solicitação ou, se não houver, a soma de quantidade × custo do produto (coluna <code>custo</code> do cadastro de produtos). "Sem custo": algum item sem custo cadastrado.</p>
  ${
    canEdit
      ? html`<form method="post" action="/console/kpis/revenue" class="row revenue-form">
    ${csrfField(u)}
    <input type="hidden" name="from" value="${r.period.from}">
    <input type="hidden" name="to" value="${r.period.to}">
    <label>Mês <input type="month" name="month" required value="${months[months.length - 1]?.month ?? ''}"></label>
    <label>Faturamento do mês (R$) <input type="text" name="revenue" inputmode="decimal" required placeholder="1.250.000,00" pattern="[0-9.,]+"></label>
    <button type="submit">Salvar faturamento</button>
  </form>`
      : ''
  }
</section>`;
}

function monthTable(r: KpiReport): Html {
  const a = r.assistanceLeadTime.byMonth;
  const p = r.productionLeadTime.byMonth;
  return html`<section class="card">
  <h2>Prazos por mês de expedição</h2>
  <table class="responsive kpi-table">
    <thead><tr><th>Mês</th><th>Expedidas</th><th>Assistência no prazo</th><th>Média assistência</th><th>Com liberação</th><th>Produção no prazo</th><th>Média produção</th></tr></thead>
    <tbody>${a.map((m, i) => {
      const pm = p[i]!;
      return html`<tr>
      <td data-label="Mês">${fmtMonth(m.period)}</td>
      <td data-label="Expedidas">${m.count}</td>
      <td data-label="Assistência no prazo">${m.onTime} · ${fmtPct(m.onTimePct)}</td>
      <td data-label="Média assistência">${fmtNum(m.avgDays)} d</td>
      <td data-label="Com liberação">${pm.count}</td>
      <td data-label="Produção no prazo">${pm.onTime} · ${fmtPct(pm.onTimePct)}</td>
      <td data-label="Média produção">${fmtNum(pm.avgDays)} d</td>
    </tr>`;
    })}</tbody>
  </table>
</section>`;
}

const ROWS_SHOWN = 300;

function requestTable(r: KpiReport): Html {
  const rows = r.requests.slice(0, ROWS_SHOWN);
  const days = (d: number | null, ok: boolean | null) =>
    d === null ? '' : html`<span class="${ok ? 'kpi-in' : 'kpi-late'}">${d} d</span>`;
  return html`<section class="card">
  <h2>Solicitações do período (${r.requests.length})</h2>
  ${
    rows.length
      ? html`<table class="responsive kpi-table kpi-requests">
    <thead><tr><th>Protocolo</th><th>Cliente</th><th>Motivo</th><th>Status</th><th>Enviada</th><th>Expedida</th><th>Assistência</th><th>Produção</th><th>Devoluções</th><th>Custo</th></tr></thead>
    <tbody>${rows.map(
      (x) => html`<tr>
      <td data-label="Protocolo"><a class="protocol" href="/console/requests/${x.protocol}">${x.protocol}</a>${x.kind === 'charged' ? html` ${pill('charged', 'cobrada')}` : ''}</td>
      <td data-label="Cliente">${x.customerName}</td>
      <td data-label="Motivo">${label(REASON_SHORT, x.reasonCategory)}</td>
      <td data-label="Status">${label(STATUS_LABELS, x.status)}</td>
      <td data-label="Enviada">${formatDateBr(x.openedOn)}</td>
      <td data-label="Expedida">${x.shippedOn ? formatDateBr(x.shippedOn) : ''}</td>
      <td data-label="Assistência">${days(x.assistanceDays, x.assistanceOnTime)}</td>
      <td data-label="Produção">${days(x.productionDays, x.productionOnTime)}</td>
      <td data-label="Devoluções">${x.returns || ''}</td>
      <td data-label="Custo">${x.costSource === 'missing' ? html`<span class="muted">sem custo</span>` : html`${fmtBrl(x.costBrl)}${x.costSource === 'manual' ? html` <span class="muted">(informado)</span>` : ''}`}</td>
    </tr>`,
    )}</tbody>
  </table>${r.requests.length > ROWS_SHOWN ? html`<p class="muted small">Mostrando ${ROWS_SHOWN}; o CSV traz todas.</p>` : ''}`
      : html`<p class="empty">Nenhuma solicitação enviada ou expedida no período.</p>`
  }
</section>`;
}

function periodForm(r: KpiReport, today: string): Html {
  const month = `${today.slice(0, 7)}-01`;
  const quick: [string, string, string][] = [
    ['Este mês', month, today],
    ['Últimos 3 meses', addMonths(month, -2), today],
    ['Últimos 12 meses', addMonths(month, -11), today],
    ['Este ano', `${today.slice(0, 4)}-01-01`, today],
  ];
  return html`<form method="get" action="/console/kpis" class="filters kpi-period" role="search">
  <label>De <input type="date" name="from" value="${r.period.from}" required></label>
  <label>Até <input type="date" name="to" value="${r.period.to}" required></label>
  <div class="actions">
    <button type="submit">Atualizar</button>
    <a class="button secondary" href="/console/kpis.csv${qs({ from: r.period.from, to: r.period.to })}" download>Baixar CSV</a>
  </div>
  <p class="quick small">${quick.map(([text, from, to]) => html`<a href="/console/kpis${qs({ from, to })}">${text}</a> `)}</p>
</form>`;
}

export function kpisView(opts: {
  user: ConsoleUser;
  report: KpiReport;
  today: string;
  flash?: { kind: 'ok' | 'error'; text: string } | null;
}): Html {
  const r = opts.report;
  return page(
    { title: 'Indicadores', user: opts.user, active: 'kpis', flash: opts.flash },
    html`<link rel="stylesheet" href="/console/static/kpis.css?v=${assetVersion.kpisCss}">
<div class="page-head">
  <h1>Indicadores da Assistência Técnica</h1>
  <p class="muted">${formatDateBr(r.period.from)} a ${formatDateBr(r.period.to)} · datas no horário de Brasília</p>
</div>
${periodForm(r, opts.today)}
${cards(r)}
<section class="kpi-charts" id="kpi-charts">
  ${kpiCharts(r).map((c) => chart(c.id, c.title, c.spec, c.note))}
</section>
${costTable(opts.user, r)}
${monthTable(r)}
${requestTable(r)}
<section class="card muted small">
  <h2>Como contamos</h2>
  <p>Prazos e custo contam no dia, na semana (segunda a domingo) e no mês em que a solicitação foi <b>expedida</b>; motivos, produtos, clientes, devoluções, tempo de decisão e conclusão pelo bot contam no dia em que a solicitação foi <b>enviada</b> pela primeira vez. Dias corridos no horário de Brasília: enviada e expedida no mesmo dia = 0 dias; no prazo = até ${r.assistanceLeadTime.deadlineDays} dias (assistência) ou ${r.productionLeadTime.deadlineDays} dias (produção). Tempo de decisão: de cada envio (ou reenvio após devolução) até a decisão, em horas.</p>
</section>
<script src="/console/static/chart.umd.min.js?v=${assetVersion.chart}" defer></script>
<script src="/console/static/kpis.js?v=${assetVersion.kpisJs}" defer></script>`,
  );
}

const periodQuery = z.object({ from: z.string().max(20).optional(), to: z.string().max(20).optional() });
const OK_TEXT: Record<string, string> = { revenue: 'Faturamento do mês salvo.' };

export function registerKpis(ctx: ConsoleContext) {
  const { db } = ctx.deps;
  const kv = dbKeyValueStore(db);
  const settings = {
    assistanceDeadlineDays: ctx.deps.assistanceDeadlineDays,
    productionDeadlineDays: ctx.deps.productionDeadlineDays ?? 15,
  };
  const period = (query: unknown) => {
    const q = periodQuery.safeParse(query ?? {});
    return parseKpiPeriod(q.success ? q.data : {}, ctx.deps.today());
  };

  ctx.route('GET /console/kpis', async (req, reply) => {
    const report = await kpiReport(db, kv, period(req.query), settings);
    const ok = formString((req.query as Record<string, unknown> | undefined)?.ok);
    return ctx.send(
      reply,
      kpisView({
        user: req.consoleUser!,
        report,
        today: ctx.deps.today(),
        flash: OK_TEXT[ok] ? { kind: 'ok', text: OK_TEXT[ok]! } : null,
      }),
    );
  });

  ctx.route('GET /console/kpis.csv', async (req, reply) => {
    const report = await kpiReport(db, kv, period(req.query), settings);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="kpis-${report.period.from}-a-${report.period.to}.csv"`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'no-store')
      .send(kpiCsv(report));
  });

  ctx.route('POST /console/kpis/revenue', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const month = formString(body.month).trim();
    const brl = parseDecimal(formString(body.revenue));
    if (brl === null) throw new ClientError(400, 'Informe o faturamento em reais, por exemplo 1.250.000,00.');
    await saveRevenue(kv, month, brl);
    await ctx.audit(req, { action: 'kpis.revenue', target: `revenue:${month}`, details: { brl } });
    const back = periodQuery.safeParse({ from: formString(body.from), to: formString(body.to) });
    const q = back.success ? back.data : {};
    return reply.redirect(`/console/kpis${qs({ from: q.from, to: q.to, ok: 'revenue' })}#custo`, 303);
  });
}
