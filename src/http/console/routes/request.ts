import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestIdByProtocol } from '../../../db/requests-repo';
import { requests } from '../../../db/schema';
import {
  canTransition,
  DECISION_TARGET,
  DECISIONS,
  type Decision,
  type RequestStatus,
} from '../../../domain/request-status';
import { customerDecisionText, DECISION_LABELS, PRESET_MESSAGES } from '../../../services/console/decision-text';
import {
  addNote,
  EDITABLE_STATUSES,
  editInvoice,
  editItems,
  editReason,
  REASON_CATEGORIES,
} from '../../../services/console/edits';
import { allowed, REQUEST_STATUS_SCOPE } from '../../../services/console/permissions';
import { loadRequestPage, type RequestPageData } from '../../../services/console/request-detail';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ClientError } from '../../../services/errors';
import { decide } from '../../../services/review';
import { flashFrom } from '../flash';
import { formString, protocolOf } from '../form-values';
import { type Html, html, multiline } from '../html';
import { type ConsoleContext, deny, isHtmx } from '../index';
import {
  CHANNEL_LABELS,
  fmtCnpj,
  fmtDate,
  fmtDateTime,
  fmtKg,
  label,
  REASON_SHORT,
  reasonLong,
  STATUS_LABELS,
  who,
} from '../labels';
import { csrfField, page, pill } from '../layout';
import { llmSummarySection } from '../llm-summary-section';
import { afterReviewPanel, registerAfterReviewActions } from './after-review';
import { deadlineBadge } from './queue';
import { requestCostSlot } from './request-cost';

/** Decisions possible from the current status (the domain's transitions). */
export function allowedDecisions(status: string): Decision[] {
  return DECISIONS.filter((d) => canTransition(status as RequestStatus, DECISION_TARGET[d]));
}

const EVENT_KIND: Record<string, string> = { status: 'Status', note: 'Nota interna', edit: 'Correção' };

function photosView(d: RequestPageData): Html {
  const photos = d.request.photos;
  if (!photos.length) return html`<p class="empty">Nenhuma foto. ${pill('warn', 'sem foto do item instalado')}</p>`;
  return html`<div class="photos">${photos.map((p, i) => {
    const name = d.photoNames.get(p.sha256);
    const alt = `Foto ${i + 1}${name ? `: ${name}` : ''}`;
    return html`<figure>
  <a href="/console/media/${p.sha256}" target="_blank" rel="noopener" data-lightbox title="Abrir em tamanho real">
    <img src="/console/media/${p.sha256}?variant=thumb" alt="${alt}" loading="lazy">
  </a>
  <figcaption>${name ?? `foto ${i + 1}`}${d.request.round > 1 ? html` <span class="muted">· rodada ${p.round}</span>` : ''}</figcaption>
</figure>`;
  })}</div>`;
}

