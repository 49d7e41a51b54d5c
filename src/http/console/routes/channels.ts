import QRCode from 'qrcode';
import { failedOutbox } from '../../../services/console/outbox';
import { allowed } from '../../../services/console/permissions';
import { ClientError } from '../../../services/errors';
import { flashFrom } from '../flash';
import { type Html, html, multiline } from '../html';
import type { ConsoleContext } from '../index';
import { CHANNEL_LABELS, fmtDateTime, label } from '../labels';
import { csrfField, page, pill } from '../layout';

const STATE_LABELS: Record<string, string> = {
  up: 'funcionando',
  starting: 'iniciando',
  down: 'fora do ar',
  pairing: 'aguardando pareamento',
  disabled: 'desligado',
};
const STATE_KIND: Record<string, string> = {
  up: 'ok',
  starting: 'info',
  down: 'warn',
  pairing: 'warn',
  disabled: 'muted',
};

export function registerChannels(ctx: ConsoleContext) {
  const { db } = ctx.deps;

  ctx.route('GET /console/channels', async (req, reply) => {
    const u = req.consoleUser!;
    const status = ctx.deps.channelStatus();
    const cards: Html[] = [];
    for (const [name, s] of Object.entries(status)) {
      // The QR is a data URL made here (no third-party QR service sees the pairing code).
      const qr = s.qr ? await QRCode.toDataURL(s.qr, { errorCorrectionLevel: 'M', margin: 2, width: 320 }) : null;
      cards.push(html`<article class="card channel">
  <h2>${label(CHANNEL_LABELS, name)} ${pill(STATE_KIND[s.state] ?? 'info', STATE_LABELS[s.state] ?? s.state)}</h2>
  ${s.detail ? html`<p class="muted">${s.detail}</p>` : ''}
  ${
    qr
      ? html`<figure class="qr"><img src="${qr}" alt="QR code para parear o WhatsApp" width="320" height="320">
    <figcaption>No celular da empresa: WhatsApp → Aparelhos conectados → Conectar aparelho, e aponte para este código. Ele muda a cada poucos segundos; esta página se atualiza sozinha.</figcaption></figure>`
      : ''
  }
</article>`);
    }
    const failed = await failedOutbox(db);
    const canRetry = allowed(u.role, 'outbox:retry') && !!ctx.deps.retryOutbox;
    return ctx.send(
      reply,
      page(
        { title: 'Canais', user: u, active: 'channels', flash: flashFrom(req.query) },
        html`<div class="page-head"><h1>Canais</h1></div>
<section id="channel-status" class="channels" hx-get="/console/channels" hx-select="#channel-status" hx-trigger="every 10s" hx-swap="outerHTML">
  ${cards.length ? cards : html`<p class="empty">Nenhum canal informado.</p>`}
</section>
<section class="card">
  <h2>Mensagens que falharam (${failed.length})</h2>
  ${
    failed.length
      ? html`<table class="responsive">
    <thead><tr><th>#</th><th>Canal</th><th>Destino</th><th>Mensagem</th><th>Tentativas</th><th>Erro</th><th></th></tr></thead>
    <tbody>${failed.map(
      (o) => html`<tr>
      <td data-label="#">${o.id}</td>
      <td data-label="Canal">${label(CHANNEL_LABELS, o.channel)}</td>
      <td data-label="Destino">${o.address}</td>
      <td data-label="Mensagem" class="clip">${multiline(o.text.slice(0, 300))}<br><span class="muted">${fmtDateTime(o.createdAt)}</span></td>
      <td data-label="Tentativas">${o.attempts}</td>
      <td data-label="Erro" class="clip">${o.lastError ?? ''}</td>
      <td>${
        canRetry
          ? html`<form method="post" action="/console/outbox/${o.id}/retry">${csrfField(u)}<button type="submit" class="secondary">Reenviar</button></form>`
          : ''
      }</td>
    </tr>`,
    )}</tbody>
  </table>`
      : html`<p class="empty">Nenhuma mensagem com falha de envio.</p>`
  }
  ${!ctx.deps.retryOutbox ? html`<p class="muted small">O envio não roda neste processo: reenvio indisponível aqui.</p>` : ''}
</section>`,
      ),
    );
  });

  ctx.route('POST /console/outbox/:id/retry', async (req, reply) => {
    const id = Number((req.params as { id?: string }).id);
    if (!Number.isInteger(id) || id <= 0) throw new ClientError(404, 'Mensagem não encontrada.');
    if (!ctx.deps.retryOutbox) throw new ClientError(409, 'O envio de mensagens não roda neste processo.');
    if (!(await ctx.deps.retryOutbox(id)))
      throw new ClientError(409, `A mensagem ${id} não está com falha (já reenviada?).`);
    await ctx.audit(req, { action: 'outbox.retry', target: `outbox:${id}` });
    return reply.redirect('/console/channels?ok=retried', 303);
  });
}
