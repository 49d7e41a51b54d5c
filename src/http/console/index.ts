import { timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { loadLayout } from '../../integrations/erp/focco-export';
import type { MediaStore } from '../../media';
import { type AuditEntry, audit } from '../../services/console/audit';
import { LoginLimiter } from '../../services/console/login-limiter';
import {
  allowed,
  type Capability,
  CONSOLE_ROUTES,
  type ConsoleRoute,
  type Method,
} from '../../services/console/permissions';
import {
  type ConsoleUser,
  DEFAULT_SESSION_POLICY,
  lookupSession,
  type SessionPolicy,
} from '../../services/console/sessions';
import type { ErpSettings } from '../../services/erp';
import { ClientError } from '../../services/errors';
import { type Html, html } from './html';
import { flashBox, page } from './layout';
import { registerAudit } from './routes/audit';
import { registerChannels } from './routes/channels';
import { registerErp } from './routes/erp';
import { registerForwards } from './routes/forwards';
import { registerKpis } from './routes/kpis';
import { registerLlm } from './routes/llm';
import { registerLogin } from './routes/login';
import { registerMedia } from './routes/media';
import { registerQueue } from './routes/queue';
import { registerReleases } from './routes/releases';
import { registerRequest } from './routes/request';
import { registerRequestCost } from './routes/request-cost';
import { registerSac } from './routes/sac';
import { registerStatic } from './routes/static';
import { registerUsers } from './routes/users';

/** What the staff console needs from the composition root. */
export interface ConsoleDeps {
  db: Database;
  store: MediaStore;
  log: Logger;
  /** Today, `YYYY-MM-DD` (request ages, warranty). */
  today(): string;
  /** Deliver outbox rows after a console action committed (decisions, answers). */
  deliver(ids: number[]): void;
  /** PRO-AST-01: "Prazo de Assistência de 9 dias". */
  assistanceDeadlineDays: number;
  /** PRO-AST-01: "Prazo de Produção de 15 dias" (KPIs); default 15. */
  productionDeadlineDays?: number;
  /** Add `Secure` to the session cookie (true behind HTTPS). */
  secureCookies: boolean;
  /** Each channel's state; `qr` while WhatsApp waits to be paired. */
  channelStatus(): Record<string, { state: string; detail?: string; qr?: string }>;
  /** Put a failed outbound message back in the delivery queue; false when it was not failed. */
  retryOutbox?(id: number): Promise<boolean>;
  /** Warranty months of products without their own (DEFAULT_WARRANTY_MONTHS); default 12. */
  defaultWarrantyMonths?: number;
  /** Largest photo SAC may upload (MAX_ATTACHMENT_MB); default 10 MB. */
  maxAttachmentBytes?: number;
  /** Largest photo in pixels (MAX_IMAGE_MEGAPIXELS); default 50 M. */
  maxImagePixels?: number;
  /** Session timeouts; default 2 h idle, 12 h absolute. */
  session?: Partial<SessionPolicy>;
  /** Login brakes; default 5 tries a minute per IP + e-mail, 20 failures per account in 15 minutes. */
  loginLimits?: { perMinute?: number; accountFailures?: number; accountWindowMs?: number };
  /** The clock (tests move it to check timeouts). */
  now?: () => Date;
  /** FOCCO layout and the company's state; default: the built-in layout, RS. */
  erp?: ErpSettings;
  /** The day's release cap in kg (DAILY_WEIGHT_CAP_KG); default 400. */
  dailyCapKg?: number;
}

/** ConsoleDeps with every default filled in. */
export interface ResolvedConsoleDeps extends ConsoleDeps {
  defaultWarrantyMonths: number;
  maxAttachmentBytes: number;
  maxImagePixels: number;
  erp: ErpSettings;
  dailyCapKg: number;
  sessionPolicy: SessionPolicy;
  limits: { perMinute: number; accountFailures: number; accountWindowMs: number };
  now: () => Date;
}

export const SESSION_COOKIE = 'pv_session';
export const LOGIN_CSRF_COOKIE = 'pv_login';

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
  }
}

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** What each feature module gets to register its routes and render pages. */
export interface ConsoleContext {
  deps: ResolvedConsoleDeps;
  limiter: LoginLimiter;
  /** Register a route of the permission table; POSTs are CSRF-checked unless `multipart` (checked by the handler). */
  route(key: ConsoleRoute, handler: Handler, opts?: { multipart?: boolean }): void;
  /** Send a full page (or `fragment` alone to an htmx request, when given). */
  send(reply: FastifyReply, doc: Html, status?: number): FastifyReply;
  audit(req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'> & { actor?: string }): Promise<void>;
  /** The `by` written in request events and outbound messages for this user. */
  by(u: ConsoleUser): string;
  /** Compare a submitted CSRF token with the session's. */
  csrfOk(req: FastifyRequest, u: ConsoleUser, submitted?: unknown): boolean;
  /** Refuse a form without a valid token (403, logged and audited). */
  refuseCsrf(req: FastifyRequest, reply: FastifyReply, u: ConsoleUser): Promise<FastifyReply>;
  cookieOptions(maxAgeS?: number): {
    path: string;
    httpOnly: true;
    sameSite: 'lax';
    secure: boolean;
    maxAge?: number;
  };
}

/** Security headers on every console page. */
export const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
} as const;

