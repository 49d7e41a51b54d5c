import { eq } from 'drizzle-orm';
import { customerContacts, type InvoiceView, invoiceView } from '../../../db/invoices-repo';
import { conversations, customers } from '../../../db/schema';
import { REASON_CATEGORIES } from '../../../services/console/edits';
import {
  type ContextMessage,
  type ConversationRow,
  forwardConversation,
  lastMessages,
  openSacCase,
  searchConversations,
  type UploadedFile,
} from '../../../services/console/sac';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ClientError } from '../../../services/errors';
import { flashFrom } from '../flash';
import { formString } from '../form-values';
import { type Html, html, multiline, qs } from '../html';
import type { ConsoleContext } from '../index';
import { CHANNEL_LABELS, fmtCnpj, fmtDate, fmtDateTime, label, REASON_SHORT, reasonLong, who } from '../labels';
import { csrfField, page } from '../layout';

function invoiceForm(
  u: ConsoleUser,
  inv: InvoiceView,
  contacts: { value: string; kind: string }[],
  today: string,
): Html {
  return html`<form method="post" action="/console/sac/cases" enctype="multipart/form-data" class="stack" id="sac-case">
  ${csrfField(u)}
  <input type="hidden" name="nf" value="${inv.number}">
  <input type="hidden" name="customer" value="${inv.customer.code}">
  <dl class="facts">
    <dt>Cliente</dt><dd>${inv.customer.name} <span class="muted">(${inv.customer.code} · ${fmtCnpj(inv.customer.cnpj)})</span></dd>
    <dt>NF</dt><dd>${inv.number} · emitida em ${fmtDate(inv.issueDate)} · pedido ${inv.orderNumber}</dd>
  </dl>
  <fieldset>
    <legend>Itens com problema (quantidade; 0 = não incluir)</legend>
    <table class="responsive items">
      <thead><tr><th>Código</th><th>Descrição</th><th>Máscara</th><th>Na NF</th><th>Garantia até</th><th>Qtd</th></tr></thead>
      <tbody>${inv.items.map(
        (i) => html`<tr>
        <td data-label="Código"><b>${i.code}</b></td>
        <td data-label="Descrição">${i.description}</td>
        <td data-label="Máscara">${i.mask || '—'}</td>
        <td data-label="Na NF">${i.quantity}</td>
        <td data-label="Garantia até">${fmtDate(i.warrantyUntil)}${i.warrantyUntil < today ? ' (fora)' : ''}</td>
        <td data-label="Qtd"><input type="number" name="qty_${i.productId}" value="0" min="0" max="${i.quantity}" aria-label="Quantidade de ${i.code}"></td>
      </tr>`,
      )}</tbody>
    </table>
  </fieldset>
  <label>Retorno ao cliente (telefone ou e-mail)
    <input type="text" name="contact" list="sac-contacts" required value="${contacts[0]?.value ?? ''}" maxlength="320">
    <datalist id="sac-contacts">${contacts.map((c) => html`<option value="${c.value}">${c.kind}</option>`)}</datalist>
  </label>
  <fieldset class="choices">
    <legend>Motivo</legend>
    ${REASON_CATEGORIES.map(
      (c, i) =>
        html`<label class="choice"><input type="radio" name="reason" value="${c}"${i === 0 ? html` checked` : ''}> ${label(REASON_SHORT, c)} — ${reasonLong(c)}</label>`,
    )}
  </fieldset>
  <label>O que aconteceu (palavras do cliente)
    <textarea name="description" rows="3" required maxlength="2000"></textarea>
  </label>
  <label>Fotos (JPG, PNG, WebP; até 10)
    <input type="file" name="photos" accept="image/jpeg,image/png,image/webp,image/avif" multiple>
  </label>
  <button type="submit">Abrir caso</button>
</form>`;
}

