import type { KpiReport, KpiRequestRow } from '../domain/kpis';
import { spreadsheetCsv } from '../integrations/spreadsheet-csv';

/** Decimal comma, no thousands separator (what Excel in pt-BR reads as a number). */
const num = (n: number | null) => (n === null ? '' : String(n).replace('.', ','));
const yesNo = (b: boolean | null) => (b === null ? '' : b ? 'sim' : 'não');

export const KPI_CSV_COLUMNS: { header: string; value: (r: KpiRequestRow) => string | number }[] = [
  { header: 'protocolo', value: (r) => r.protocol },
  { header: 'status', value: (r) => r.status },
  { header: 'origem', value: (r) => r.origin },
  { header: 'canal', value: (r) => r.channel },
  { header: 'cliente_codigo', value: (r) => r.customerCode },
  { header: 'cliente_nome', value: (r) => r.customerName },
  { header: 'motivo', value: (r) => r.reasonCategory },
  { header: 'garantia', value: (r) => (r.kind === 'charged' ? 'cobrada' : 'garantia') },
  { header: 'enviada_em', value: (r) => r.openedOn },
  { header: 'liberada_em', value: (r) => r.releasedOn ?? '' },
  { header: 'expedida_em', value: (r) => r.shippedOn ?? '' },
  { header: 'prazo_assistencia_dias', value: (r) => num(r.assistanceDays) },
  { header: 'assistencia_no_prazo', value: (r) => yesNo(r.assistanceOnTime) },
  { header: 'prazo_producao_dias', value: (r) => num(r.productionDays) },
  { header: 'producao_no_prazo', value: (r) => yesNo(r.productionOnTime) },
  { header: 'devolucoes', value: (r) => r.returns },
  { header: 'custo_brl', value: (r) => num(r.costBrl) },
  { header: 'custo_origem', value: (r) => ({ manual: 'manual', items: 'itens', missing: 'sem custo' })[r.costSource] },
  { header: 'enviada_no_periodo', value: (r) => yesNo(r.submittedInPeriod) },
  { header: 'expedida_no_periodo', value: (r) => yesNo(r.shippedInPeriod) },
];

/** The report's requests, one row each, as CSV for Excel in Brazil (see `spreadsheetCsv`). */
export function kpiCsv(report: KpiReport): string {
  const header = KPI_CSV_COLUMNS.map((c) => c.header);
  return spreadsheetCsv([header, ...report.requests.map((r) => KPI_CSV_COLUMNS.map((c) => c.value(r)))]).toString(
    'utf8',
  );
}
