import { eq } from 'drizzle-orm';
import pino from 'pino';
import { type ChannelAdapter, ChannelSendError, type OutboundMessage } from '../../../src/channels/types';
import { writeOutbound } from '../../../src/conversation/inbound';
import type { DbHandle } from '../../../src/db/client';
import { outbox } from '../../../src/db/schema';
import { createQueue } from '../../../src/jobs/create-queue';
import { OutboxDelivery } from '../../../src/jobs/deliver-outbox';
import type { FailedCallback, Queue } from '../../../src/jobs/queue';
import { dbKinds, openTestDb } from '../../support/db';

/** An adapter that records sends and fails on demand. */
class RecordingAdapter implements ChannelAdapter {
  readonly name = 'telegram' as const;
  sent: OutboundMessage[] = [];
  failNext = 0;
  permanent = false;
  async start() {}
  async stop() {}
  status() {
    return { state: 'up' as const, since: new Date().toISOString() };
  }
  async send(msg: OutboundMessage) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new ChannelSendError('boom', this.permanent);
    }
    this.sent.push(msg);
    return { externalId: `x${msg.outboxId}` };
  }
}

/** A queue that only keeps the failure callbacks, to report a failure late. */
class QueueSpy implements Queue {
  readonly kind = 'memory' as const;
  private readonly failed: FailedCallback[] = [];
  handle() {}
  async add() {}
  onFailed(cb: FailedCallback) {
    this.failed.push(cb);
  }
  async start() {}
  async close() {}
  async reportFailure(data: unknown, err: Error) {
    for (const cb of this.failed) await cb('deliver-outbox', data, err, 'late');
  }
}

const runners = [
  ['memory', undefined],
  ...(process.env.REDIS_URL ? [['bullmq', process.env.REDIS_URL] as const] : []),
] as const;
if (!process.env.REDIS_URL)
  console.warn('BullMQ delivery tests SKIPPED: REDIS_URL not set (in-process runner still tested).');

