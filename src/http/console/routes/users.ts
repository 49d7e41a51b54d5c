import type { FastifyRequest } from 'fastify';
import { ROLES, roleSchema } from '../../../services/auth';
import { ROLE_LABELS } from '../../../services/console/permissions';
import type { ConsoleUser } from '../../../services/console/sessions';
import { createConsoleUser, disableUser, enableUser, listUsers, resetPassword } from '../../../services/console/users';
import { ClientError } from '../../../services/errors';
import { flashFrom } from '../flash';
import { formString } from '../form-values';
import { type Html, html } from '../html';
import type { ConsoleContext } from '../index';
import { fmtDateTime } from '../labels';
import { csrfField, page, pill } from '../layout';

function usersView(
  u: ConsoleUser,
  list: Awaited<ReturnType<typeof listUsers>>,
  opts: { flash?: ReturnType<typeof flashFrom>; secret?: { email: string; password: string; created: boolean } },
): Html {
  return page(
    { title: 'Usuários', user: u, active: 'users', flash: opts.flash },
    html`<div class="page-head"><h1>Usuários do console</h1></div>
${
  opts.secret
    ? html`<section class="card secret" role="status">
  <h2>${opts.secret.created ? 'Usuário criado' : 'Senha redefinida'}: ${opts.secret.email}</h2>
  <p>Senha: <code class="password">${opts.secret.password}</code></p>
  <p class="muted">Ela aparece só agora: copie e entregue à pessoa por um canal seguro.</p>
</section>`
    : ''
}
<section class="card">
  <table class="responsive">
    <thead><tr><th>Nome</th><th>E-mail</th><th>Perfil</th><th>Situação</th><th>Sessões abertas</th><th>Criado em</th><th>Ações</th></tr></thead>
    <tbody>${list.map(
      (x) => html`<tr>
      <td data-label="Nome">${x.name}</td>
      <td data-label="E-mail">${x.email}</td>
      <td data-label="Perfil">${ROLE_LABELS[x.role as 'manager'] ?? x.role}</td>
      <td data-label="Situação">${x.disabled ? pill('warn', 'desativado') : pill('ok', 'ativo')}</td>
      <td data-label="Sessões abertas">${x.openSessions}</td>
      <td data-label="Criado em">${fmtDateTime(x.createdAt)}</td>
      <td class="actions">${
        x.id === u.id
          ? html`<span class="muted">você</span>`
          : html`${
              x.disabled
                ? html`<form method="post" action="/console/users/${x.id}/enable" class="inline">${csrfField(u)}<button type="submit" class="secondary">Reativar</button></form>`
                : html`<form method="post" action="/console/users/${x.id}/disable" class="inline" data-confirm="Desativar ${x.name}? As sessões abertas terminam agora.">${csrfField(u)}<button type="submit" class="warn">Desativar</button></form>`
            }
        <form method="post" action="/console/users/${x.id}/password" class="inline" data-confirm="Gerar uma nova senha para ${x.name}? A senha atual deixa de valer.">${csrfField(u)}<button type="submit" class="secondary">Nova senha</button></form>`
      }</td>
    </tr>`,
    )}</tbody>
  </table>
</section>
<section class="card">
  <h2>Novo usuário</h2>
  <form method="post" action="/console/users" class="stack narrow-form">
    ${csrfField(u)}
    <label>Nome <input type="text" name="name" required maxlength="120"></label>
    <label>E-mail <input type="email" name="email" required maxlength="200"></label>
    <label>Perfil
      <select name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select>
    </label>
    <label>Senha (em branco: gerar uma)
      <input type="password" name="password" minlength="8" maxlength="200" autocomplete="new-password">
    </label>
    <button type="submit">Criar usuário</button>
  </form>
</section>`,
  );
}

function userId(req: FastifyRequest): number {
  const id = Number((req.params as { id?: string }).id);
  if (!Number.isInteger(id) || id <= 0) throw new ClientError(404, 'Usuário não encontrado.');
  return id;
}

export function registerUsers(ctx: ConsoleContext) {
  const { db } = ctx.deps;
  const noStore = { 'Cache-Control': 'no-store' };

  ctx.route('GET /console/users', async (req, reply) =>
    ctx.send(reply, usersView(req.consoleUser!, await listUsers(db), { flash: flashFrom(req.query) })),
  );

  ctx.route('POST /console/users', async (req, reply) => {
    const u = req.consoleUser!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const role = roleSchema.safeParse(formString(body.role));
    if (!role.success) throw new ClientError(400, 'Escolha um perfil válido.');
    const password = formString(body.password);
    const created = await createConsoleUser(db, {
      email: formString(body.email),
      name: formString(body.name),
      role: role.data,
      password: password || undefined,
    });
    const email = formString(body.email).trim().toLowerCase();
    await ctx.audit(req, { action: 'user.create', target: `user:${created.id}`, details: { email, role: role.data } });
    reply.headers(noStore);
    return ctx.send(
      reply,
      usersView(u, await listUsers(db), {
        secret: created.generated ? { email, password: created.password, created: true } : undefined,
        flash: created.generated ? null : { kind: 'ok', text: `Usuário ${email} criado.` },
      }),
    );
  });

  ctx.route('POST /console/users/:id/disable', async (req, reply) => {
    const u = req.consoleUser!;
    const id = userId(req);
    if (id === u.id) throw new ClientError(400, 'Você não pode desativar o seu próprio usuário.');
    const res = await disableUser(db, id, ctx.deps.now());
    await ctx.audit(req, {
      action: 'user.disable',
      target: `user:${id}`,
      details: { email: res.user.email, sessionsEnded: res.ended },
    });
    return reply.redirect('/console/users?ok=disabled', 303);
  });

  ctx.route('POST /console/users/:id/enable', async (req, reply) => {
    const id = userId(req);
    const res = await enableUser(db, id, ctx.deps.now());
    await ctx.audit(req, { action: 'user.enable', target: `user:${id}`, details: { email: res.user.email } });
    return reply.redirect('/console/users?ok=enabled', 303);
  });

  ctx.route('POST /console/users/:id/password', async (req, reply) => {
    const u = req.consoleUser!;
    const id = userId(req);
    if (id === u.id) throw new ClientError(400, 'Para trocar a sua própria senha, peça a outro gestor.');
    const res = await resetPassword(db, id, ctx.deps.now());
    await ctx.audit(req, { action: 'user.password', target: `user:${id}`, details: { email: res.user.email } });
    reply.headers(noStore);
    return ctx.send(
      reply,
      usersView(u, await listUsers(db), { secret: { email: res.user.email, password: res.password, created: false } }),
    );
  });
}
