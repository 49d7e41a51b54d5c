import { llmSummarySchema } from '../../conversation/llm-assist';
import { type Html, html } from './html';
import { fmtDateTime, label, REASON_SHORT, reasonLong } from './labels';

/**
 * The model's summary of a request for reviewers (`requests.llm_summary`), marked as a suggestion.
 * Nothing when no model was configured, or when the model could not summarise.
 */
export function llmSummarySection(raw: unknown): Html {
  const parsed = llmSummarySchema.safeParse(raw);
  if (!parsed.success || parsed.data.status !== 'ok') return html``;
  const s = parsed.data;
  return html`<section class="card suggestion llm-summary" data-testid="llm-summary">
  <h2>Resumo do modelo (IA)${s.reasonCategory ? html` · sugere: ${label(REASON_SHORT, s.reasonCategory)}` : ''}</h2>
  <p>${s.summary}</p>
  ${
    s.reasonCategory
      ? html`<p class="small">Causa sugerida: <b>${reasonLong(s.reasonCategory)}</b>${s.grounds.length ? ', porque:' : ''}</p>
  ${s.grounds.length ? html`<ul>${s.grounds.map((g) => html`<li>${g}</li>`)}</ul>` : ''}`
      : ''
  }
  <p class="muted small">Sugestão gerada por modelo de linguagem (${s.model}, ${fmtDateTime(s.at)}) a partir das mensagens do cliente; pode errar. A decisão é da equipe.</p>
</section>`;
}
