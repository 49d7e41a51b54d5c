import { randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { users } from '../../../db/schema';
import { hashPassword, verifyPassword } from '../../../services/auth';
import { countFailedLogins } from '../../../services/console/audit';
import { createSession, endSession, endSessionByToken } from '../../../services/console/sessions';
import { flashFrom } from '../flash';
import { type Html, html } from '../html';
import { type ConsoleContext, LOGIN_CSRF_COOKIE, SESSION_COOKIE } from '../index';
import { page } from '../layout';

const loginBody = z.object({
  email: z.string().max(320).default(''),
  password: z.string().max(1000).default(''),
  _csrf: z.string().max(200).default(''),
  next: z.string().max(500).optional(),
});

/** Only a console path of ours (no `//host`, no scheme): no open redirect. */
export function safeNext(next: string | undefined): string {
  if (!next || !/^\/console(\/[^\\]*)?(\?.*)?$/.test(next) || next.startsWith('//')) return '/console';
  if (next.startsWith('/console/login') || next.startsWith('/console/logout') || next.startsWith('/console/static')) {
    return '/console';
  }
  return next;
}

function loginPage(opts: { token: string; next?: string; email?: string; error?: string; notice?: string }): Html {
  return page(
    {
      title: 'Entrar',
      flash: opts.error ? { kind: 'error', text: opts.error } : opts.notice ? { kind: 'ok', text: opts.notice } : null,
    },
    html`<section class="card narrow login">
  <h1>Entrar no console</h1>
  <p class="muted">Assistência Técnica — revisão de solicitações, SAC e encaminhamentos.</p>
  <form method="post" action="/console/login" class="stack">
    <input type="hidden" name="_csrf" value="${opts.token}">
    ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
    <label>E-mail
      <input type="email" name="email" autocomplete="username" required value="${opts.email ?? ''}" autofocus>
    </label>
    <label>Senha
      <input type="password" name="password" autocomplete="current-password" required>
    </label>
    <button type="submit">Entrar</button>
  </form>
</section>`,
  );
}

export function registerLogin(ctx: ConsoleContext) {
  const { db, log } = ctx.deps;
  // Verifying against a real hash when the e-mail is unknown keeps the timing the same (no user enumeration).
  let dummyHash: Promise<string> | undefined;
  const loginCookie = { ...ctx.cookieOptions(3600), path: '/console/login' };

  /** The pre-session CSRF token (double submit: cookie + hidden field). */
  const loginToken = (req: FastifyRequest, reply: FastifyReply): string => {
    const existing = req.cookies[LOGIN_CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{20,100}$/.test(existing)) return existing;
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, token, loginCookie);
    return token;
  };

  ctx.route('GET /console/login', async (req, reply) => {
    const q = req.query as { next?: string };
    if (req.consoleUser) return reply.redirect(safeNext(q.next), 302);
    const flash = flashFrom(req.query);
    return ctx.send(reply, loginPage({ token: loginToken(req, reply), next: q.next, notice: flash?.text }));
  });

  ctx.route('POST /console/login', async (req, reply) => {
    const parsed = loginBody.safeParse(req.body ?? {});
    const body = parsed.success ? parsed.data : { email: '', password: '', _csrf: '', next: undefined };
    const email = body.email.trim().toLowerCase();
    const ip = req.ip;
    const now = ctx.deps.now();
    const again = (status: number, error: string) =>
      ctx.send(reply, loginPage({ token: loginToken(req, reply), next: body.next, email, error }), status);

    // 1. Brakes first: per IP + e-mail in memory, then failures per account (any IP) from the audit log.
    const hit = ctx.limiter.hit(`${ip}|${email}`, now.getTime());
    if (!hit.allowed) {
      if (hit.firstBlock) {
        log.warn({ email, ip }, 'console login rate-limited');
        await ctx.audit(req, {
          action: 'login.blocked',
          actor: email || '(vazio)',
          target: email,
          details: { by: 'ip+email' },
        });
      }
      reply.header('Retry-After', String(hit.retryAfterS));
      return again(429, `Muitas tentativas de login. Aguarde ${hit.retryAfterS} segundos e tente de novo.`);
    }
    const since = new Date(now.getTime() - ctx.deps.limits.accountWindowMs);
    if (email && (await countFailedLogins(db, email, since)) >= ctx.deps.limits.accountFailures) {
      log.warn({ email, ip }, 'console login blocked: too many failures for this account');
      await ctx.audit(req, { action: 'login.blocked', actor: email, target: email, details: { by: 'account' } });
      reply.header('Retry-After', String(Math.ceil(ctx.deps.limits.accountWindowMs / 1000)));
      return again(
        429,
        'Muitas senhas erradas para este usuário. Aguarde alguns minutos ou peça ao gestor para redefinir a senha.',
      );
    }

    // 2. The form came from our login page (login CSRF).
    const cookieToken = req.cookies[LOGIN_CSRF_COOKIE] ?? '';
    const a = Buffer.from(cookieToken);
    const b = Buffer.from(body._csrf);
    if (!cookieToken || a.length !== b.length || !timingSafeEqual(a, b)) {
      log.warn({ email, ip }, 'console login refused: bad or missing CSRF token');
      return again(403, 'O formulário expirou. Tente entrar de novo.');
    }

    // 3. The password.
    const [user] = email ? await db.select().from(users).where(eq(users.email, email)) : [];
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const good = await verifyPassword(body.password, user?.passwordHash ?? (await dummyHash));
    if (!user || !good || user.disabled) {
      const reason = !user ? 'unknown-user' : !good ? 'wrong-password' : 'disabled';
      log.warn({ email, ip, reason }, 'console login failed');
      await ctx.audit(req, {
        action: 'login.failed',
        actor: email || '(vazio)',
        userId: user?.id ?? null,
        role: user?.role ?? null,
        target: email,
        details: { reason },
      });
      return again(401, 'E-mail ou senha incorretos, ou usuário desativado.');
    }

    // 4. A new session (never the one the browser brought: rotation at login).
    const old = req.cookies[SESSION_COOKIE];
    if (old) await endSessionByToken(db, old, 'rotated', now);
    const s = await createSession(db, user.id, { ip, userAgent: req.headers['user-agent'], now });
    reply.setCookie(SESSION_COOKIE, s.token, ctx.cookieOptions(Math.floor(ctx.deps.sessionPolicy.absoluteMs / 1000)));
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/console/login' });
    await ctx.audit(req, { action: 'login.ok', actor: user.email, userId: user.id, role: user.role });
    return reply.redirect(safeNext(body.next), 303);
  });

  ctx.route('POST /console/logout', async (req, reply) => {
    const u = req.consoleUser!;
    await endSession(db, u.sessionId, 'logout', ctx.deps.now());
    await ctx.audit(req, { action: 'logout' });
    reply.clearCookie(SESSION_COOKIE, { path: '/console' });
    return reply.redirect('/console/login?ok=logout', 303);
  });
}
