import { and, eq, inArray } from 'drizzle-orm';
import type { Team } from '../../../../flows/routing';
import { T, TEAM_NAMES } from '../../../../flows/texts';
import { auditLog, endpoints, forwards, requestEvents, requests } from '../../../db/schema';
import { FORWARD_TEAMS, TEAMS } from '../../../services/console/permissions';
import { type ContextMessage, lastMessages } from '../../../services/console/sac';
import type { ConsoleUser } from '../../../services/console/sessions';
import { ClientError } from '../../../services/errors';
import { answerForward, listForwards } from '../../../services/forwards';
import { flashFrom } from '../flash';
import { formString } from '../form-values';
import { type Html, html, multiline, qs } from '../html';
import { type ConsoleContext, deny } from '../index';
import { CHANNEL_LABELS, fmtDateTime, INTENT_LABELS, label, TEAM_LABELS, who } from '../labels';
import { csrfField, page, pill } from '../layout';

type ForwardItem = Awaited<ReturnType<typeof listForwards>>[number];

function contextView(messages: ContextMessage[], displayName: string | null): Html {
  if (!messages.length) return html``;
  return html`<details class="context" open>
  <summary>Últimas mensagens da conversa</summary>
  <ol class="transcript compact">${messages.map(
    (m) => html`<li class="msg msg-${m.direction}">
    <div class="meta">${m.direction === 'in' ? (displayName ?? 'Cliente') : m.author && m.author !== 'bot' ? who(m.author) : 'Bot'} · ${fmtDateTime(m.at)}</div>
    ${m.text ? html`<div class="text">${multiline(m.text)}</div>` : ''}
    ${m.attachments.length ? html`<div class="attachments">${m.attachments.map((a) => html`<a href="/console/media/${a.sha256}" target="_blank" rel="noopener" data-lightbox><img src="/console/media/${a.sha256}?variant=thumb" alt="${a.filename ?? 'foto'}" loading="lazy"></a><span class="filename">${a.filename ?? ''}</span>`)}</div>` : ''}
  </li>`,
  )}</ol>
</details>`;
}

function card(
  f: ForwardItem,
  u: ConsoleUser,
  ctxMessages: ContextMessage[],
  displayName: string | null,
  origin: string | null,
  protocol: string | null,
  team: string | undefined,
  status: string,
): Html {
  const canAnswer = f.status === 'open' && FORWARD_TEAMS[u.role].answer.includes(f.team as Team);
  return html`<article class="card forward forward-${f.status}" id="forward-${f.id}">
  <header class="forward-head">
    <span>${pill('team', label(TEAM_LABELS, f.team))} ${f.status === 'open' ? pill('warn', 'em aberto') : pill('ok', 'respondido')}</span>
    <span class="muted">#${f.id} · ${fmtDateTime(f.createdAt)}</span>
  </header>
  <p><b>${f.customer ? html`${f.customer.name} <span class="muted">(${f.customer.code})</span>` : 'Cliente não identificado'}</b>
    · ${label(CHANNEL_LABELS, f.channel)} · ${f.contact}${displayName ? html` · <span class="muted">${displayName}</span>` : ''}</p>
  <p class="muted">${label(INTENT_LABELS, f.intent)}${origin ? html` por ${origin}` : ''}${f.orderNumber ? html` · pedido ${f.orderNumber}` : ''}${protocol ? html` · <a href="/console/requests/${protocol}">${protocol}</a>` : ''}</p>
  <blockquote class="question">${multiline(f.question)}</blockquote>
  ${contextView(ctxMessages, displayName)}
  ${
    f.status === 'answered'
      ? html`<div class="answer"><div class="meta">Resposta de ${who(f.answeredBy ?? '')} · ${f.answeredAt ? fmtDateTime(f.answeredAt) : ''}</div><div>${multiline(f.answer ?? '')}</div></div>`
      : ''
  }
  ${
    canAnswer
      ? html`<form method="post" action="/console/forwards/${f.id}/answer${qs({ team, status })}" class="stack">
    ${csrfField(u)}
    <label>Resposta ao cliente
      <textarea name="text" rows="3" required maxlength="5000"></textarea>
    </label>
    <p class="muted small">O cliente recebe no canal dele: “${T.teamAnswer(TEAM_NAMES[f.team as Team], '…')}”</p>
    <button type="submit">Enviar ao cliente</button>
  </form>`
      : ''
  }
</article>`;
}

