import { z } from 'zod';
import { PermanentJobError, type Queue } from '../../../src/jobs/queue';
import type { QueueDefaults } from '../../../src/jobs/queue-defaults';

/** How a test file creates and disposes of the runner under test. */
export interface QueueUnderTest {
  /** A fresh, not yet started queue with these defaults. */
  make(defaults?: Partial<QueueDefaults>): Queue;
  /** Removes what the queue left behind (Redis keys) and closes it; called after every test. */
  dispose(queue: Queue): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; fails with `what` after `timeoutMs` (generous on purpose). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await sleep(5);
  }
}

/** A promise plus its resolver, to hold a handler until the test lets it finish. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const payload = z.object({ outboxId: z.string(), n: z.number().int().optional() });
type Payload = z.infer<typeof payload>;

interface FailedCall {
  name: string;
  data: unknown;
  err: Error;
  jobId: string;
}

let nameCounter = 0;
/** Job names unique per test, so tests sharing one Redis prefix never see each other's jobs. */
const jobName = (what: string) => `${what}-${++nameCounter}`;

/**
 * The behaviour both runners promise (see `Queue` in src/jobs/queue.ts), run once per runner:
 * MemoryQueue in test/unit/jobs, BullmqQueue against real Redis in test/integration/jobs.
 */