describe.each(dbKinds())('outbox delivery on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openTestDb(kind);
  }, 60_000);
  afterAll(() => h?.close());

  describe.each(runners)('with the %s runner', (_name, redisUrl) => {
    let queue: Queue;
    let adapter: RecordingAdapter;
    let delivery: OutboxDelivery;
    const log = pino({ level: 'silent' });
    beforeEach(() => {
      queue = createQueue({ redisUrl, prefix: `t${process.pid}${Date.now()}`, logger: log });
      adapter = new RecordingAdapter();
      delivery = new OutboxDelivery(h.db, queue, new Map([['telegram', adapter]]), log, {
        claimTimeoutMs: 500,
        attempts: 4,
        backoffMs: 20,
        sweepEveryMs: 60_000,
      });
    });
    afterEach(async () => {
      delivery.stop();
      await queue.close();
    });

    async function pending(n: number, address = 'telegram:1') {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(
          ...(await writeOutbound(h.db, {
            conversationId: null,
            channel: 'telegram',
            address,
            author: 'bot',
            replies: [{ text: `msg ${i}`, options: i === 0 ? ['Sim', 'Não'] : undefined }],
          })),
        );
      }
      return ids;
    }
    async function statusOf(ids: number[]) {
      const rows = await h.db.select().from(outbox);
      return ids.map((id) => rows.find((r) => r.id === id)?.status);
    }
    const until = async (cond: () => Promise<boolean>, ms = 15_000) => {
      const t0 = Date.now();
      while (!(await cond())) {
        if (Date.now() - t0 > ms) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 25));
      }
    };

    it('delivers each row once, with its options', async () => {
      await queue.start();
      const ids = await pending(5, 'telegram:5');
      await delivery.enqueue(ids);
      await delivery.enqueue(ids); // a double enqueue sends nothing twice
      await until(async () => (await statusOf(ids)).every((s) => s === 'sent'));
      expect(adapter.sent.map((m) => m.outboxId).sort()).toEqual([...ids].sort());
      expect(adapter.sent.find((m) => m.outboxId === ids[0])?.options).toEqual(['Sim', 'Não']);
      await delivery.deliver(ids[0]!); // a late duplicate job: skipped, the row is sent
      expect(adapter.sent).toHaveLength(5);
    });

    it("sends one chat's messages in the order they were written, also when the first needs a retry", async () => {
      await queue.start();
      adapter.failNext = 1; // the first message fails once
      const ids = await pending(3, 'telegram:order');
      await delivery.enqueue(ids);
      await until(async () => (await statusOf(ids)).every((s) => s === 'sent'));
      expect(adapter.sent.map((m) => m.outboxId)).toEqual(ids);
    });

    it('retries passing failures with backoff', async () => {
      await queue.start();
      adapter.failNext = 2;
      const ids = await pending(1, 'telegram:6');
      await delivery.enqueue(ids);
      await until(async () => (await statusOf(ids))[0] === 'sent');
      const [row] = await h.db.select().from(outbox).where(eq(outbox.id, ids[0]!));
      expect(row?.attempts).toBe(3);
    });

    it('marks permanent failures failed, and a retry delivers them', async () => {
      await queue.start();
      adapter.failNext = 1;
      adapter.permanent = true;
      const ids = await pending(1, 'telegram:7');
      await delivery.enqueue(ids);
      await until(async () => (await statusOf(ids))[0] === 'failed');
      expect(adapter.sent).toHaveLength(0);
      expect(await delivery.retry(ids[0]!)).toBe(true);
      await until(async () => (await statusOf(ids))[0] === 'sent');
      expect(await delivery.retry(ids[0]!)).toBe(false);
    });

    it('a late failure report of the old job does not undo a staff retry', async () => {
      // BullMQ may report the failed job after deliver() marked the row failed and staff already
      // pressed "retry": that report must not put the reset row back to failed.
      await queue.start();
      adapter.failNext = 1;
      adapter.permanent = true;
      const ids = await pending(1, 'telegram:10');
      await expect(delivery.deliver(ids[0]!)).rejects.toThrow('boom');
      expect((await statusOf(ids))[0]).toBe('failed');
      expect(await delivery.retry(ids[0]!)).toBe(true);
      await until(async () => (await statusOf(ids))[0] === 'sent');
      const late = new QueueSpy();
      const other = new OutboxDelivery(h.db, late, new Map([['telegram', adapter]]), log, {
        claimTimeoutMs: 500,
        attempts: 4,
        backoffMs: 20,
        sweepEveryMs: 60_000,
      });
      await h.db.update(outbox).set({ status: 'pending', attempts: 0 }).where(eq(outbox.id, ids[0]!));
      await late.reportFailure({ outboxId: ids[0]! }, new Error('boom'));
      expect((await statusOf(ids))[0]).toBe('pending');
      other.stop();
    });

    it('gives up after the attempts and lists the row as failed', async () => {
      await queue.start();
      adapter.failNext = 100;
      const ids = await pending(1, 'telegram:8');
      await delivery.enqueue(ids);
      await until(async () => (await statusOf(ids))[0] === 'failed');
      const [row] = await h.db.select().from(outbox).where(eq(outbox.id, ids[0]!));
      expect(row?.lastError).toBe('boom');
    });

    it('sweeps rows a crash left pending or claimed, and delivers them', async () => {
      const ids = await pending(3, 'telegram:9');
      // A sender claimed one and died; the others were never queued.
      await h.db
        .update(outbox)
        .set({ claimedAt: new Date(Date.now() - 10_000) })
        .where(eq(outbox.id, ids[0]!));
      await queue.start();
      expect(await delivery.sweep()).toBeGreaterThanOrEqual(3);
      await until(async () => (await statusOf(ids)).every((s) => s === 'sent'));
      expect(adapter.sent.filter((m) => ids.includes(m.outboxId))).toHaveLength(3);
    });
  });
});