function itemsView(d: RequestPageData, canEdit: boolean, u: ConsoleUser): Html {
  const r = d.request;
  const onInvoice = (productCode: string, mask: string) =>
    !d.invoice || d.invoice.items.some((i) => i.code === productCode && i.mask === mask);
  const submittedOn = r.submittedAt.slice(0, 10);
  const table = html`<table class="responsive items">
  <thead><tr><th>Código</th><th>Descrição</th><th>Máscara</th><th>Qtd</th><th>Peso</th><th>Garantia até</th></tr></thead>
  <tbody>${r.items.map((i) => {
    const out = i.warrantyUntil !== null && i.warrantyUntil < submittedOn;
    return html`<tr>
    <td data-label="Código"><b>${i.productCode}</b>${onInvoice(i.productCode, i.mask) ? '' : html` ${pill('warn', 'não consta na NF')}`}</td>
    <td data-label="Descrição">${i.description}</td>
    <td data-label="Máscara">${i.mask || '—'}</td>
    <td data-label="Qtd">${i.quantity}</td>
    <td data-label="Peso">${fmtKg(i.weightKg * i.quantity)} <span class="muted">(${fmtKg(i.weightKg)}/un)</span></td>
    <td data-label="Garantia até">${i.warrantyUntil ? html`${fmtDate(i.warrantyUntil)} ${out ? pill('warn', 'fora') : pill('ok', 'em garantia')}` : html`${pill('warn', 'sem data')}`}</td>
  </tr>`;
  })}</tbody>
</table>`;
  if (!canEdit) return table;
  const present = new Set(d.itemRows.map((i) => i.productId));
  const addable = d.invoice?.items.filter((i) => !present.has(i.productId)) ?? [];
  const invoiceQty = (productId: number | null) => d.invoice?.items.find((i) => i.productId === productId)?.quantity;
  return html`${table}
<details class="edit">
  <summary>Corrigir itens (quantidade, remover, adicionar item da mesma NF)</summary>
  <form method="post" action="/console/requests/${r.protocol}/items" class="stack">
    ${csrfField(u)}
    ${d.itemRows.map(
      (i) => html`<div class="row">
      <span class="grow"><b>${i.productCode}</b> ${i.mask}</span>
      <label>Qtd <input type="number" name="qty_${i.id}" value="${i.quantity}" min="1"${invoiceQty(i.productId) ? html` max="${invoiceQty(i.productId)!}"` : ''} required></label>
      <label class="check"><input type="checkbox" name="remove_${i.id}" value="1"> remover</label>
    </div>`,
    )}
    ${
      addable.length
        ? html`<div class="row">
      <label class="grow">Adicionar item da NF ${r.invoiceNumber}
        <select name="add_product"><option value="">—</option>${addable.map(
          (i) =>
            html`<option value="${i.productId}">${i.code} ${i.description}${i.mask ? ` · ${i.mask}` : ''} (NF: ${i.quantity})</option>`,
        )}</select>
      </label>
      <label>Qtd <input type="number" name="add_qty" value="1" min="1"></label>
    </div>`
        : ''
    }
    <button type="submit">Salvar correção dos itens</button>
  </form>
</details>`;
}

function transcriptView(d: RequestPageData): Html {
  if (!d.request.conversationId) {
    return html`<p class="muted">Caso aberto pelo SAC (por telefone): não há conversa com o bot.</p>`;
  }
  if (!d.transcript.length) return html`<p class="empty">Conversa sem mensagens.</p>`;
  return html`<ol class="transcript">${d.transcript.map(
    (m) => html`<li class="msg msg-${m.direction}">
  <div class="meta">${m.direction === 'in' ? (d.displayName ?? 'Cliente') : m.author && m.author !== 'bot' ? who(m.author) : 'Bot'} · ${fmtDateTime(m.at)}</div>
  ${m.text ? html`<div class="text">${multiline(m.text)}</div>` : ''}
  ${m.options?.length ? html`<ol class="options">${m.options.map((o) => html`<li>${o}</li>`)}</ol>` : ''}
  ${
    m.attachments?.length
      ? html`<div class="attachments">${m.attachments.map(
          (a) =>
            html`<a href="/console/media/${a.sha256}" target="_blank" rel="noopener" data-lightbox><img src="/console/media/${a.sha256}?variant=thumb" alt="${a.filename ?? 'foto'}" loading="lazy"></a><span class="filename">${a.filename ?? ''}</span>`,
        )}</div>`
      : ''
  }
</li>`,
  )}</ol>`;
}

function historyView(d: RequestPageData): Html {
  return html`<ol class="history">${d.request.history.map(
    (e) => html`<li class="event event-${e.kind}">
  <div class="meta">${fmtDateTime(e.at)} · ${who(e.by)} · ${EVENT_KIND[e.kind] ?? e.kind}</div>
  ${e.kind === 'status' ? html`<div>${e.from ? html`${label(STATUS_LABELS, e.from)} → ` : ''}<b>${label(STATUS_LABELS, e.status ?? '')}</b></div>` : ''}
  ${e.note ? html`<div class="text">${multiline(e.note)}</div>` : ''}
</li>`,
  )}</ol>`;
}

