import fs from 'node:fs';
import path from 'node:path';
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MessageHandler } from '../conversation/engine-threads';
import type { Database } from '../db/client';
import { invoiceView } from '../db/invoices-repo';
import { listRequestIds, requestIdByProtocol, requestsJson } from '../db/requests-repo';
import { contacts, customers, messages, outbox } from '../db/schema';
import { normalizeContact } from '../domain/phone';
import { DECISIONS } from '../domain/request-status';
import { decodeBase64Attachment, isSha256Hex, type MediaStore } from '../media';
import { type Actor, actorForToken, can, type PERMISSIONS } from '../services/auth';
import { ClientError } from '../services/errors';
import { answerForward, listForwards } from '../services/forwards';
import { decide } from '../services/review';
import { type ConsoleDeps, registerConsole } from './console';
import { registerKpiApi } from './kpi-routes';

export interface AppDeps {
  db: Database;
  engine: MessageHandler;
  store: MediaStore;
  log: Logger;
  today: () => string;
  defaultWarrantyMonths: number;
  maxAttachmentBytes: number;
  /** Deliver outbox rows after a staff action committed. */
  deliver: (ids: number[]) => void;
  /** Put a failed outbound message back in the queue; false when it was not failed. */
  retryOutbox?: (id: number) => Promise<boolean>;
  /** Extra routes (channel webhooks), mounted by the composition root. */
  extraRoutes?: (app: FastifyInstance) => void;
  health: () => Promise<Record<string, unknown>>;
  /** fastify's `trustProxy` (TRUST_PROXY): the client's address as the trusted proxies report it. */
  trustProxy?: boolean | number | string;
  /** PRO-AST-01 deadlines for the KPIs (default 9 and 15 days). */
  assistanceDeadlineDays?: number;
  productionDeadlineDays?: number;
  /** The staff console (pages under /console); absent = no console. */
  console?: ConsoleDeps;
}

const attachmentSchema = z.object({
  filename: z.string().max(255).optional(),
  contentType: z.string().max(255).optional(),
  data: z.string(),
});
const webchatPostSchema = z.object({
  from: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
  id: z.string().min(1).max(200).optional(),
  text: z.string().max(100_000).optional().default(''),
  attachments: z.array(attachmentSchema).max(20).optional().default([]),
});
const webchatGetSchema = z.object({ from: z.string().min(3).max(320), after: z.string().regex(/^\d+$/).optional() });
const decisionSchema = z.object({ decision: z.enum(DECISIONS), message: z.string().max(5000).optional() });
const answerSchema = z.object({ text: z.string().min(1).max(10_000) });
const requestsQuerySchema = z.object({
  status: z.string().max(200).optional(),
  customer: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});
