import type { SlaAlertList } from '../../services/sla-alerts';
import { type Html, html } from './html';
import { fmtDateTime } from './labels';

const SHOWN = 30;

/**
 * The daily SLA alert on the queue page: how many requests the day's check found past or near
 * the assistance deadline, with links. `scope` keeps only statuses the role may see. Nothing
 * when there is no list or nothing to report.
 */
export function slaBanner(list: SlaAlertList | null, scope?: readonly string[]): Html {
  if (!list) return html``;
  const items = list.items.filter((i) => !scope || scope.includes(i.status));
  if (!items.length) return html``;
  const past = items.filter((i) => i.mark === 'past').length;
  const near = items.length - past;
  const age = (n: number) => (n === 1 ? '1 dia' : `${n} dias`);
  return html`<section class="notice sla-alert${past ? ' sla-past' : ''}" role="status" aria-label="Alerta de prazo">
  <details>
    <summary><b>Alerta de prazo de assistência (${list.deadlineDays} dias):</b>
      ${past ? html`<span class="age age-past">${past} com prazo vencido</span>` : ''}${past && near ? ' · ' : ''}${near ? html`<span class="age age-near">${near} perto do prazo</span>` : ''}
      <span class="muted small">· verificação diária de ${fmtDateTime(list.generatedAt)}</span></summary>
    <ul class="sla-list">${items
      .slice(0, SHOWN)
      .map(
        (i) =>
          html`<li class="sla-${i.mark}"><a class="protocol" href="/console/requests/${i.protocol}">${i.protocol}</a> · ${i.customerName} · ${age(i.ageDays)}${i.mark === 'past' ? ' (vencido)' : ''}</li>`,
      )}</ul>
    ${items.length > SHOWN ? html`<p class="muted small">e mais ${items.length - SHOWN}.</p>` : ''}
  </details>
</section>`;
}