function decisionForm(d: RequestPageData, u: ConsoleUser): Html {
  const r = d.request;
  const options = allowedDecisions(r.status);
  if (!options.length) {
    return html`<p class="muted">Nenhuma decisão possível com o status "${label(STATUS_LABELS, r.status)}".</p>`;
  }
  const action = `/console/requests/${r.protocol}/decision/preview`;
  return html`<form method="post" action="${action}" hx-post="${action}" hx-target="#decision-confirm" hx-swap="innerHTML show:top" class="stack" id="decision-form">
  ${csrfField(u)}
  <fieldset class="choices">
    <legend>Decisão</legend>
    ${options.map(
      (o, i) =>
        html`<label class="choice choice-${o}"><input type="radio" name="decision" value="${o}"${i === 0 ? html` checked` : ''}> ${DECISION_LABELS[o]}</label>`,
    )}
  </fieldset>
  <label>Motivo pronto (opcional)
    <select name="preset" data-fill="decision-message">
      <option value="">— escolher —</option>
      ${options
        .filter((o) => PRESET_MESSAGES[o].length)
        .map(
          (o) =>
            html`<optgroup label="${DECISION_LABELS[o]}">${PRESET_MESSAGES[o].map((m) => html`<option value="${m}">${m}</option>`)}</optgroup>`,
        )}
    </select>
  </label>
  <label>Mensagem ao cliente
    <textarea name="message" id="decision-message" rows="4" maxlength="2000" placeholder="Obrigatória para devolver, cobrar ou recusar. É o que o cliente vai ler."></textarea>
  </label>
  <button type="submit">Ver o que o cliente vai receber</button>
</form>
<div id="decision-confirm"></div>`;
}

/** The confirmation step: the exact text the customer will get, and the button that sends it. */
export function confirmBox(d: RequestPageData, u: ConsoleUser, decision: Decision, message: string): Html {
  const r = d.request;
  const text = customerDecisionText(decision, r.protocol, message, r.orderNumber);
  const channel = r.channel === 'sac' ? 'web' : r.channel;
  return html`<div class="confirm" id="confirm-box" role="dialog" aria-labelledby="confirm-title">
  <h3 id="confirm-title">Confirmar: ${DECISION_LABELS[decision]}</h3>
  <p>O cliente vai receber por <b>${label(CHANNEL_LABELS, channel)}</b> (${r.contact}):</p>
  <blockquote class="bubble" data-testid="customer-preview">${multiline(text)}</blockquote>
  <form method="post" action="/console/requests/${r.protocol}/decision" class="row">
    ${csrfField(u)}
    <input type="hidden" name="decision" value="${decision}">
    <textarea name="message" hidden readonly>${message}</textarea>
    <input type="hidden" name="confirm" value="1">
    <button type="submit" class="${decision === 'accept' ? 'ok' : 'warn'}">Confirmar e enviar ao cliente</button>
    <a class="button secondary" href="/console/requests/${r.protocol}">Cancelar</a>
  </form>
</div>`;
}

