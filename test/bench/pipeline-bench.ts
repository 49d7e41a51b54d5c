import fs from 'node:fs';
import inspector from 'node:inspector';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import postgres from 'postgres';
import sharp from 'sharp';
import { parseConfig } from '../../src/config';
import { EngineThreads } from '../../src/conversation/engine-threads';
import { ConversationEngine } from '../../src/conversation/inbound';
import { type DbHandle, transaction } from '../../src/db/client';
import { formatCnpj } from '../../src/domain/cnpj';
import { buildApp } from '../../src/http/app';
import { importCsv } from '../../src/integrations/import';
import { MediaStore } from '../../src/media';
import { understandRules } from '../../src/understanding/rules';
import { testEngineOptions } from '../support/app';

export interface PipelineBenchResult {
  label: string;
  /** Engine threads (ENGINE_THREADS) serving the messages; 0 = the server's main thread. */
  engineThreads: number;
  /** `new`: every report's photo has new bytes and is stored; `repeat`: the same photo each time, stored once. */
  photos: 'new' | 'repeat';
  conversations: number;
  messages: number;
  seconds: number;
  messagesPerSec: number;
  p50ms: number;
  p99ms: number;
  /** Phase 2: messages/s offered at 30% of the raw rate, and the latency seen at that load. */
  pacedRatePerSec: number;
  pacedP50ms: number;
  pacedP99ms: number;
  /** Phase 2's p99 per kind of message: the report with a new photo, "sim" (request created), status, greeting. */
  pacedP99msByStep: { report: number; yes: number; status: number; greeting: number };
  /**
   * Phase 3: every conversation sends one message a second (N messages/s; a person on WhatsApp writes far less
   * often), the latency a customer sees when 50 conversations are open at once.
   */
  oneASecondP50ms: number;
  oneASecondP99ms: number;
  /** Share of phase 2's time the server's event loop was busy (1 = saturated: latency is then queueing). */
  pacedEventLoopBusy: number;
  /** Mean of the two raw measurements (before and after phase 1): the limit the ratio and phase 2 use. */
  rawInsertsPerSec: number;
  /** The two raw measurements; far apart means the machine's load changed during the run. */
  rawBeforeAfter: [number, number];
  ratioToRaw: number;
  /** The same insert without BEGIN/COMMIT (one round trip), and the messages/s as a share of it. */
  rawAutocommitPerSec: number;
  ratioToAutocommit: number;
  /** CPU of this process (server and bench client) per message in phase 1: steadier than rates on a busy machine. */
  cpuMsPerMessage: number;
  /** {@link cpuMsPerMessage} by thread (Linux only): server event loop, bench client, libvips, the rest. */
  cpuMsPerMessageByThread: { server: number; client: number; vips: number; other: number } | null;
  /** CPU of the PostgreSQL backends per message in phase 1 (null on PGlite, whose CPU is in the line above, or a remote server). */
  pgCpuMsPerMessage: number | null;
  heapMbStart: number;
  heapMbEnd: number;
  rssMbEnd: number;
  requestsCreated: number;
}

