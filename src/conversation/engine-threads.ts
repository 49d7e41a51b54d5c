import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { DbHandle } from '../db/client';
import type { HandleResult, Inbound, OnOutbox } from './inbound';

/** What channels and the web chat hand messages to: the engine, on this thread or on engine threads. */
export interface MessageHandler {
  handle(msg: Inbound): Promise<HandleResult>;
}

/** Main thread → engine thread. */
export type ToWorker = { type: 'handle'; id: number; msg: Inbound } | { type: 'close' };
/** Engine thread → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: HandleResult }
  | { type: 'failed'; id: number; error: { name: string; message: string } }
  | { type: 'outbox'; ids: number[] };

export interface EngineWorkerData {
  cfg: Config;
  index: number;
}

const WORKER_FILE = path.join(__dirname, `engine-worker${path.extname(__filename)}`);

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: HandleResult) => void; reject: (e: Error) => void }>;
  /** False once the thread exited (until its replacement is spawned). */
  alive: boolean;
}

/**
 * The conversation engine on N worker threads (ENGINE_THREADS, PostgreSQL only; docs/decisions.md §23).
 *
 * One message's work (photo checks, understanding, the flow, the database protocol) is CPU on the thread that
 * runs it; with one thread, 50 busy conversations queue behind each other. Here the main thread keeps HTTP,
 * channels and jobs, and each message goes to one engine thread, always the same one for the same address (a
 * hash): the thread's per-address queue keeps arrival order, and the endpoint row lock still guards the
 * database across threads and processes. Each thread has its own connection pool. A thread that dies fails its
 * messages in flight (the channel's redelivery is deduplicated by the inbox) and is started again (after 0.5 s,
 * then backing off to 30 s while it cannot start); meanwhile its addresses' messages fail at once.
 */
export class EngineThreads implements MessageHandler {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closing = false;

  private constructor(
    private readonly cfg: Config,
    private readonly log: Logger,
    private readonly onOutbox: OnOutbox,
  ) {}

  static async start(cfg: Config, count: number, log: Logger, onOutbox: OnOutbox): Promise<EngineThreads> {
    const pool = new EngineThreads(cfg, log, onOutbox);
    await Promise.all(Array.from({ length: count }, (_, i) => pool.spawn(i)));
    log.info({ threads: count }, 'conversation engine on worker threads');
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  handle(msg: Inbound): Promise<HandleResult> {
    if (this.closing) return Promise.reject(new Error('the engine threads are stopping'));
    const index = slotOf(`${msg.channel}\u0000${msg.address}`, this.slots.length);
    const slot = this.slots[index]!;
    if (!slot.alive) return Promise.reject(new Error(`engine thread ${index} is starting again`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'handle', id, msg } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void slot.worker.terminate().then(() => resolve()), 10_000);
            if (!slot.alive) {
              clearTimeout(timer);
              resolve();
              return;
            }
            slot.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }

  private spawn(index: number): Promise<void> {
    const workerData = { cfg: this.cfg, index } satisfies EngineWorkerData;
    // Source runs through tsx (npm start, tests): the thread loads tsx's require hook first (on Node 20 a
    // worker's `--import tsx` does not reach its own entry file).
    const worker = WORKER_FILE.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER_FILE)});`, {
          eval: true,
          workerData,
        })
      : new Worker(WORKER_FILE, { workerData });
    const slot: Slot = { worker, pending: new Map(), alive: true };
    this.slots[index] = slot;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          ready = true;
          resolve();
        } else if (m.type === 'done') {
          slot.pending.get(m.id)?.resolve(m.result);
          slot.pending.delete(m.id);
        } else if (m.type === 'failed') {
          slot.pending.get(m.id)?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
          slot.pending.delete(m.id);
        } else if (m.type === 'outbox') {
          this.onOutbox(m.ids);
        }
      });
      worker.on('error', (err) => this.log.error({ err, thread: index }, 'engine thread failed'));
      worker.on('exit', (code) => {
        slot.alive = false;
        for (const p of slot.pending.values()) p.reject(new Error(`engine thread ${index} stopped (exit ${code})`));
        slot.pending.clear();
        if (!ready) reject(new Error(`engine thread ${index} did not start (exit ${code})`));
        else if (!this.closing) {
          this.log.error({ thread: index, code }, 'engine thread stopped: starting it again');
          this.respawn(index, 0);
        }
      });
    });
  }

  private respawn(index: number, attempt: number): void {
    const timer = setTimeout(
      () => {
        if (this.closing) return;
        this.spawn(index).catch((err) => {
          this.log.error({ err, thread: index, attempt }, 'engine thread did not start again');
          this.respawn(index, attempt + 1);
        });
      },
      Math.min(30_000, 500 * 2 ** attempt),
    );
    timer.unref();
  }
}

/** The thread for an address: FNV-1a of the key. */
export function slotOf(key: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** The engine threads the configuration asks for, or undefined (then the main thread's engine runs messages). */
export async function startEngineThreads(
  cfg: Config,
  handle: DbHandle,
  log: Logger,
  onOutbox: OnOutbox,
): Promise<EngineThreads | undefined> {
  if (cfg.ENGINE_THREADS === 0) return undefined;
  if (handle.kind !== 'postgres' || !cfg.DATABASE_URL) {
    log.warn(
      'ENGINE_THREADS needs DATABASE_URL (the embedded database is one connection): messages run on the main thread',
    );
    return undefined;
  }
  return EngineThreads.start(cfg, cfg.ENGINE_THREADS, log, onOutbox);
}