export function requestView(
  d: RequestPageData,
  u: ConsoleUser,
  opts: { deadlineDays: number; flash?: ReturnType<typeof flashFrom>; confirm?: Html; afterReview?: Html },
): Html {
  const r = d.request;
  const canDecide = allowed(u.role, 'request:decide');
  const canEdit = allowed(u.role, 'request:edit') && EDITABLE_STATUSES.includes(r.status);
  const canNote = allowed(u.role, 'request:note');
  const s = d.suggestion;
  return page(
    { title: r.protocol, user: u, active: 'queue', flash: opts.flash },
    html`<div class="page-head">
  <h1>${r.protocol} ${pill(r.status, label(STATUS_LABELS, r.status))}</h1>
  <p class="muted">
    ${label(CHANNEL_LABELS, r.channel)}${r.origin === 'sac' ? html` · ${pill('info', 'origem SAC')}` : ''}
    · aberta em ${fmtDateTime(r.createdAt)} · ${deadlineBadge(r.ageDays, opts.deadlineDays, d.deadline)}
    ${r.round > 1 ? html` · ${r.round}ª rodada (reenviada em ${fmtDateTime(r.submittedAt)})` : ''}
  </p>
</div>
${opts.confirm ?? ''}
<div class="grid">
  <div class="col">
    <section class="card suggestion suggestion-${s.outcome}">
      <h2>Sugestão: ${s.label}</h2>
      <ul>${s.grounds.map((g) => html`<li>${g}</li>`)}</ul>
      <p class="muted small">Apenas uma sugestão a partir dos dados; a decisão é da equipe.</p>
    </section>
    ${llmSummarySection(d.llmSummary)}
    <section class="card">
      <h2>Fotos (${r.photos.length})</h2>
      ${photosView(d)}
    </section>
    ${
      r.returnMessage && r.status === 'returned'
        ? html`<section class="card"><h2>Devolvida ao cliente</h2><p>${multiline(r.returnMessage)}</p></section>`
        : ''
    }
    <section class="card">
      <h2>Cliente</h2>
      <dl class="facts">
        <dt>Cliente</dt><dd>${r.customer.name} <span class="muted">(${r.customer.code})</span></dd>
        <dt>CNPJ</dt><dd>${fmtCnpj(r.customer.cnpj)}</dd>
        <dt>Contato</dt><dd>${r.contact}</dd>
        ${d.displayName ? html`<dt>Nome no canal</dt><dd>${d.displayName}</dd>` : ''}
        <dt>Canal</dt><dd>${label(CHANNEL_LABELS, r.channel)}</dd>
      </dl>
    </section>
    <section class="card">
      <h2>Nota fiscal</h2>
      <dl class="facts">
        <dt>NF</dt><dd>${r.invoiceNumber} ${r.invoiceNotFound ? pill('warn', 'NF não localizada — conferir') : ''}</dd>
        <dt>Emissão</dt><dd>${r.invoiceIssueDate ? fmtDate(r.invoiceIssueDate) : '—'}</dd>
        <dt>Pedido</dt><dd>${r.orderNumber ?? '—'}${r.erpOrderNumber ? html` <span class="muted">· ERP ${r.erpOrderNumber}</span>` : ''}</dd>
        <dt>Garantia</dt><dd>${r.warranty.until ? `até ${fmtDate(r.warranty.until)} ` : ''}${r.warranty.inWarranty ? pill('ok', 'em garantia') : pill('warn', 'fora da garantia')}</dd>
      </dl>
      ${
        canEdit
          ? html`<details class="edit"><summary>Corrigir NF</summary>
        <form method="post" action="/console/requests/${r.protocol}/invoice" class="row">
          ${csrfField(u)}
          <label class="grow">Número da NF (do mesmo cliente) <input type="text" name="invoice" inputmode="numeric" required maxlength="20"></label>
          <button type="submit">Salvar NF</button>
        </form></details>`
          : ''
      }
    </section>
    <section class="card">
      <h2>Itens</h2>
      ${itemsView(d, canEdit, u)}
    </section>
    ${requestCostSlot(u, r.protocol)}
    <section class="card">
      <h2>Motivo</h2>
      <p><b>${reasonLong(r.reason.category)}</b></p>
      <blockquote class="words">${multiline(r.reason.description)}</blockquote>
      ${
        canEdit
          ? html`<details class="edit"><summary>Corrigir categoria do motivo</summary>
        <form method="post" action="/console/requests/${r.protocol}/reason" class="row">
          ${csrfField(u)}
          <label class="grow">Categoria
            <select name="category">${REASON_CATEGORIES.map(
              (c) =>
                html`<option value="${c}"${c === r.reason.category ? html` selected` : ''}>${label(REASON_SHORT, c)} — ${reasonLong(c)}</option>`,
            )}</select>
          </label>
          <button type="submit">Salvar motivo</button>
        </form></details>`
          : ''
      }
    </section>
  </div>
  <div class="col">
    ${
      canDecide && !opts.confirm
        ? html`<section class="card" id="decision"><h2>Decidir</h2>${decisionForm(d, u)}</section>`
        : ''
    }
    ${opts.afterReview ?? ''}
    <section class="card">
      <h2>Conversa</h2>
      ${transcriptView(d)}
    </section>
    <section class="card">
      <h2>Histórico</h2>
      ${historyView(d)}
      ${
        canNote
          ? html`<form method="post" action="/console/requests/${r.protocol}/notes" class="stack note-form">
        ${csrfField(u)}
        <label>Nota interna (fica no histórico; não é enviada ao cliente)
          <textarea name="note" rows="3" maxlength="5000" required></textarea>
        </label>
        <button type="submit" class="secondary">Registrar nota</button>
      </form>`
          : ''
      }
    </section>
  </div>
</div>`,
  );
}