function newCaseView(
  u: ConsoleUser,
  q: { nf?: string; customer?: string },
  found: { inv: InvoiceView; contacts: { value: string; kind: string }[] } | null,
  error: string | null,
  today: string,
): Html {
  return page(
    { title: 'Abrir caso (SAC)', user: u, active: 'sac', flash: error ? { kind: 'error', text: error } : null },
    html`<div class="page-head"><h1>Abrir caso em nome do cliente</h1></div>
<section class="card">
  <p class="muted">Atendimento por telefone: localize a NF do cliente, marque os itens, o motivo e anexe as fotos. O caso entra na fila de revisão com origem SAC.</p>
  <form method="get" action="/console/sac/new" class="row" hx-get="/console/sac/new" hx-target="#sac-invoice" hx-select="#sac-invoice" hx-swap="outerHTML" hx-push-url="true">
    <label>Cliente (código, opcional) <input type="text" name="customer" value="${q.customer ?? ''}" maxlength="40"></label>
    <label class="grow">Número da NF <input type="text" name="nf" value="${q.nf ?? ''}" inputmode="numeric" required maxlength="20"></label>
    <button type="submit" class="secondary">Buscar NF</button>
  </form>
</section>
<section class="card" id="sac-invoice">
  ${found ? invoiceForm(u, found.inv, found.contacts, today) : html`<p class="muted">Busque a NF para ver os itens.</p>`}
</section>`,
  );
}

function contextView(messages: ContextMessage[], displayName: string | null): Html {
  if (!messages.length) return html`<p class="empty">Sem mensagens.</p>`;
  return html`<ol class="transcript compact">${messages.map(
    (m) => html`<li class="msg msg-${m.direction}">
  <div class="meta">${m.direction === 'in' ? (displayName ?? 'Cliente') : m.author && m.author !== 'bot' ? who(m.author) : 'Bot'} · ${fmtDateTime(m.at)}</div>
  ${m.text ? html`<div class="text">${multiline(m.text)}</div>` : ''}
  ${m.attachments.length ? html`<div class="attachments">${m.attachments.map((a) => html`<a href="/console/media/${a.sha256}" target="_blank" rel="noopener" data-lightbox><img src="/console/media/${a.sha256}?variant=thumb" alt="${a.filename ?? 'foto'}" loading="lazy"></a><span class="filename">${a.filename ?? ''}</span>`)}</div>` : ''}
</li>`,
  )}</ol>`;
}

