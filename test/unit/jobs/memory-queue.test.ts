import { Writable } from 'node:stream';
import pino from 'pino';
import { z } from 'zod';
import { MemoryQueue } from '../../../src/jobs/memory-queue';
import { describeQueueBehaviour, gate, sleep, waitFor } from './describe-queue-behaviour';

const silent = pino({ level: 'silent' });
const payload = z.object({ outboxId: z.string() });

/** Timers currently keeping the event loop alive. */
const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describeQueueBehaviour('MemoryQueue', {
  make: (defaults) => new MemoryQueue({ logger: silent, defaults }),
  dispose: (q) => q.close(),
});

describe('MemoryQueue specifics', () => {
  it('close() clears delay and backoff timers, leaving no open handles', async () => {
    const before = activeTimers();
    const q = new MemoryQueue({ logger: silent, defaults: { attempts: 5, backoffMs: 60_000 } });
    let runs = 0;
    q.handle('t', payload, async () => {
      runs++;
      throw new Error('retry me later');
    });
    await q.start();
    await q.add('t', { outboxId: 'a' });
    await q.add('t', { outboxId: 'b' }, { delayMs: 60_000 });
    await waitFor('first run failed', () => runs === 1);
    await sleep(10);
    expect(activeTimers()).toBeGreaterThanOrEqual(before + 2);
    await q.close();
    expect(activeTimers()).toBeLessThanOrEqual(before);
  });

  it('close() is bounded when a handler never finishes', async () => {
    const q = new MemoryQueue({ logger: silent, closeTimeoutMs: 100 });
    const never = gate();
    let started = false;
    q.handle('stuck', payload, async () => {
      started = true;
      await never.promise;
    });
    await q.start();
    await q.add('stuck', { outboxId: 's' });
    await waitFor('started', () => started);
    const t0 = Date.now();
    await q.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    never.open();
  });

  it('a job failing while the queue closes is not rescheduled', async () => {
    const q = new MemoryQueue({ logger: silent, defaults: { attempts: 5, backoffMs: 1 } });
    const g = gate();
    let runs = 0;
    q.handle('closing', payload, async () => {
      runs++;
      await g.promise;
      throw new Error('fails during close');
    });
    await q.start();
    await q.add('closing', { outboxId: 'c' });
    await waitFor('started', () => runs === 1);
    const closed = q.close();
    g.open();
    await closed;
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('logs a schema-invalid payload with its issues', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const q = new MemoryQueue({ logger: pino({ level: 'info' }, sink) });
    let failedErr: Error | undefined;
    q.onFailed((_n, _d, err) => {
      failedErr = err;
    });
    q.handle('logged', payload, async () => {});
    await q.start();
    await q.add('logged', { nope: 1 });
    await waitFor('dead letter', () => failedErr !== undefined);
    await q.close();
    const line = lines.find((l) => l.msg === 'job dead-lettered: permanent error');
    expect(line).toMatchObject({ job: 'logged', attempt: 1, details: { issues: [{ path: 'outboxId' }] } });
  });

  it('copies payloads through JSON like Redis does', async () => {
    const q = new MemoryQueue({ logger: silent });
    const seen: unknown[] = [];
    q.handle('json', z.object({ at: z.string(), list: z.array(z.number()) }), async (d) => {
      seen.push(d);
    });
    await q.start();
    const data = { at: new Date('2026-11-29T12:00:00Z'), list: [1] };
    await q.add('json', data);
    data.list.push(2); // mutating after add must not leak into the job
    await waitFor('ran', () => seen.length === 1);
    await q.close();
    expect(seen[0]).toEqual({ at: '2026-11-29T12:00:00.000Z', list: [1] });
  });

  it('start() after close() is refused', async () => {
    const q = new MemoryQueue({ logger: silent });
    await q.close();
    await expect(q.start()).rejects.toThrow(/closed/);
  });
});
