import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { ConversationEngine, type EngineOptions } from '../../src/conversation/inbound';
import type { LlmAssist } from '../../src/conversation/llm-assist';
import type { Database, DbHandle } from '../../src/db/client';
import { buildApp } from '../../src/http/app';
import type { ConsoleDeps } from '../../src/http/console';
import { importCsv } from '../../src/integrations/import';
import { MediaStore } from '../../src/media';
import { createToken, type Role } from '../../src/services/auth';
import { understandRules } from '../../src/understanding/rules';
import { type DbKind, openTestDb, tempDir } from './db';

export const TODAY = '2026-11-29';
const FIXTURES = path.join(__dirname, '../fixtures/master');

export interface ChatReply {
  text: string;
  options?: string[];
}

/** A running app on a fresh database with the master-data fixtures imported. */
export interface TestApp {
  handle: DbHandle;
  /** `http://127.0.0.1:PORT` of the listening app (for a browser). */
  base: string;
  app: ReturnType<typeof buildApp>;
  engine: ConversationEngine;
  /** The model's help, when the test asked for one (`opts.llm`). */
  llm?: LlmAssist;
  token(role: Role): Promise<string>;
  /** POST a web chat message; returns the replies. */
  say(
    from: string,
    text: string,
    opts?: { photos?: Buffer[]; id?: string; files?: { data: Buffer; filename: string; contentType: string }[] },
  ): Promise<ChatReply[]>;
  api<T = unknown>(
    method: 'GET' | 'POST',
    url: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }>;
  /** Raw HTTP against the listening app. */
  http(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; json: unknown; text: string; headers: Headers }>;
  /** What the web chat shows that sender (GET /api/webchat/messages). */
  inbox(from: string): Promise<ChatReply[]>;
  close(): Promise<void>;
}

/** The engine settings tests and benchmarks run with (the defaults of the configuration). */
export function testEngineOptions(today: () => string): EngineOptions {
  return {
    today,
    defaultWarrantyMonths: 12,
    assistanceDeadlineDays: 9,
    maxAttachmentBytes: 10 * 1024 * 1024,
    maxImagePixels: 50_000_000,
    maxTextChars: 4000,
  };
}

export async function importFixtures(handle: DbHandle, dir = FIXTURES) {
  for (const kind of ['products', 'customers', 'invoices'] as const) {
    await importCsv(handle.db, kind, fs.readFileSync(path.join(dir, `${kind}.csv`)), { defaultWarrantyMonths: 12 });
  }
}

/**
 * Options: `console` overrides the staff console's dependencies (clock, channel status, retry, limits);
 * `llm` builds the model's help on the test database (test/support/llm.ts), else rules only.
 */
export async function startTestApp(
  kind: DbKind,
  opts: { console?: Partial<ConsoleDeps>; llm?: (db: Database) => LlmAssist; trustProxy?: boolean | string } = {},
): Promise<TestApp> {
  const handle = await openTestDb(kind);
  await importFixtures(handle);
  const media = tempDir('posvenda-media-');
  const store = new MediaStore(media.dir);
  const log = pino({ level: 'silent' });
  const llm = opts.llm?.(handle.db);
  const engine = new ConversationEngine(
    handle.db,
    store,
    understandRules,
    testEngineOptions(() => TODAY),
    log,
    undefined,
    llm,
  );
  const app = buildApp({
    db: handle.db,
    engine,
    store,
    log,
    today: () => TODAY,
    defaultWarrantyMonths: 12,
    maxAttachmentBytes: 10 * 1024 * 1024,
    deliver: () => {},
    health: async () => ({ ok: true }),
    trustProxy: opts.trustProxy,
    console: {
      db: handle.db,
      store,
      log,
      today: () => TODAY,
      deliver: () => {},
      assistanceDeadlineDays: 9,
      defaultWarrantyMonths: 12,
      secureCookies: false,
      channelStatus: () => ({ web: { state: 'up' } }),
      ...opts.console,
    },
  });
  // Real sockets (fastify's inject pulls an ESM-only dependency Jest cannot load on Node 20).
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const http: TestApp['http'] = async (method, url, opts = {}) => {
    const res = await fetch(base + url, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  const tokens = new Map<Role, string>();
  let seq = 0;
  return {
    handle,
    base,
    app,
    engine,
    llm,
    async token(role) {
      if (!tokens.has(role)) tokens.set(role, (await createToken(handle.db, role)).token);
      return tokens.get(role)!;
    },
    async say(from, text, opts = {}) {
      const attachments = [
        ...(opts.photos ?? []).map((p, i) => ({
          filename: `foto${i}.jpg`,
          contentType: 'image/jpeg',
          data: p.toString('base64'),
        })),
        ...(opts.files ?? []).map((f) => ({
          filename: f.filename,
          contentType: f.contentType,
          data: f.data.toString('base64'),
        })),
      ];
      const res = await http('POST', '/api/webchat/messages', {
        body: { from, text, id: opts.id ?? `t-${++seq}-${Date.now()}`, attachments },
      });
      if (res.status !== 200) throw new Error(`webchat POST ${res.status}: ${res.text}`);
      return (res.json as { replies: ChatReply[] }).replies;
    },
    async api(method, url, token, body) {
      const res = await http(method, url, { token, body });
      return { status: res.status, json: res.json as never };
    },
    http,
    async inbox(from) {
      const res = await http('GET', `/api/webchat/messages?from=${encodeURIComponent(from)}`);
      return (res.json as { messages: ChatReply[] }).messages;
    },
    async close() {
      await llm?.idle();
      await app.close();
      await handle.close();
      media.cleanup();
    },
  };
}

let photoSeq = 0;
/** A small, real JPEG; each call gives different bytes (so a different sha256). */
export async function photo(): Promise<Buffer> {
  photoSeq++;
  return sharp({
    create: {
      width: 64,
      height: 48,
      channels: 3,
      background: { r: (photoSeq * 37) % 256, g: (photoSeq * 91) % 256, b: 120 },
    },
  })
    .jpeg()
    .toBuffer();
}

/** All reply texts of a turn, joined (for assertions). */
export const said = (replies: ChatReply[]) => replies.map((r) => r.text).join('\n');