const forwardsQuerySchema = z.object({
  team: z.enum(['projects', 'training', 'assistance', 'finance']).optional(),
  status: z.enum(['open', 'answered']).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const fields = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new ClientError(400, `invalid request (${fields.join('; ')})`, fields);
  }
  return r.data;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** TRUST_PROXY for fastify: a hop count becomes "trust the nearest N hops" (its types take no number). */
function trustProxyOption(v: AppDeps['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof v === 'number') return (_address, hop) => hop < v;
  return v ?? false;
}

/** The HTTP surface: web chat channel, staff JSON API, health, media, chat page. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    trustProxy: trustProxyOption(deps.trustProxy),
    // 10 attachments of 10 MB in base64 plus text.
    bodyLimit: Math.ceil(deps.maxAttachmentBytes * 10 * 1.4) + 1_000_000,
    // Per-request lines would drown the log; errors and decisions are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof ClientError) return reply.code(err.status).send({ error: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const msg =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'request body too large'
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported content type (send JSON)'
            : err.message;
      return reply.code(err.statusCode).send({ error: msg });
    }
    req.log.error({ err, url: req.url }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  const auth =
    (action: keyof typeof PERMISSIONS) =>
    async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const actor = m?.[1] ? await actorForToken(deps.db, m[1]) : null;
      if (!actor) throw new ClientError(401, 'missing or invalid token');
      if (!can(actor.role, action)) {
        req.log.warn({ actor: actor.name, role: actor.role, url: req.url }, 'access denied');
        throw new ClientError(403, `role ${actor.role} may not do this`);
      }
      req.actor = actor;
    };

  // ------------------------------------------------------------ public
  app.get('/', (_req, reply) => reply.redirect('/chat'));
  app.get('/healthz', async (_req, reply) => {
    const h = await deps.health();
    return reply.code(h.ok ? 200 : 503).send(h);
  });
  const chatPage = fs.readFileSync(path.join(__dirname, 'chat.html'), 'utf8');
  app.get('/chat', (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
      )
      .send(chatPage),
  );

  // ------------------------------------------------------------ web chat (CONTRACT §3)
  app.post('/api/webchat/messages', async (req) => {
    const body = parse(webchatPostSchema, req.body);
    const address = normalizeContact(body.from);
    if (!address) throw new ClientError(400, '"from" must be a phone number or an e-mail address');
    const attachments: { bytes: Buffer; filename?: string; contentType?: string }[] = [];
    let tooLarge = 0;
    let notImage = 0;
    for (const a of body.attachments) {
      const d = decodeBase64Attachment(a.data, deps.maxAttachmentBytes);
      if (d.ok) attachments.push({ bytes: d.bytes, filename: a.filename, contentType: a.contentType });
      else if (d.reason === 'too_large') tooLarge++;
      else notImage++;
    }
    const res = await deps.engine.handle({
      channel: 'web',
      address,
      externalId: body.id ?? `auto-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      text: body.text,
      displayName: body.name,
      attachments,
      refused: { tooLarge, notImage },
    });
    return { conversationId: res.conversationId, replies: res.replies };
  });

  app.get('/api/webchat/messages', async (req) => {
    const q = parse(webchatGetSchema, req.query);
    const address = normalizeContact(q.from);
    if (!address) throw new ClientError(400, '"from" must be a phone number or an e-mail address');
    const rows = await deps.db
      .select({ id: messages.id, text: messages.text, options: messages.options, createdAt: messages.createdAt })
      .from(messages)
      .where(
        and(
          eq(messages.channel, 'web'),
          eq(messages.address, address),
          eq(messages.direction, 'out'),
          q.after ? gt(messages.id, Number(q.after)) : undefined,
        ),
      )
      .orderBy(asc(messages.id))
      .limit(1000);
    const list = rows.map((r) => ({
      id: String(r.id),
      text: r.text,
      ...(r.options?.length ? { options: r.options } : {}),
      createdAt: r.createdAt.toISOString(),
    }));
    return { messages: list, cursor: list.length ? list[list.length - 1]!.id : (q.after ?? '0') };
  });

  // ------------------------------------------------------------ staff API (CONTRACT §4)
  app.get('/api/requests', { preHandler: auth('read') }, async (req) => {
    const q = parse(requestsQuerySchema, req.query);
    const ids = await listRequestIds(deps.db, { status: q.status, customerCode: q.customer, q: q.q });
    return { items: await requestsJson(deps.db, ids, deps.today()) };
  });

  app.get('/api/requests/:protocol', { preHandler: auth('read') }, async (req) => {
    const { protocol } = parse(z.object({ protocol: z.string().max(40) }), req.params);
    const id = await requestIdByProtocol(deps.db, protocol);
    const [json] = id ? await requestsJson(deps.db, [id], deps.today()) : [];
    if (!json) throw new ClientError(404, `request ${protocol} not found`);
    return json;
  });

  app.post('/api/requests/:protocol/decision', { preHandler: auth('decide') }, async (req) => {
    const { protocol } = parse(z.object({ protocol: z.string().max(40) }), req.params);
    const body = parse(decisionSchema, req.body);
    const res = await decide(deps.db, protocol, body.decision, body.message, req.actor!.name);
    deps.deliver(res.outboxIds);
    const id = await requestIdByProtocol(deps.db, protocol);
    const [json] = await requestsJson(deps.db, [id!], deps.today());
    return json;
  });

  app.get('/api/forwards', { preHandler: auth('read') }, async (req) => {
    const q = parse(forwardsQuerySchema, req.query);
    return { items: await listForwards(deps.db, q) };
  });

  app.post('/api/forwards/:id/answer', { preHandler: auth('answerForward') }, async (req) => {
    const { id } = parse(z.object({ id: z.coerce.number().int().positive() }), req.params);
    const body = parse(answerSchema, req.body);
    const ids = await answerForward(deps.db, id, body.text, req.actor!.name);
    deps.deliver(ids);
    return { ok: true };
  });

  app.get('/api/customers/:code', { preHandler: auth('read') }, async (req) => {
    const { code } = parse(z.object({ code: z.string().max(60) }), req.params);
    const [c] = await deps.db.select().from(customers).where(eq(customers.code, code));
    if (!c) throw new ClientError(404, `customer ${code} not found`);
    const cs = await deps.db.select().from(contacts).where(eq(contacts.customerId, c.id)).orderBy(asc(contacts.id));
    return {
      code: c.code,
      name: c.name,
      cnpj: c.cnpj,
      contacts: cs.map((x) => ({ value: x.value, kind: x.kind, source: x.source })),
    };
  });

  app.get('/api/invoices/:number', { preHandler: auth('read') }, async (req) => {
    const { number } = parse(z.object({ number: z.string().max(30) }), req.params);
    const inv = await invoiceView(deps.db, number, deps.defaultWarrantyMonths);
    if (!inv) throw new ClientError(404, `invoice ${number} not found`);
    const today = deps.today();
    return {
      number: inv.number,
      issueDate: inv.issueDate,
      orderNumber: inv.orderNumber,
      customer: { code: inv.customer.code, name: inv.customer.name },
      items: inv.items.map((i) => ({
        productCode: i.code,
        description: i.description,
        mask: i.mask,
        quantity: i.quantity,
        weightKg: i.weightKg,
        warrantyMonths: i.warrantyMonths,
        warrantyUntil: i.warrantyUntil,
        inWarranty: today <= i.warrantyUntil,
      })),
    };
  });

  // ------------------------------------------------------------ outbound delivery
  app.get('/api/outbox', { preHandler: auth('read') }, async (req) => {
    const q = parse(
      z.object({ status: z.enum(['pending', 'sent', 'failed']).optional().default('failed') }),
      req.query,
    );
    const rows = await deps.db
      .select({ o: outbox, text: messages.text })
      .from(outbox)
      .innerJoin(messages, eq(messages.id, outbox.messageId))
      .where(eq(outbox.status, q.status))
      .orderBy(desc(outbox.id))
      .limit(500);
    return {
      items: rows.map(({ o, text }) => ({
        id: o.id,
        channel: o.channel,
        address: o.address,
        status: o.status,
        attempts: o.attempts,
        lastError: o.lastError,
        text,
        createdAt: o.createdAt.toISOString(),
        sentAt: o.sentAt?.toISOString() ?? null,
      })),
    };
  });

  app.post('/api/outbox/:id/retry', { preHandler: auth('decide') }, async (req) => {
    const { id } = parse(z.object({ id: z.coerce.number().int().positive() }), req.params);
    if (!deps.retryOutbox) throw new ClientError(409, 'no delivery runs in this process');
    if (!(await deps.retryOutbox(id))) throw new ClientError(409, `outbox ${id} is not failed`);
    return { ok: true };
  });

  registerKpiApi(
    app,
    {
      db: deps.db,
      today: deps.today,
      assistanceDeadlineDays: deps.assistanceDeadlineDays ?? 9,
      productionDeadlineDays: deps.productionDeadlineDays ?? 15,
    },
    auth('kpis'),
  );

  deps.extraRoutes?.(app);
  if (deps.console) registerConsole(app, deps.console);

  // ------------------------------------------------------------ media (private)
  app.get('/media/:sha', { preHandler: auth('read') }, async (req, reply) => {
    const { sha } = parse(z.object({ sha: z.string().max(80) }), req.params);
    const { variant } = parse(z.object({ variant: z.enum(['original', 'thumb']).optional() }), req.query);
    if (!isSha256Hex(sha)) throw new ClientError(404, 'not found');
    const bytes = await deps.store.read(sha, variant ?? 'original');
    if (!bytes) throw new ClientError(404, 'not found');
    const type = variant === 'thumb' ? 'image/jpeg' : sniffType(bytes);
    return reply
      .type(type)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', `inline; filename="${sha.slice(0, 12)}.${type.split('/')[1]}"`)
      .header('Cache-Control', 'private, max-age=3600')
      .send(bytes);
  });

  return app;
}

/** Content type from the bytes themselves (never from what the sender claimed). */
function sniffType(b: Buffer): string {
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50) return 'image/png';
  if (b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.subarray(4, 12).toString('latin1').startsWith('ftyp')) return 'image/avif';
  return 'application/octet-stream';
}
