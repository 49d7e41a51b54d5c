import { Redis } from 'ioredis';
import pino from 'pino';
import { z } from 'zod';
import { BullmqQueue } from '../../../src/jobs/bullmq-queue';
import type { Queue } from '../../../src/jobs/queue';
import type { QueueDefaults } from '../../../src/jobs/queue-defaults';
import { describeQueueBehaviour, gate, sleep, waitFor } from '../../unit/jobs/describe-queue-behaviour';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('Redis tests SKIPPED: REDIS_URL not set');
const describeWithRedis = redisUrl ? describe : describe.skip;

const logger = pino({ level: 'silent' });
/** Unique per test file run: parallel files and earlier runs never collide. */
const prefix = `posvenda-test-${process.pid}-${Date.now().toString(36)}`;
const payload = z.object({ outboxId: z.string() });

function make(defaults?: Partial<QueueDefaults>): BullmqQueue {
  return new BullmqQueue({ redisUrl: redisUrl ?? '', prefix, logger, defaults, closeTimeoutMs: 5000 });
}

async function dispose(q: Queue): Promise<void> {
  if (q instanceof BullmqQueue) await q.obliterate();
  await q.close();
}

describeWithRedis('BullmqQueue against real Redis', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl ?? '', { maxRetriesPerRequest: 3 });
  });

  afterAll(async () => {
    // Every test obliterated its queues: nothing under our prefix may be left.
    const left = await redis.keys(`${prefix}:*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
    expect(left).toEqual([]);
  });

  describeQueueBehaviour('BullmqQueue', { make, dispose });

  describe('across processes (two instances sharing Redis)', () => {
    const live: BullmqQueue[] = [];
    const instance = (defaults?: Partial<QueueDefaults>) => {
      const q = make(defaults);
      live.push(q);
      return q;
    };
    afterEach(async () => {
      for (const q of live.splice(0)) await dispose(q);
    });

    it('a job added by one instance is run by another', async () => {
      const producer = instance();
      const worker = instance();
      const ran: string[] = [];
      worker.handle('cross', payload, async (d) => {
        ran.push(d.outboxId);
      });
      await worker.start();
      await producer.add('cross', { outboxId: 'from-web' }, { jobId: 'o-100' });
      await waitFor('ran', () => ran.length === 1);
      expect(ran).toEqual(['from-web']);
    });

    it('dedups an in-flight jobId across instances', async () => {
      const a = instance();
      const b = instance();
      const g = gate();
      const ran: string[] = [];
      a.handle('cross-dedup', payload, async (d) => {
        ran.push(d.outboxId);
        await g.promise;
      });
      await a.start();
      await a.add('cross-dedup', { outboxId: 'x' }, { jobId: 'o-200' });
      await waitFor('active', () => ran.length === 1);
      await b.add('cross-dedup', { outboxId: 'x-again' }, { jobId: 'o-200' });
      g.open();
      await sleep(300);
      expect(ran).toEqual(['x']);
    });

    it('two workers on one name: a job dead-letters once, in one of them', async () => {
      const a = instance({ attempts: 3, backoffMs: 20 });
      const b = instance({ attempts: 3, backoffMs: 20 });
      const failed: string[] = [];
      let runs = 0;
      for (const q of [a, b]) {
        q.onFailed((_n, _d, _e, jobId) => {
          failed.push(jobId);
        });
        q.handle('shared-fail', payload, async () => {
          runs++;
          throw new Error('always');
        });
        await q.start();
      }
      await a.add('shared-fail', { outboxId: 'f' }, { jobId: 'o-300' });
      await waitFor('dead letter', () => failed.length >= 1);
      await sleep(300);
      expect(runs).toBe(3);
      expect(failed).toEqual(['o-300']);
    });

    it('a job added before a restart is run by the next instance', async () => {
      const before = instance();
      await before.add('survive', { outboxId: 'persisted' }, { jobId: 'o-400' });
      await before.close();
      const after = instance();
      const ran: string[] = [];
      after.handle('survive', payload, async (d) => {
        ran.push(d.outboxId);
      });
      await after.start();
      await waitFor('ran after restart', () => ran.length === 1);
      expect(ran).toEqual(['persisted']);
    });

    it('close() is bounded when a handler never finishes', async () => {
      const q = new BullmqQueue({ redisUrl: redisUrl ?? '', prefix, logger, closeTimeoutMs: 300 });
      live.push(q);
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
    });

    it('add() rejects (bounded) when Redis is unreachable', async () => {
      const q = new BullmqQueue({ redisUrl: 'redis://127.0.0.1:1', prefix, logger, commandTimeoutMs: 300 });
      await expect(q.add('nowhere', { outboxId: 'n' })).rejects.toThrow(/did not answer|ECONNREFUSED|Connection/);
      await q.close();
    });
  });
});