const decisionBody = z.object({
  decision: z.enum(DECISIONS),
  message: z.string().max(2000).optional().default(''),
  preset: z.string().max(2000).optional().default(''),
  confirm: z.string().optional(),
});

export function registerRequest(ctx: ConsoleContext) {
  const { db } = ctx.deps;
  const opts = () => ({
    today: ctx.deps.today(),
    deadlineDays: ctx.deps.assistanceDeadlineDays,
    defaultWarrantyMonths: ctx.deps.defaultWarrantyMonths,
  });

  /** The request, or 404; 403 when the role's scope does not cover its status. */
  async function load(req: FastifyRequest, reply: FastifyReply): Promise<RequestPageData | null> {
    const protocol = protocolOf(req);
    const d = await loadRequestPage(db, protocol, opts());
    if (!d) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
    const scope = REQUEST_STATUS_SCOPE[req.consoleUser!.role];
    if (scope && !scope.includes(d.request.status)) {
      await deny(ctx, req, reply, req.consoleUser!);
      return null;
    }
    return d;
  }

  ctx.route('GET /console/requests/:protocol', async (req, reply) => {
    const d = await load(req, reply);
    if (!d) return reply;
    const u = req.consoleUser!;
    const afterReview = await afterReviewPanel(ctx, ctx.deps.erp, d, u);
    return ctx.send(
      reply,
      requestView(d, u, { deadlineDays: ctx.deps.assistanceDeadlineDays, flash: flashFrom(req.query), afterReview }),
    );
  });

  registerAfterReviewActions(ctx, async (req, form) => {
    const d = await loadRequestPage(db, protocolOf(req), opts());
    if (!d) throw new ClientError(404, 'Solicitação não encontrada.');
    const u = req.consoleUser!;
    const afterReview = await afterReviewPanel(ctx, ctx.deps.erp, d, u, form);
    const flash = { kind: 'error' as const, text: 'Confira os dados do ERP destacados.' };
    return requestView(d, u, { deadlineDays: ctx.deps.assistanceDeadlineDays, flash, afterReview });
  });

  const readDecision = (req: FastifyRequest) => {
    const parsed = decisionBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new ClientError(400, 'Escolha uma decisão.');
    const message = (parsed.data.message.trim() || parsed.data.preset.trim()).slice(0, 2000);
    if (parsed.data.decision !== 'accept' && !message) {
      throw new ClientError(
        400,
        'Escreva a mensagem ao cliente (ou escolha um motivo pronto): é obrigatória para devolver, cobrar ou recusar.',
      );
    }
    return { decision: parsed.data.decision, message, confirmed: parsed.data.confirm === '1' };
  };

  ctx.route('POST /console/requests/:protocol/decision/preview', async (req, reply) => {
    const d = await load(req, reply);
    if (!d) return reply;
    const { decision, message } = readDecision(req);
    if (!allowedDecisions(d.request.status).includes(decision)) {
      throw new ClientError(
        409,
        `Não é possível "${DECISION_LABELS[decision]}" com o status "${label(STATUS_LABELS, d.request.status)}".`,
      );
    }
    const box = confirmBox(d, req.consoleUser!, decision, message);
    if (isHtmx(req)) return ctx.send(reply, box);
    return ctx.send(
      reply,
      requestView(d, req.consoleUser!, { deadlineDays: ctx.deps.assistanceDeadlineDays, confirm: box }),
    );
  });

  ctx.route('POST /console/requests/:protocol/decision', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const d = await load(req, reply);
    if (!d) return reply;
    const { decision, message, confirmed } = readDecision(req);
    if (!confirmed) throw new ClientError(400, 'Confirme a decisão na tela de confirmação.');
    const res = await decide(db, protocol, decision, message || undefined, ctx.by(u));
    ctx.deps.deliver(res.outboxIds);
    await ctx.audit(req, {
      action: 'request.decide',
      target: protocol,
      requestId: d.id,
      details: { decision, from: d.request.status, to: res.status, message },
    });
    ctx.deps.log.info({ user: u.email, protocol, decision }, 'console decision');
    return reply.redirect(`/console/requests/${protocol}?ok=decided`, 303);
  });

  ctx.route('POST /console/requests/:protocol/items', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const quantities = new Map<number, number>();
    const remove = new Set<number>();
    for (const [k, v] of Object.entries(body)) {
      const q = /^qty_(\d{1,9})$/.exec(k);
      if (q) quantities.set(Number(q[1]), Number(formString(v)));
      const r = /^remove_(\d{1,9})$/.exec(k);
      if (r && formString(v) === '1') remove.add(Number(r[1]));
    }
    const addProduct = Number(formString(body.add_product));
    const add =
      Number.isInteger(addProduct) && addProduct > 0
        ? { productId: addProduct, quantity: Number(formString(body.add_qty) || '1') }
        : undefined;
    const res = await editItems(db, protocol, { quantities, remove, add }, ctx.by(u), ctx.deps.defaultWarrantyMonths);
    await ctx.audit(req, {
      action: 'request.edit',
      target: protocol,
      requestId: res.requestId,
      details: { field: 'items', note: res.note },
    });
    return reply.redirect(`/console/requests/${protocol}?ok=edited`, 303);
  });

  ctx.route('POST /console/requests/:protocol/reason', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const category = formString((req.body as Record<string, unknown> | undefined)?.category);
    const res = await editReason(db, protocol, category, ctx.by(u));
    await ctx.audit(req, {
      action: 'request.edit',
      target: protocol,
      requestId: res.requestId,
      details: { field: 'reason', note: res.note },
    });
    return reply.redirect(`/console/requests/${protocol}?ok=edited`, 303);
  });

  ctx.route('POST /console/requests/:protocol/invoice', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const number = formString((req.body as Record<string, unknown> | undefined)?.invoice).slice(0, 30);
    const res = await editInvoice(db, protocol, number, ctx.by(u), ctx.deps.defaultWarrantyMonths);
    await ctx.audit(req, {
      action: 'request.edit',
      target: protocol,
      requestId: res.requestId,
      details: { field: 'invoice', note: res.note },
    });
    return reply.redirect(`/console/requests/${protocol}?ok=edited`, 303);
  });

  ctx.route('POST /console/requests/:protocol/notes', async (req, reply) => {
    const u = req.consoleUser!;
    const protocol = protocolOf(req);
    const note = formString((req.body as Record<string, unknown> | undefined)?.note);
    // A note on a request outside the role's scope is refused like reading it.
    const id = await requestIdByProtocol(db, protocol);
    if (!id) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
    const scope = REQUEST_STATUS_SCOPE[u.role];
    if (scope) {
      const [row] = await db.select({ status: requests.status }).from(requests).where(eq(requests.id, id));
      if (!row || !scope.includes(row.status)) return deny(ctx, req, reply, u);
    }
    const res = await addNote(db, protocol, note, ctx.by(u));
    await ctx.audit(req, { action: 'request.note', target: protocol, requestId: res.requestId });
    return reply.redirect(`/console/requests/${protocol}?ok=noted`, 303);
  });
}