export function isHtmx(req: FastifyRequest): boolean {
  return req.headers['hx-request'] === 'true';
}

/**
 * Mount the staff console under `/console`: server-rendered pages (pt-BR), sessions in the
 * database, CSRF token per session, login brakes, route × role table from
 * `services/console/permissions.ts`, audit log. Everything lives in its own fastify scope
 * (form and multipart parsers, cookies, HTML error pages), so the JSON API is untouched.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const resolved: ResolvedConsoleDeps = {
    ...deps,
    defaultWarrantyMonths: deps.defaultWarrantyMonths ?? 12,
    maxAttachmentBytes: deps.maxAttachmentBytes ?? 10 * 1024 * 1024,
    maxImagePixels: deps.maxImagePixels ?? 50_000_000,
    erp: deps.erp ?? { layout: loadLayout(), companyUf: 'RS' },
    dailyCapKg: deps.dailyCapKg ?? 400,
    sessionPolicy: { ...DEFAULT_SESSION_POLICY, ...deps.session },
    limits: {
      perMinute: deps.loginLimits?.perMinute ?? 5,
      accountFailures: deps.loginLimits?.accountFailures ?? 20,
      accountWindowMs: deps.loginLimits?.accountWindowMs ?? 15 * 60_000,
    },
    now: deps.now ?? (() => new Date()),
  };
  app.register(
    async (scope) => {
      await consoleScope(scope, resolved);
    },
    { prefix: '/console' },
  );
}

async function consoleScope(scope: FastifyInstance, deps: ResolvedConsoleDeps): Promise<void> {
  await scope.register(fastifyCookie);
  await scope.register(fastifyFormbody, { bodyLimit: 1_000_000 });
  await scope.register(fastifyMultipart, {
    limits: {
      fileSize: deps.maxAttachmentBytes,
      files: 10,
      fields: 300,
      parts: 320,
      fieldSize: 100_000,
    },
  });
  const { db, log } = deps;
  const limiter = new LoginLimiter(deps.limits.perMinute, 60_000);

  // Who is calling: the session behind the cookie (ended on the spot when idle, expired or disabled).
  scope.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/console/static/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const found = await lookupSession(db, token, deps.sessionPolicy, deps.now());
    if (found.ok) req.consoleUser = found.user;
    else {
      if (found.reason !== 'none' && found.reason !== 'ended') {
        log.info({ reason: found.reason, ip: req.ip }, 'console session ended');
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/console' });
    }
  });

  const ctx: ConsoleContext = {
    deps,
    limiter,
    route: () => {},
    send(reply, doc, status = 200) {
      return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(String(doc));
    },
    async audit(req, e) {
      const u = req.consoleUser;
      await audit(db, {
        ...e,
        at: deps.now(),
        actor: e.actor ?? u?.email ?? 'anônimo',
        userId: e.userId ?? u?.id ?? null,
        role: e.role ?? u?.role ?? null,
        ip: req.ip,
      });
    },
    by: (u) => `user:${u.email}`,
    csrfOk(req, u, submitted) {
      const header = req.headers['x-csrf-token'];
      const body = req.body as Record<string, unknown> | undefined;
      const candidate =
        typeof submitted === 'string'
          ? submitted
          : typeof header === 'string'
            ? header
            : typeof body?._csrf === 'string'
              ? body._csrf
              : '';
      const a = Buffer.from(candidate);
      const b = Buffer.from(u.csrfToken);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    async refuseCsrf(req, reply, u) {
      log.warn({ user: u.email, url: req.url, ip: req.ip }, 'console form refused: bad or missing CSRF token');
      await ctx.audit(req, { action: 'csrf.refused', target: `${req.method} ${req.url}`.slice(0, 300) });
      return ctx.send(
        reply,
        messagePage(
          u,
          'Formulário recusado',
          'O formulário expirou ou não veio desta página. Recarregue a página e tente de novo.',
        ),
        403,
      );
    },
    cookieOptions(maxAgeS) {
      return {
        path: '/console',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        ...(maxAgeS ? { maxAge: maxAgeS } : {}),
      };
    },
  };

  const registered = new Set<ConsoleRoute>();
  ctx.route = (key, handler, opts = {}) => {
    const [method, path] = key.split(' ') as [Method, string];
    const cap = CONSOLE_ROUTES[key] as Capability | 'public';
    const url = path.slice('/console'.length) || '/';
    registered.add(key);
    scope.route({
      method,
      url,
      preHandler: cap === 'public' ? undefined : guard(ctx, cap, method === 'POST' && !opts.multipart),
      handler,
    });
  };

  scope.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status =
      err instanceof ClientError
        ? err.status
        : err.statusCode && err.statusCode >= 400 && err.statusCode < 500
          ? err.statusCode
          : 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'console request failed');
    const message =
      err instanceof ClientError
        ? err.message
        : status === 413
          ? 'Arquivo ou formulário grande demais.'
          : status < 500
            ? 'Não foi possível ler o formulário enviado.'
            : 'Erro interno. Tente de novo; se continuar, avise o suporte.';
    if (req.url.startsWith('/console/media/')) {
      return reply.code(status).headers(PAGE_HEADERS).type('text/plain; charset=utf-8').send(message);
    }
    if (isHtmx(req)) return ctx.send(reply, flashBox({ kind: 'error', text: message }), status);
    return ctx.send(
      reply,
      messagePage(req.consoleUser, 'Não foi possível concluir', message, backLink(req.url)),
      status,
    );
  });
  scope.setNotFoundHandler(async (req, reply) =>
    ctx.send(reply, messagePage(req.consoleUser, 'Página não encontrada', 'Esta página não existe.'), 404),
  );

  registerStatic(ctx);
  registerLogin(ctx);
  registerQueue(ctx);
  registerRequest(ctx);
  registerSac(ctx);
  registerForwards(ctx);
  registerChannels(ctx);
  registerErp(ctx);
  registerReleases(ctx);
  registerUsers(ctx);
  registerAudit(ctx);
  registerLlm(ctx);
  registerMedia(ctx);
  registerKpis(ctx);
  registerRequestCost(ctx);

  const missing = (Object.keys(CONSOLE_ROUTES) as ConsoleRoute[]).filter((k) => !registered.has(k));
  if (missing.length)
    throw new Error(`console routes in the permission table without a handler: ${missing.join(', ')}`);
}

/** Session, role and (for form posts) CSRF checks before a handler runs. */
function guard(ctx: ConsoleContext, cap: Capability, checkCsrf: boolean) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const u = req.consoleUser;
    if (!u) {
      if (cap === 'media:read') {
        return reply
          .code(401)
          .headers(PAGE_HEADERS)
          .type('text/plain; charset=utf-8')
          .send('É preciso entrar no console.');
      }
      if (isHtmx(req)) return reply.code(401).header('HX-Redirect', '/console/login').send('');
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
      return reply.redirect(`/console/login${next}`, 302);
    }
    if (!allowed(u.role, cap)) return deny(ctx, req, reply, u);
    if (checkCsrf && !ctx.csrfOk(req, u)) return ctx.refuseCsrf(req, reply, u);
  };
}