/** A valid CNPJ from a 12-digit base (check digits computed). */
function cnpjFor(n: number): string {
  const base = `${String(10_000_000 + n).padStart(8, '0')}0001`;
  const dv = (b: string) => {
    let sum = 0;
    let w = 2;
    for (let i = b.length - 1; i >= 0; i--) {
      sum += Number(b[i]) * w;
      w = w === 9 ? 2 : w + 1;
    }
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const d1 = dv(base);
  const d2 = dv(base + d1);
  return formatCnpj(`${base}${d1}${d2}`);
}

/**
 * With BENCH_PROFILE=<dir>, a CPU profile of the server's thread over one phase (`<dir>/<name>.cpuprofile`, open
 * it in Chrome's DevTools): `--cpu-prof` would mix in the import and the raw-rate loops.
 */
async function startProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return async () => {};
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** p99 per script step (see pipeline-client.mjs) from a phase's trace. */
function p99ByStep(trace: [number, number, number][]): PipelineBenchResult['pacedP99msByStep'] {
  const of = (step: number) => {
    const l = trace.filter((t) => t[1] === step).map((t) => t[2]);
    l.sort((a, b) => a - b);
    return Number(pct(l, 99).toFixed(1));
  };
  return { report: of(0), yes: of(1), status: of(2), greeting: of(3) };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * The database's own limit: a single-row insert + commit, one at a time, for ~2 s, as the driver does it by
 * itself. On PostgreSQL that is postgres.js's standard `sql.begin()` on its own connection (BEGIN, INSERT,
 * COMMIT: three round trips, our transaction runner not involved, as in every earlier run of this bench); on
 * PGlite drizzle's transaction. `autocommit` is the same insert without BEGIN/COMMIT (one round trip): reported
 * beside it, because it is the other fair reading of "insert + commit".
 */
async function rawInsertRate(h: DbHandle): Promise<{ tx: number; autocommit: number }> {
  await h.db.execute(sql`create table if not exists bench_raw (id serial primary key, v text)`);
  const url = (h as { url?: string }).url;
  const client = h.kind === 'postgres' && url ? postgres(url, { max: 1, onnotice: () => {} }) : undefined;
  const rate = async (insert: () => Promise<unknown>) => {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 2000) {
      await insert();
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  try {
    const tx = await rate(() =>
      client
        ? client.begin((c) => c`insert into bench_raw (v) values ('x')`)
        : h.db.transaction((t) => t.execute(sql`insert into bench_raw (v) values ('x')`)),
    );
    const autocommit = await rate(() =>
      client
        ? client`insert into bench_raw (v) values ('x')`
        : h.db.execute(sql`insert into bench_raw (v) values ('x')`),
    );
    return { tx, autocommit };
  } finally {
    await client?.end({ timeout: 5 });
  }
}

/**
 * CPU used so far by each PostgreSQL backend serving this database, by pid (ms), read from /proc: only when
 * the server runs on this machine (else empty). Lets the bench report the database's CPU per message.
 */
async function pgBackendCpu(h: DbHandle): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (h.kind !== 'postgres') return out;
  const res = await h.db.execute(sql`select pid from pg_stat_activity where datname = current_database()`);
  const rows = Array.isArray(res) ? res : (res as { rows: { pid: number }[] }).rows;
  for (const r of rows as { pid: number }[]) {
    try {
      // Fields after the command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per second).
      const stat = fs.readFileSync(`/proc/${r.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(r.pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    } catch {
      return new Map();
    }
  }
  return out;
}

/** CPU used so far by each thread of this process (ms) with its name, from /proc (empty elsewhere). */
function threadCpu(): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { name, ms: ((Number(f[11]) + Number(f[12])) * 1000) / 100 });
    }
  } catch {
    return new Map();
  }
  return out;
}

/**
 * Phase CPU (ms) split by thread: the server's event loop (the main thread), the bench client, libvips' own
 * threads, and the rest (libuv's file/decode pool, V8's GC helpers, engine threads when ENGINE_THREADS > 0).
 */
function cpuByThread(
  before: Map<number, { name: string; ms: number }>,
  after: Map<number, { name: string; ms: number }>,
  clientTid: number | null,
): { server: number; client: number; vips: number; other: number } | null {
  if (after.size === 0) return null;
  const split = { server: 0, client: 0, vips: 0, other: 0 };
  for (const [tid, { name, ms }] of after) {
    const used = ms - (before.get(tid)?.ms ?? 0);
    if (tid === process.pid) split.server += used;
    else if (tid === clientTid) split.client += used;
    else if (name.startsWith('libvips')) split.vips += used;
    else split.other += used;
  }
  return split;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let ms = 0;
  for (const [pid, v] of after) ms += v - (before.get(pid) ?? 0);
  return ms;
}

/**
 * The floor: what a web-chat message costs on this machine with no application work at all. The same HTTP
 * server (fastify), the same request body (JSON, the photo in base64, decoded but not checked or stored) and a
 * transaction with the round trips our engine makes at least (lock the address, store the inbound message, save
 * the state, store the reply), run by our transaction runner on the same database, driven by the same client.
 * The gap between it and the real pipeline is what understanding, flows, lookups and the photo path cost.
 */
async function buildFloorApp(h: DbHandle, maxAttachmentBytes: number): Promise<FastifyInstance> {
  await h.db.execute(sql`drop table if exists bench_floor_message, bench_floor_endpoint`);
  await h.db.execute(sql`create table bench_floor_endpoint (address text primary key, state jsonb not null)`);
  await h.db.execute(
    sql`create table bench_floor_message (id bigserial primary key, address text not null, external_id text unique, text text not null)`,
  );
  const app = Fastify({ bodyLimit: Math.ceil(maxAttachmentBytes * 10 * 1.4) + 1_000_000 });
  app.post('/api/webchat/messages', async (req) => {
    const body = req.body as { from: string; id: string; text: string; attachments?: { data: string }[] };
    const photos = (body.attachments ?? []).map((a) => Buffer.from(a.data, 'base64'));
    const reply = `ok ${photos.length}`;
    await transaction(h.db, async (tx) => {
      await tx.execute(
        sql`insert into bench_floor_endpoint (address, state) values (${body.from}, '{}') on conflict do nothing`,
      );
      await tx.execute(sql`select state from bench_floor_endpoint where address = ${body.from} for update`);
      await tx.execute(
        sql`insert into bench_floor_message (address, external_id, text) values (${body.from}, ${body.id}, ${body.text})`,
      );
      await tx.execute(
        sql`update bench_floor_endpoint set state = ${JSON.stringify({ last: body.id })}::jsonb where address = ${body.from}`,
      );
      await tx.execute(sql`insert into bench_floor_message (address, text) values (${body.from}, ${reply})`);
    });
    return { conversationId: body.from, replies: [{ text: reply }] };
  });
  return app;
}

/**
 * N concurrent web-chat conversations through the whole pipeline, HTTP included (a real
 * listening socket and fetch). Each conversation loops: full report with a photo → "sim" →
 * status question → greeting, so requests, forwards-free paths and the summary all run.
 */
export async function runPipelineBench(
  h: DbHandle,
  label: string,
  opts: {
    conversations: number;
    messages: number;
    engineThreads: number;
    photos: 'new' | 'repeat';
    /** Serve with {@link buildFloorApp} instead of the product: the machine's floor for the same load. */
    floor?: boolean;
  },
): Promise<PipelineBenchResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-bench-'));
  let client: Worker | undefined;
  try {
    const n = opts.conversations;
    const products = 'codigo;descricao;mascara;peso_kg;garantia_meses\n710001;PORTA GIRO 400X700;NOGAL 18MM;4,5;36\n';
    let customers = 'codigo;nome;cnpj;telefone;email\n';
    let invoices = 'numero;cliente;emissao;pedido;produto;mascara;quantidade\n';
    for (let i = 0; i < n; i++) {
      customers += `B${i};LOJA BENCH ${i} LTDA;${cnpjFor(i)};(54) 98${String(i).padStart(3, '0')}-0000;\n`;
      invoices += `${500000 + i};B${i};01/10/2026;${900000 + i};710001;NOGAL 18MM;50\n`;
    }
    for (const [kind, csv] of [
      ['products', products],
      ['customers', customers],
      ['invoices', invoices],
    ] as const) {
      await importCsv(h.db, kind, Buffer.from(csv), { defaultWarrantyMonths: 12 });
    }
    const rawBefore = await rawInsertRate(h);

    const log = pino({ level: 'silent' });
    const store = new MediaStore(path.join(tmp, 'media'));
    const today = () => '2026-11-29';
    const own = new ConversationEngine(h.db, store, understandRules, testEngineOptions(today), log);
    // Engine threads as the server runs them with ENGINE_THREADS (PostgreSQL only), same limits and today.
    const url = (h as { url?: string }).url;
    const threads =
      !opts.floor && opts.engineThreads > 0 && h.kind === 'postgres' && url
        ? await EngineThreads.start(
            parseConfig({ DATABASE_URL: url, DATA_DIR: tmp, TODAY: today(), LOG_LEVEL: 'silent' }),
            opts.engineThreads,
            log,
            () => {},
          )
        : undefined;
    const engine = threads ?? own;
    const maxAttachmentBytes = 10 * 1024 * 1024;
    const app = opts.floor
      ? await buildFloorApp(h, maxAttachmentBytes)
      : buildApp({
          db: h.db,
          engine,
          store,
          log,
          today,
          defaultWarrantyMonths: 12,
          maxAttachmentBytes,
          deliver: () => {},
          health: async () => ({ ok: true }),
        });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#884422' } })
      .jpeg()
      .toBuffer();

    // One client thread for all phases (see pipeline-client.mjs), answering one message per phase.
    const worker = new Worker(path.join(__dirname, 'pipeline-client.mjs'), {
      workerData: { base, conversations: n, photo: photo.toString('base64'), photos: opts.photos },
    });
    client = worker;
    const clientTid = await new Promise<number | null>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { tid: number | null }) => {
        worker.off('error', reject);
        resolve(m.tid);
      });
    });
    type Run = { latencies: number[]; seconds: number; trace: [number, number, number][] };
    const drive = (
      mode: 'closed' | 'paced',
      extra: { perConv?: number; rate?: number; total?: number; startK: number },
    ) =>
      new Promise<Run>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        worker.once('error', onError);
        worker.once('message', (m: ({ ok: true } & Run) | { ok: false; error: string }) => {
          worker.off('error', onError);
          if (m.ok) resolve(m);
          else reject(new Error(`bench client: ${m.error}`));
        });
        worker.postMessage({ mode, ...extra });
      });
    /** BENCH_TRACE=prefix: one JSON file per phase, [ms since the phase started, script step, latency ms] per message. */
    const trace = (phase: string, run: Run) => {
      if (process.env.BENCH_TRACE)
        fs.writeFileSync(
          `${process.env.BENCH_TRACE}-${label}-${threads?.size ?? 0}-${phase}.json`,
          JSON.stringify(run.trace),
        );
    };

    // Warm-up, not measured: one cycle per conversation, so phase 1 starts with compiled code and open connections,
    // as a server that has been running does.
    const warm = 4;
    await drive('closed', { perConv: warm, startK: 0 });

    // Phase 1, saturation: every conversation sends its next message as soon as it has the reply.
    const perConv = Math.ceil(opts.messages / n);
    global.gc?.();
    const heapStart = process.memoryUsage().heapUsed;
    const pgCpuStart = await pgBackendCpu(h);
    const cpuStart = process.cpuUsage();
    const threadsStart = threadCpu();
    const closed = await drive('closed', { perConv, startK: warm });
    trace('closed', closed);
    const cpu = process.cpuUsage(cpuStart);
    const byThread = cpuByThread(threadsStart, threadCpu(), clientTid);
    const pgCpu = cpuDelta(pgCpuStart, await pgBackendCpu(h));
    const latencies = closed.latencies;
    const seconds = closed.seconds;
    global.gc?.();
    const mem = process.memoryUsage();

    // The raw rate swings with the machine's load: measure it again and use the mean of both.
    const rawAfter = await rawInsertRate(h);
    const raw = (rawBefore.tx + rawAfter.tx) / 2;
    const rawAutocommit = (rawBefore.autocommit + rawAfter.autocommit) / 2;

    // Phase 2, paced: the same conversations at 30% of the raw insert rate (open loop, ~8 s).
    const rate = 0.3 * raw;
    const elu0 = performance.eventLoopUtilization();
    const stopProfile = await startProfile(`${label}-paced`);
    const pacedRun = await drive('paced', { rate, total: Math.max(n, Math.round(rate * 8)), startK: warm + perConv });
    trace('paced', pacedRun);
    await stopProfile();
    const paced = pacedRun.latencies;
    const pacedSeconds = pacedRun.seconds;
    const pacedElu = performance.eventLoopUtilization(elu0).utilization;

    // Phase 3: one message a second per conversation for ~10 s.
    const startK3 = warm + perConv + Math.ceil(pacedRun.latencies.length / n) + 1;
    const oneRun = await drive('paced', { rate: n, total: n * 10, startK: startK3 });
    trace('one-a-second', oneRun);
    const oneASecond = oneRun.latencies;
    oneASecond.sort((a, b) => a - b);

    const created = await h.db.execute(sql`select count(*)::int as c from requests`);
    await worker.terminate();
    await app.close();
    await threads?.close();
    latencies.sort((a, b) => a - b);
    paced.sort((a, b) => a - b);
    const mps = latencies.length / seconds;
    const rows = Array.isArray(created) ? created : (created as { rows: { c: number }[] }).rows;
    return {
      label: opts.floor ? `${label} floor` : label,
      engineThreads: threads?.size ?? 0,
      photos: opts.photos,
      conversations: n,
      messages: latencies.length,
      seconds: Number(seconds.toFixed(2)),
      messagesPerSec: Math.round(mps),
      p50ms: Number(pct(latencies, 50).toFixed(1)),
      p99ms: Number(pct(latencies, 99).toFixed(1)),
      pacedRatePerSec: Math.round(paced.length / pacedSeconds),
      pacedP50ms: Number(pct(paced, 50).toFixed(1)),
      pacedP99ms: Number(pct(paced, 99).toFixed(1)),
      pacedP99msByStep: p99ByStep(pacedRun.trace),
      pacedEventLoopBusy: Number(pacedElu.toFixed(2)),
      oneASecondP50ms: Number(pct(oneASecond, 50).toFixed(1)),
      oneASecondP99ms: Number(pct(oneASecond, 99).toFixed(1)),
      rawInsertsPerSec: Math.round(raw),
      rawBeforeAfter: [Math.round(rawBefore.tx), Math.round(rawAfter.tx)],
      ratioToRaw: Number((mps / raw).toFixed(2)),
      rawAutocommitPerSec: Math.round(rawAutocommit),
      ratioToAutocommit: Number((mps / rawAutocommit).toFixed(2)),
      cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(2)),
      cpuMsPerMessageByThread: byThread
        ? {
            server: Number((byThread.server / latencies.length).toFixed(2)),
            client: Number((byThread.client / latencies.length).toFixed(2)),
            vips: Number((byThread.vips / latencies.length).toFixed(2)),
            other: Number((byThread.other / latencies.length).toFixed(2)),
          }
        : null,
      pgCpuMsPerMessage: pgCpu === null ? null : Number((pgCpu / latencies.length).toFixed(2)),
      heapMbStart: Math.round(heapStart / 1e6),
      heapMbEnd: Math.round(mem.heapUsed / 1e6),
      rssMbEnd: Math.round(mem.rss / 1e6),
      requestsCreated: Number((rows[0] as { c: number }).c),
    };
  } finally {
    await client?.terminate();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
