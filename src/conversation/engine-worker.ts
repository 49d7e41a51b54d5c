import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from '../db/client';
import { createLogger } from '../logger';
import { createEngine } from './create-engine';
import type { EngineWorkerData, FromWorker, ToWorker } from './engine-threads';
import type { Inbound } from './inbound';

/** One engine thread (src/conversation/engine-threads.ts): its own pool and engine, messages from the main thread. */
async function main() {
  const port = parentPort;
  if (!port) throw new Error('engine-worker runs as a worker thread');
  const { cfg, index } = workerData as EngineWorkerData;
  const log = createLogger(cfg.LOG_LEVEL).child({ thread: index });
  if (!cfg.DATABASE_URL) throw new Error('engine threads need DATABASE_URL');
  // The main thread migrated the database already.
  const handle = await openPostgres(cfg.DATABASE_URL);
  const send = (m: FromWorker) => port.postMessage(m);
  const { engine, llm } = createEngine(cfg, handle.db, log, (ids) => send({ type: 'outbox', ids }));
  const inFlight = new Set<Promise<unknown>>();

  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      void (async () => {
        await Promise.allSettled([...inFlight]);
        await llm?.idle();
        await handle.close();
        port.close(); // the thread ends; the main thread waits for its exit
      })();
      return;
    }
    const run = engine
      .handle(asInbound(m.msg))
      .then((result) => send({ type: 'done', id: m.id, result }))
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        log.error({ err: e }, 'message failed on engine thread');
        send({ type: 'failed', id: m.id, error: { name: e.name, message: e.message } });
      })
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  });
  send({ type: 'ready' });
}

/** Buffers arrive as plain Uint8Arrays: make them Buffers again (same memory) for the photo checks. */
function asInbound(msg: Inbound): Inbound {
  return {
    ...msg,
    attachments: msg.attachments.map((a) => {
      const bytes = a.bytes as Uint8Array;
      return {
        ...a,
        bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      };
    }),
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