/** 403 page, logged and audited. */
export async function deny(ctx: ConsoleContext, req: FastifyRequest, reply: FastifyReply, u: ConsoleUser) {
  ctx.deps.log.warn({ user: u.email, role: u.role, url: req.url, ip: req.ip }, 'console access denied');
  await ctx.audit(req, { action: 'access.denied', target: `${req.method} ${req.url}`.slice(0, 300) });
  if (req.url.startsWith('/console/media/')) {
    return reply.code(403).headers(PAGE_HEADERS).type('text/plain; charset=utf-8').send('Acesso negado.');
  }
  return ctx.send(reply, messagePage(u, 'Acesso negado', 'Seu perfil não tem acesso a esta página ou ação.'), 403);
}

/** Where "Voltar" goes from a failed form post. */
export function backLink(url: string): string {
  const path = url.split('?')[0] ?? '/console';
  const req = /^\/console\/requests\/(AT-\d{1,12})/i.exec(path);
  if (req) return `/console/requests/${req[1]!.toUpperCase()}`;
  for (const base of ['/console/users', '/console/forwards', '/console/channels', '/console/audit', '/console/llm']) {
    if (path.startsWith(base)) return base;
  }
  if (path.startsWith('/console/outbox')) return '/console/channels';
  if (path.startsWith('/console/sac/forward')) return '/console/sac/forward';
  if (path.startsWith('/console/sac')) return '/console/sac/new';
  return '/console';
}

/** A page with one message (errors, denials). */
export function messagePage(u: ConsoleUser | undefined, title: string, text: string, back = '/console'): Html {
  return page(
    { title, user: u },
    html`<section class="card narrow">
  <h1>${title}</h1>
  <p>${text}</p>
  <p><a class="button secondary" href="${u ? back : '/console/login'}">${u ? 'Voltar' : 'Entrar'}</a></p>
</section>`,
  );
}