export function registerForwards(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  ctx.route('GET /console/forwards', async (req, reply) => {
    const u = req.consoleUser!;
    const q = req.query as { team?: unknown; status?: unknown };
    const readable = FORWARD_TEAMS[u.role].read;
    let team = formString(q.team) || undefined;
    if (team && !readable.includes(team as Team)) return deny(ctx, req, reply, u);
    if (!team && readable.length === 1) team = readable[0];
    const status = ['open', 'answered', 'all'].includes(formString(q.status)) ? formString(q.status) : 'open';
    const items = (await listForwards(db, { team, status: status === 'all' ? undefined : status })).filter((f) =>
      readable.includes(f.team as Team),
    );
    const convIds = items.map((f) => f.conversationId).filter((c): c is string => !!c);
    const context = await lastMessages(db, convIds, 6);
    const names = new Map<string, string | null>();
    if (items.length) {
      const eps = await db
        .select({ channel: endpoints.channel, address: endpoints.address, name: endpoints.displayName })
        .from(endpoints)
        .where(inArray(endpoints.address, [...new Set(items.map((f) => f.contact))]));
      for (const e of eps) names.set(`${e.channel}|${e.address}`, e.name);
    }
    // Who in SAC forwarded a conversation (the audit log keeps it).
    const sacIds = items.filter((f) => f.intent === 'sac').map((f) => `forward:${f.id}`);
    const origins = new Map<string, string>();
    if (sacIds.length) {
      const rows = await db
        .select({ target: auditLog.target, actor: auditLog.actor })
        .from(auditLog)
        .where(and(eq(auditLog.action, 'case.forward'), inArray(auditLog.target, sacIds)));
      for (const r of rows) if (r.target) origins.set(r.target, r.actor);
    }
    const fwdRows = items.length
      ? await db
          .select({ id: forwards.id, protocol: requests.protocol })
          .from(forwards)
          .innerJoin(requests, eq(requests.id, forwards.requestId))
          .where(
            inArray(
              forwards.id,
              items.map((f) => f.id),
            ),
          )
      : [];
    const protocols = new Map(fwdRows.map((r) => [r.id, r.protocol]));
    const teamTabs = readable.length > 1 ? [undefined, ...readable] : readable;
    const tab = (t: string | undefined, text: string) =>
      html`<a class="tab${t === team ? ' active' : ''}" href="/console/forwards${qs({ team: t, status })}">${text}</a>`;
    const stTab = (s: string, text: string) =>
      html`<a class="tab${s === status ? ' active' : ''}" href="/console/forwards${qs({ team, status: s })}">${text}</a>`;
    return ctx.send(
      reply,
      page(
        { title: 'Encaminhamentos', user: u, active: 'forwards', flash: flashFrom(req.query) },
        html`<div class="page-head"><h1>Encaminhamentos${team ? html` · ${label(TEAM_LABELS, team)}` : ''}</h1></div>
<nav class="tabs" aria-label="Equipe">${teamTabs.map((t) => tab(t, t ? label(TEAM_LABELS, t) : 'Todas as equipes'))}</nav>
<nav class="tabs" aria-label="Situação">${stTab('open', 'Em aberto')}${stTab('answered', 'Respondidos')}${stTab('all', 'Todos')}</nav>
<section class="forwards">
  ${
    items.length
      ? items.map((f) =>
          card(
            f,
            u,
            f.conversationId ? (context.get(f.conversationId) ?? []) : [],
            names.get(`${f.channel}|${f.contact}`) ?? null,
            origins.get(`forward:${f.id}`) ?? null,
            protocols.get(f.id) ?? null,
            team,
            status,
          ),
        )
      : html`<p class="empty">Nenhum encaminhamento ${status === 'open' ? 'em aberto' : ''}.</p>`
  }
</section>`,
      ),
    );
  });

  ctx.route('POST /console/forwards/:id/answer', async (req, reply) => {
    const u = req.consoleUser!;
    const id = Number((req.params as { id?: string }).id);
    if (!Number.isInteger(id) || id <= 0) throw new ClientError(404, 'Encaminhamento não encontrado.');
    const [f] = await db.select().from(forwards).where(eq(forwards.id, id));
    if (!f) throw new ClientError(404, 'Encaminhamento não encontrado.');
    if (!FORWARD_TEAMS[u.role].answer.includes(f.team)) return deny(ctx, req, reply, u);
    if (f.status !== 'open') throw new ClientError(409, 'Este encaminhamento já foi respondido.');
    const text = formString((req.body as Record<string, unknown> | undefined)?.text).slice(0, 5000);
    const ids = await answerForward(db, id, text, ctx.by(u));
    ctx.deps.deliver(ids);
    if (f.requestId) {
      await db.insert(requestEvents).values({
        requestId: f.requestId,
        by: ctx.by(u),
        kind: 'note',
        note: `Resposta ao encaminhamento #${f.id} (${label(TEAM_LABELS, f.team)}) enviada ao cliente: ${text.trim()}`,
      });
    }
    await ctx.audit(req, {
      action: 'forward.answer',
      target: `forward:${f.id}`,
      requestId: f.requestId,
      details: { team: f.team, text: text.trim() },
    });
    const q = req.query as { team?: unknown; status?: unknown };
    const team = TEAMS.includes(formString(q.team) as Team) ? formString(q.team) : undefined;
    const status = ['open', 'answered', 'all'].includes(formString(q.status)) ? formString(q.status) : undefined;
    return reply.redirect(`/console/forwards${qs({ team, status, ok: 'answered' })}`, 303);
  });
}
