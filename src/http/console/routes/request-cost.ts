import { parseDecimal } from '../../../domain/parse-decimal';
import { allowed } from '../../../services/console/permissions';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ClientError } from '../../../services/errors';
import { loadRequestCost, type RequestCostView, setRequestCost } from '../../../services/kpis';
import { protocolOf } from '../form-values';
import { type Html, html } from '../html';
import { type ConsoleContext, isHtmx } from '../index';
import { csrfField, page } from '../layout';
import { fmtBrl } from './kpis';

/*
 * The assistance cost of one request (KPIs): what its items cost and the staff override. The
 * request page includes `requestCostSlot`, which htmx fills from GET …/cost (so the request page
 * itself needs no cost data); without scripts the slot is a link.
 */

/** The placeholder on the request page (one line there); empty for roles that do not see costs. */
export function requestCostSlot(u: ConsoleUser, protocol: string): Html {
  if (!allowed(u.role, 'kpis:read')) return html``;
  const url = `/console/requests/${protocol}/cost`;
  return html`<section class="card request-cost" id="request-cost" hx-get="${url}" hx-trigger="load" hx-swap="outerHTML">
  <h2>Custo da assistência</h2>
  <p><a href="${url}">Ver custo</a></p>
</section>`;
}

/** The cost card, with the override form for roles that may change it. */
export function requestCostFragment(u: ConsoleUser, c: RequestCostView): Html {
  const url = `/console/requests/${c.protocol}/cost`;
  const value = c.overrideBrl === null ? '' : c.overrideBrl.toFixed(2).replace('.', ',');
  return html`<section class="card request-cost" id="request-cost">
  <h2>Custo da assistência</h2>
  <p>Pelos itens: <b>${c.itemsBrl === null ? 'sem custo' : fmtBrl(c.itemsBrl)}</b>${c.itemsWithoutCost ? html` <span class="muted">(${c.itemsWithoutCost} item(ns) sem custo no cadastro de produtos)</span>` : ''}</p>
  <p>Custo considerado nos indicadores: <b class="cost-used">${c.overrideBrl !== null ? fmtBrl(c.overrideBrl) : c.itemsBrl === null ? 'sem custo' : fmtBrl(c.itemsBrl)}</b>${c.overrideBrl !== null ? html` <span class="muted">(informado pela equipe)</span>` : ''}</p>
  ${
    allowed(u.role, 'request:cost')
      ? html`<form method="post" action="${url}" class="row" hx-post="${url}" hx-target="#request-cost" hx-swap="outerHTML">
    ${csrfField(u)}
    <label>Custo informado (R$) <input type="text" name="cost" inputmode="decimal" value="${value}" placeholder="deixe vazio para usar os itens" pattern="[0-9.,]*"></label>
    <button type="submit">Salvar custo</button>
  </form>`
      : ''
  }
</section>`;
}

export function registerRequestCost(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  const load = async (protocol: string) => {
    const c = await loadRequestCost(db, protocol);
    if (!c) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
    return c;
  };

  ctx.route('GET /console/requests/:protocol/cost', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const fragment = requestCostFragment(u, await load(protocol));
    if (isHtmx(req)) return ctx.send(reply, fragment);
    return ctx.send(
      reply,
      page(
        { title: `Custo ${protocol}`, user: u },
        html`${fragment}<p><a class="button secondary" href="/console/requests/${protocol}">Voltar à solicitação</a></p>`,
      ),
    );
  });

  ctx.route('POST /console/requests/:protocol/cost', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = typeof body.cost === 'string' ? body.cost.trim() : '';
    const cost = raw === '' ? null : parseDecimal(raw);
    if (raw !== '' && cost === null) throw new ClientError(400, 'Informe o custo em reais, por exemplo 350,00.');
    const { previous } = await setRequestCost(db, protocol, cost, ctx.by(u));
    await ctx.audit(req, {
      action: 'request.edit',
      target: protocol,
      details: { costBrl: { from: previous, to: cost } },
    });
    if (isHtmx(req)) return ctx.send(reply, requestCostFragment(u, await load(protocol)));
    return reply.redirect(`/console/requests/${protocol}?ok=edited`, 303);
  });
}