export function describeQueueBehaviour(label: string, runner: QueueUnderTest): void {
  describe(`${label}: shared queue behaviour`, () => {
    const live: Queue[] = [];
    const make = (defaults?: Partial<QueueDefaults>) => {
      const q = runner.make(defaults);
      live.push(q);
      return q;
    };
    const failures = (q: Queue) => {
      const calls: FailedCall[] = [];
      q.onFailed((name, data, err, jobId) => {
        calls.push({ name, data, err, jobId });
      });
      return calls;
    };

    afterEach(async () => {
      for (const q of live.splice(0)) await runner.dispose(q);
    });

    it('runs a job with the parsed payload and reports attempt 1 and the job id', async () => {
      const q = make();
      const name = jobName('basic');
      const seen: Array<{ data: Payload; attempt: number; jobId: string }> = [];
      q.handle(name, payload, async (data, info) => {
        seen.push({ data, ...info });
      });
      await q.start();
      await q.add(name, { outboxId: 'o-1', n: 1 }, { jobId: 'o-1' });
      await waitFor('handler ran', () => seen.length === 1);
      expect(seen[0]).toEqual({ data: { outboxId: 'o-1', n: 1 }, attempt: 1, jobId: 'o-1' });
    });

    it('retries with growing backoff, then calls onFailed exactly once', async () => {
      const q = make({ attempts: 3, backoffMs: 40 });
      const name = jobName('retry');
      const runs: Array<{ attempt: number; at: number }> = [];
      const failed = failures(q);
      q.handle(name, payload, async (_data, info) => {
        runs.push({ attempt: info.attempt, at: Date.now() });
        throw new Error(`boom ${info.attempt}`);
      });
      await q.start();
      await q.add(name, { outboxId: 'o-2' }, { jobId: 'o-2' });
      await waitFor('dead letter', () => failed.length === 1);
      await sleep(300); // nothing else may come after the dead letter
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      const [r1, r2, r3] = runs;
      // Lower bounds only (backoff 40 ms, then 80 ms), with slack for timer granularity.
      expect(r2!.at - r1!.at).toBeGreaterThanOrEqual(30);
      expect(r3!.at - r2!.at).toBeGreaterThanOrEqual(70);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ name, data: { outboxId: 'o-2' }, jobId: 'o-2' });
      expect(failed[0]!.err.message).toBe('boom 3');
    });

    it('per-job attempts and backoff override the defaults', async () => {
      const q = make({ attempts: 5, backoffMs: 10_000 });
      const name = jobName('override');
      let runs = 0;
      const failed = failures(q);
      q.handle(name, payload, async () => {
        runs++;
        throw new Error('nope');
      });
      await q.start();
      await q.add(name, { outboxId: 'o-3' }, { attempts: 2, backoffMs: 10 });
      await waitFor('dead letter', () => failed.length === 1);
      expect(runs).toBe(2);
    });

    it('a PermanentJobError goes to onFailed without retries', async () => {
      const q = make({ attempts: 5, backoffMs: 10 });
      const name = jobName('permanent');
      let runs = 0;
      const failed = failures(q);
      q.handle(name, payload, async () => {
        runs++;
        throw new PermanentJobError('chat blocked the bot', { code: 403 });
      });
      await q.start();
      await q.add(name, { outboxId: 'o-4' }, { jobId: 'o-4' });
      await waitFor('dead letter', () => failed.length === 1);
      await sleep(150);
      expect(runs).toBe(1);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.err).toBeInstanceOf(PermanentJobError);
      expect(failed[0]!.err.message).toBe('chat blocked the bot');
      expect(failed[0]!.jobId).toBe('o-4');
    });

    it('an invalid payload is dead-lettered as permanent, the handler never runs, the queue goes on', async () => {
      const q = make({ attempts: 5, backoffMs: 10 });
      const name = jobName('invalid');
      const handled: Payload[] = [];
      const failed = failures(q);
      q.handle(name, payload, async (data) => {
        handled.push(data);
      });
      await q.start();
      await q.add(name, { outboxId: 42, extra: true });
      await waitFor('dead letter', () => failed.length === 1);
      expect(failed[0]!.err).toBeInstanceOf(PermanentJobError);
      expect(failed[0]!.err.message).toMatch(/invalid payload.*outboxId/);
      expect(failed[0]!.data).toEqual({ outboxId: 42, extra: true });
      await q.add(name, { outboxId: 'o-5' });
      await waitFor('valid job ran', () => handled.length === 1);
      expect(handled).toEqual([{ outboxId: 'o-5' }]);
    });

    it('a non-Error throw is retried and reported as an Error', async () => {
      const q = make({ attempts: 2, backoffMs: 5 });
      const name = jobName('nonerror');
      const failed = failures(q);
      q.handle(name, payload, async () => {
        throw 'plain string';
      });
      await q.start();
      await q.add(name, { outboxId: 'o-6' });
      await waitFor('dead letter', () => failed.length === 1);
      expect(failed[0]!.err).toBeInstanceOf(Error);
      expect(failed[0]!.err.message).toContain('plain string');
    });

    it('an onFailed callback that throws does not stop the others', async () => {
      const q = make({ attempts: 1 });
      const name = jobName('cbthrows');
      q.onFailed(() => {
        throw new Error('callback bug');
      });
      const failed = failures(q);
      q.handle(name, payload, async () => {
        throw new Error('x');
      });
      await q.start();
      await q.add(name, { outboxId: 'o-7' });
      await waitFor('second callback', () => failed.length === 1);
    });

    it('the same jobId added twice while waiting runs once', async () => {
      const q = make();
      const name = jobName('dedup-wait');
      const runs: string[] = [];
      q.handle(name, payload, async (data) => {
        runs.push(data.outboxId);
      });
      // Not started: both adds find the first job waiting.
      await q.add(name, { outboxId: 'first' }, { jobId: 'same' });
      await q.add(name, { outboxId: 'second' }, { jobId: 'same' });
      await q.start();
      await waitFor('ran', () => runs.length === 1);
      await sleep(200);
      expect(runs).toEqual(['first']);
    });

    it('the same jobId added while delayed or active is not added again', async () => {
      const q = make();
      const name = jobName('dedup-active');
      const g = gate();
      const runs: string[] = [];
      q.handle(name, payload, async (data) => {
        runs.push(data.outboxId);
        await g.promise;
      });
      await q.start();
      await q.add(name, { outboxId: 'a' }, { jobId: 'active-1' });
      await waitFor('active', () => runs.length === 1);
      await q.add(name, { outboxId: 'a-again' }, { jobId: 'active-1' });
      await q.add(name, { outboxId: 'd' }, { jobId: 'delayed-1', delayMs: 150 });
      await q.add(name, { outboxId: 'd-again' }, { jobId: 'delayed-1', delayMs: 10 });
      g.open();
      await waitFor('delayed ran', () => runs.length >= 2);
      await sleep(300);
      expect(runs).toEqual(['a', 'd']);
    });

    it('a finished jobId may run again (in-flight dedup only; the outbox row is the guard)', async () => {
      const q = make({ attempts: 1 });
      const name = jobName('rerun');
      const runs: string[] = [];
      const failed = failures(q);
      q.handle(name, payload, async (data) => {
        runs.push(data.outboxId);
        if (data.outboxId === 'fail') throw new Error('dead');
      });
      await q.start();
      await q.add(name, { outboxId: 'ok' }, { jobId: 'done-1' });
      await waitFor('first', () => runs.length === 1);
      await sleep(50); // let the runner record completion
      await q.add(name, { outboxId: 'ok' }, { jobId: 'done-1' });
      await waitFor('second', () => runs.length === 2);
      await q.add(name, { outboxId: 'fail' }, { jobId: 'failed-1' });
      await waitFor('dead letter', () => failed.length === 1);
      await q.add(name, { outboxId: 'fail' }, { jobId: 'failed-1' });
      await waitFor('dead letter again', () => failed.length === 2);
    });

    it('sanitises job ids: no ":" and no integer-looking ids', async () => {
      const q = make();
      const name = jobName('ids');
      const ids: string[] = [];
      q.handle(name, payload, async (_d, info) => {
        ids.push(info.jobId);
      });
      await q.start();
      await q.add(name, { outboxId: 'x' }, { jobId: 'outbox:7:telegram' });
      await q.add(name, { outboxId: 'y' }, { jobId: '42' });
      await waitFor('both ran', () => ids.length === 2);
      expect(ids.sort()).toEqual(['id-42', 'outbox_7_telegram']);
    });

    it('respects per-name concurrency', async () => {
      const q = make();
      const name = jobName('conc');
      let active = 0;
      let maxActive = 0;
      let done = 0;
      q.handle(
        name,
        payload,
        async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await sleep(60);
          active--;
          done++;
        },
        { concurrency: 2 },
      );
      await q.start();
      for (let i = 0; i < 6; i++) await q.add(name, { outboxId: `c-${i}` });
      await waitFor('all done', () => done === 6);
      expect(maxActive).toBe(2);
    });

    it('different names do not share a concurrency slot', async () => {
      const q = make();
      const slow = jobName('slow');
      const fast = jobName('fast');
      const g = gate();
      let fastRan = false;
      q.handle(slow, payload, async () => {
        await g.promise;
      });
      q.handle(fast, payload, async () => {
        fastRan = true;
      });
      await q.start();
      await q.add(slow, { outboxId: 's' });
      await q.add(fast, { outboxId: 'f' });
      await waitFor('fast ran while slow is blocked', () => fastRan);
      g.open();
    });

    it('applies the per-name rate limit', async () => {
      const q = make();
      const name = jobName('rate');
      const starts: number[] = [];
      q.handle(
        name,
        payload,
        async () => {
          starts.push(Date.now());
        },
        { concurrency: 5, rateLimit: { max: 2, durationMs: 300 } },
      );
      for (let i = 0; i < 5; i++) await q.add(name, { outboxId: `r-${i}` });
      await q.start();
      await waitFor('all ran', () => starts.length === 5);
      starts.sort((a, b) => a - b);
      // Never more than 2 starts per 300 ms window: jobs 3 and 5 wait for the next windows.
      expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(250);
      expect(starts[4]! - starts[2]!).toBeGreaterThanOrEqual(250);
    });

    it('does not run a delayed job early', async () => {
      const q = make();
      const name = jobName('delay');
      let ranAt = 0;
      q.handle(name, payload, async () => {
        ranAt = Date.now();
      });
      await q.start();
      const addedAt = Date.now();
      await q.add(name, { outboxId: 'later' }, { delayMs: 200 });
      await waitFor('ran', () => ranAt > 0);
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(180);
    });

    it('keeps jobs added before start() and before their handler exists', async () => {
      const q = make();
      const early = jobName('early');
      const ran: string[] = [];
      await q.add(early, { outboxId: 'before-start' });
      await q.start();
      await sleep(50);
      q.handle(early, payload, async (d) => {
        ran.push(d.outboxId);
      });
      await waitFor('ran', () => ran.length === 1);
      expect(ran).toEqual(['before-start']);
    });

    it('refuses a second handler for one name and bad names or options', async () => {
      const q = make();
      const name = jobName('dup');
      q.handle(name, payload, async () => {});
      expect(() => q.handle(name, payload, async () => {})).toThrow(/already registered/);
      expect(() => q.handle('bad:name', payload, async () => {})).toThrow(/invalid job name/);
      expect(() => q.handle(jobName('c0'), payload, async () => {}, { concurrency: 0 })).toThrow(/concurrency/);
      await expect(q.add('bad:name', {})).rejects.toThrow(/invalid job name/);
      await expect(q.add(name, {}, { attempts: 0 })).rejects.toThrow(/attempts/);
      await expect(q.add(name, {}, { jobId: '' })).rejects.toThrow(/jobId/);
    });

    it('close() waits for a running job, then refuses new jobs', async () => {
      const q = make();
      const name = jobName('close');
      let started = false;
      let finished = false;
      q.handle(name, payload, async () => {
        started = true;
        await sleep(200);
        finished = true;
      });
      await q.start();
      await q.add(name, { outboxId: 'slow' });
      await waitFor('started', () => started);
      await q.close();
      expect(finished).toBe(true);
      await expect(q.add(name, { outboxId: 'late' })).rejects.toThrow(/closed/);
      await q.close(); // idempotent
    });
  });
}