function forwardView(
  u: ConsoleUser,
  q: string,
  rows: ConversationRow[],
  chosen: { conv: ConversationRow; messages: ContextMessage[] } | null,
  flash: ReturnType<typeof flashFrom>,
): Html {
  return page(
    { title: 'Encaminhar conversa', user: u, active: 'sac-forward', flash },
    html`<div class="page-head"><h1>Encaminhar conversa para a Assistência Técnica</h1></div>
<section class="card">
  <form method="get" action="/console/sac/forward" class="row" role="search">
    <label class="grow">Buscar conversa <input type="search" name="q" value="${q}" placeholder="Telefone, e-mail, nome ou código do cliente" maxlength="100"></label>
    <button type="submit" class="secondary">Buscar</button>
  </form>
  ${
    rows.length
      ? html`<table class="responsive">
    <thead><tr><th>Contato</th><th>Cliente</th><th>Canal</th><th>Última mensagem</th><th></th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr>
      <td data-label="Contato">${r.address}${r.displayName ? html`<br><span class="muted">${r.displayName}</span>` : ''}</td>
      <td data-label="Cliente">${r.customerName ?? '—'}${r.customerCode ? html` <span class="muted">(${r.customerCode})</span>` : ''}</td>
      <td data-label="Canal">${label(CHANNEL_LABELS, r.channel)}</td>
      <td data-label="Última mensagem">${(r.lastText ?? '').slice(0, 140)}<br><span class="muted">${fmtDateTime(r.updatedAt)}</span></td>
      <td><a class="button secondary" href="/console/sac/forward${qs({ q, conversation: r.id })}">Escolher</a></td>
    </tr>`,
    )}</tbody>
  </table>`
      : html`<p class="empty">Nenhuma conversa encontrada.</p>`
  }
</section>
${
  chosen
    ? html`<section class="card" id="forward-form">
  <h2>${chosen.conv.address} · ${label(CHANNEL_LABELS, chosen.conv.channel)}</h2>
  ${contextView(chosen.messages, chosen.conv.displayName)}
  <form method="post" action="/console/sac/forward" class="stack">
    ${csrfField(u)}
    <input type="hidden" name="conversation" value="${chosen.conv.id}">
    <label>Nota para a equipe (o que o cliente precisa)
      <textarea name="note" rows="3" required maxlength="5000"></textarea>
    </label>
    <button type="submit">Encaminhar para a Assistência Técnica</button>
  </form>
</section>`
    : ''
}`,
  );
}

export function registerSac(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  ctx.route('GET /console/sac/new', async (req, reply) => {
    const u = req.consoleUser!;
    const q = req.query as { nf?: unknown; customer?: unknown };
    const nf = formString(q.nf).trim().slice(0, 30);
    const customer = formString(q.customer).trim().slice(0, 40);
    let found: { inv: InvoiceView; contacts: { value: string; kind: string }[] } | null = null;
    let error: string | null = null;
    if (nf) {
      const inv = await invoiceView(db, nf, ctx.deps.defaultWarrantyMonths);
      if (!inv) error = `NF ${nf} não encontrada no cadastro.`;
      else if (customer && customer.toUpperCase() !== inv.customer.code.toUpperCase()) {
        error = `A NF ${inv.number} não é do cliente ${customer}.`;
      } else found = { inv, contacts: await customerContacts(db, inv.customer.id) };
    }
    return ctx.send(reply, newCaseView(u, { nf, customer }, found, error, ctx.deps.today()), error ? 400 : 200);
  });

  ctx.route(
    'POST /console/sac/cases',
    async (req, reply) => {
      const u = req.consoleUser!;
      if (!req.isMultipart()) {
        if (!ctx.csrfOk(req, u)) return ctx.refuseCsrf(req, reply, u);
        throw new ClientError(400, 'Envie o formulário da página "Abrir caso".');
      }
      const fields: Record<string, string> = {};
      const files: UploadedFile[] = [];
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.filename && bytes.length) files.push({ filename: part.filename.slice(0, 200), bytes });
        } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      }
      if (!ctx.csrfOk(req, u, fields._csrf ?? '')) return ctx.refuseCsrf(req, reply, u);
      const quantities = new Map<number, number>();
      for (const [k, v] of Object.entries(fields)) {
        const m = /^qty_(\d{1,9})$/.exec(k);
        if (m && v.trim()) quantities.set(Number(m[1]), Number(v));
      }
      const created = await openSacCase(
        db,
        ctx.deps.store,
        {
          invoiceNumber: fields.nf ?? '',
          customerCode: fields.customer,
          contact: fields.contact ?? '',
          quantities,
          reasonCategory: fields.reason ?? '',
          description: fields.description ?? '',
          photos: files,
        },
        {
          by: ctx.by(u),
          today: ctx.deps.today(),
          defaultWarrantyMonths: ctx.deps.defaultWarrantyMonths,
          maxBytes: ctx.deps.maxAttachmentBytes,
          maxPixels: ctx.deps.maxImagePixels,
        },
      );
      await ctx.audit(req, {
        action: 'case.open',
        target: created.protocol,
        requestId: created.id,
        details: { invoice: fields.nf, files: files.map((f) => f.filename) },
      });
      return reply.redirect(`/console/requests/${created.protocol}?ok=opened`, 303);
    },
    { multipart: true },
  );

  ctx.route('GET /console/sac/forward', async (req, reply) => {
    const u = req.consoleUser!;
    const query = req.query as { q?: unknown; conversation?: unknown };
    const q = formString(query.q).trim().slice(0, 100);
    const rows = await searchConversations(db, q);
    let chosen: { conv: ConversationRow; messages: ContextMessage[] } | null = null;
    const convId = formString(query.conversation);
    if (/^[0-9a-f-]{36}$/i.test(convId)) {
      const conv = rows.find((r) => r.id === convId) ?? (await searchConversations(db, '', { id: convId }))[0];
      if (conv) chosen = { conv, messages: (await lastMessages(db, [conv.id], 10)).get(conv.id) ?? [] };
    }
    return ctx.send(reply, forwardView(u, q, rows, chosen, flashFrom(req.query)));
  });

  ctx.route('POST /console/sac/forward', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const conversationId = formString(body.conversation);
    if (!/^[0-9a-f-]{36}$/i.test(conversationId)) throw new ClientError(400, 'Escolha a conversa.');
    const [conv] = await db
      .select({ id: conversations.id, customer: customers.code })
      .from(conversations)
      .leftJoin(customers, eq(customers.id, conversations.customerId))
      .where(eq(conversations.id, conversationId));
    if (!conv) throw new ClientError(404, 'Conversa não encontrada.');
    const fwd = await forwardConversation(db, conversationId, formString(body.note));
    await ctx.audit(req, {
      action: 'case.forward',
      target: `forward:${fwd.id}`,
      details: { conversationId, customer: conv.customer },
    });
    return reply.redirect('/console/sac/forward?ok=forwarded', 303);
  });
}
