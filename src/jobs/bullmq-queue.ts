import { Queue as BullQueue, type Job, type JobsOptions, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { assertJobName, checkHandleOptions, checkJobOptions, parseJobPayload, sanitizeJobId } from './job-input';
import { PermanentJobError } from './permanent-job-error';
import type { FailedCallback, HandleOptions, JobHandler, JobOptions, Queue } from './queue';
import { backoffDelayMs, type QueueDefaults, resolveQueueDefaults } from './queue-defaults';

/** Options of `BullmqQueue`. */
export interface BullmqQueueOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). Never logged. */
  redisUrl: string;
  /** Namespace of every Redis key (default `posvenda`); tests use a unique one per file. */
  prefix?: string;
  logger: Logger;
  /** Retry policy for jobs that do not set their own (default 8 attempts, 1 s base). */
  defaults?: Partial<QueueDefaults>;
  /** How long `close()` waits for running jobs before force-closing the workers (default 10 s). */
  closeTimeoutMs?: number;
  /** `add()` and `start()` reject when Redis does not answer within this time (default 5 s). */
  commandTimeoutMs?: number;
}

/** Our backoff strategy's name, stored with each job; the workers compute it (capped exponential). */
const BACKOFF_TYPE = 'posvenda-capped-exponential';
const REMOVE_ON_COMPLETE = { age: 3600, count: 1000 };
const REMOVE_ON_FAIL = { age: 7 * 86_400 };

interface Registration {
  /** Validates the payload, then calls the app's handler. */
  run: (data: unknown, info: { attempt: number; jobId: string }) => Promise<void>;
  opts: HandleOptions;
}

/**
 * `Queue` over BullMQ: one BullMQ queue (and, where a handler is registered, one Worker) per job
 * name. A queue per name rather than one queue with named jobs, because concurrency and the rate
 * limiter are per Worker, i.e. per BullMQ queue: Telegram sends must not be throttled by SLA
 * sweeps. Keys: `<prefix>:<job name>:…`.
 *
 * Connections: one ioredis connection shared by all producers (commands fail fast), one shared
 * by all workers (`maxRetriesPerRequest: null`, as BullMQ requires), plus one blocking connection
 * per Worker that BullMQ duplicates from it.
 *
 * Delivery is at-least-once: a worker that dies mid-job leaves it active; when its lock expires
 * (30 s) another worker's stalled check puts it back and it runs again with the same attempt
 * number. Final failures are reported by the worker process that ran the last attempt. A job
 * that stalls twice is failed by BullMQ's stalled check without a local `failed` event, so no
 * `onFailed` call: its outbox row stays pending and the periodic sweep adds it again (a finished
 * job id is forgotten on re-add). An `add` that timed out may still land later: harmless, the
 * job id dedups it.
 */
export class BullmqQueue implements Queue {
  readonly kind = 'bullmq' as const;
  private readonly log: Logger;
  private readonly redisUrl: string;
  private readonly prefix: string;
  private readonly defaults: QueueDefaults;
  private readonly closeTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly registrations = new Map<string, Registration>();
  private readonly queues = new Map<string, BullQueue>();
  private readonly workers = new Map<string, Worker>();
  /** Every job name seen by `add`, for `obliterate`. */
  private readonly knownNames = new Set<string>();
  private readonly failedCallbacks: FailedCallback[] = [];
  /** Handler runs in progress in this process: `close()` waits for them. */
  private readonly running = new Set<Promise<void>>();
  /** onFailed callbacks still running: `close()` waits for them. */
  private readonly pendingCallbacks = new Set<Promise<void>>();
  private producerConnection?: Redis;
  private workerConnection?: Redis;
  private started = false;
  private closing = false;
  private closed?: Promise<void>;

  constructor(opts: BullmqQueueOptions) {
    this.log = opts.logger.child({ component: 'queue', queue: 'bullmq' });
    this.redisUrl = opts.redisUrl;
    this.prefix = opts.prefix ?? 'posvenda';
    this.defaults = resolveQueueDefaults(opts.defaults);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 5000;
  }

  handle<T>(name: string, schema: z.ZodType<T>, handler: JobHandler<T>, opts: HandleOptions = {}): void {
    assertJobName(name);
    checkHandleOptions(opts);
    if (this.registrations.has(name)) throw new Error(`a handler for job "${name}" is already registered`);
    if (this.closing) throw new Error('queue is closed');
    this.registrations.set(name, { run: (data, info) => handler(parseJobPayload(name, schema, data), info), opts });
    if (this.started) this.startWorker(name);
  }

  async add<T>(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    assertJobName(name);
    checkJobOptions(opts);
    if (this.closing) throw new Error(`queue is closed: job "${name}" not added`);
    const jobId = opts.jobId === undefined ? undefined : sanitizeJobId(opts.jobId);
    const attempts = opts.attempts ?? this.defaults.attempts;
    const jobOpts: JobsOptions = {
      jobId,
      delay: opts.delayMs,
      attempts,
      backoff: { type: BACKOFF_TYPE, delay: opts.backoffMs ?? this.defaults.backoffMs },
      removeOnComplete: REMOVE_ON_COMPLETE,
      removeOnFail: REMOVE_ON_FAIL,
    };
    this.knownNames.add(name);
    const queue = this.queue(name);
    await this.withTimeout(`add job "${name}"`, async () => {
      if (jobId !== undefined) {
        // BullMQ ignores an add while a job with that id exists, finished ones included (kept
        // up to 1 h / 7 d). Forget finished ones so both runners dedup in-flight jobs only; the
        // outbox row status decides whether a re-added job still has work to do.
        const state = await queue.getJobState(jobId);
        if (state === 'completed' || state === 'failed') await queue.remove(jobId);
      }
      await queue.add(name, data, jobOpts);
    });
  }

  onFailed(cb: FailedCallback): void {
    this.failedCallbacks.push(cb);
  }

  async start(): Promise<void> {
    if (this.closing) throw new Error('queue is closed');
    this.started = true;
    for (const name of this.registrations.keys()) this.startWorker(name);
    await this.withTimeout('start workers', () =>
      Promise.all([...this.workers.values()].map((w) => w.waitUntilReady())).then(() => undefined),
    );
  }

  close(): Promise<void> {
    this.closed ??= this.doClose();
    return this.closed;
  }

  /**
   * Deletes every job and key of the queues this instance used (added to or handled), after
   * closing its workers; works before or after `close()`. For tests and maintenance tooling
   * only: it throws jobs away, also those of other processes sharing the prefix.
   */
  async obliterate(): Promise<void> {
    await this.closeWorkers();
    const names = new Set([...this.knownNames, ...this.registrations.keys()]);
    if (!this.closing) {
      for (const name of names) await this.queue(name).obliterate({ force: true });
      return;
    }
    // Closed: borrow a short-lived connection rather than reopening this instance.
    const conn = this.connect('obliterate', { maxRetriesPerRequest: 3 });
    try {
      for (const name of names) {
        const q = new BullQueue(name, { connection: conn, prefix: this.prefix });
        try {
          await q.obliterate({ force: true });
        } finally {
          await q.close();
        }
      }
    } finally {
      await quit(conn);
    }
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    await this.closeWorkers();
    await settleWithin([...this.pendingCallbacks], this.closeTimeoutMs);
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await Promise.allSettled([quit(this.producerConnection), quit(this.workerConnection)]);
    this.producerConnection = undefined;
    this.workerConnection = undefined;
  }

  /**
   * Stop fetching, wait for running jobs (bounded), then close the workers. After the timeout
   * they are force-closed: a job still running keeps its Redis lock until it expires (30 s), then
   * another worker's stalled check runs it again (its outcome here is not recorded).
   */
  private async closeWorkers(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    if (workers.length === 0) return;
    await Promise.allSettled(workers.map((w) => w.pause(true)));
    const deadline = Date.now() + this.closeTimeoutMs;
    // A fetch in flight when pausing may still hand over one more job: loop until really idle.
    while (this.running.size > 0 && Date.now() < deadline) {
      await settleWithin([...this.running], deadline - Date.now());
    }
    const idle = this.running.size === 0;
    if (!idle) {
      this.log.warn(
        { running: this.running.size, timeoutMs: this.closeTimeoutMs },
        'close: jobs still running after the timeout; force-closing the workers',
      );
    }
    const closed = await settleWithin(
      workers.map((w) => w.close(!idle)),
      this.closeTimeoutMs,
    );
    if (!closed) await Promise.allSettled(workers.map((w) => w.disconnect()));
  }

  private producer(): Redis {
    // Producers fail fast (a few retries) so `add` can report Redis trouble to its caller.
    this.producerConnection ??= this.connect('producer', { maxRetriesPerRequest: 3 });
    return this.producerConnection;
  }

  private workerRedis(): Redis {
    this.workerConnection ??= this.connect('worker', { maxRetriesPerRequest: null });
    return this.workerConnection;
  }

  private connect(role: string, opts: { maxRetriesPerRequest: number | null }): Redis {
    // disconnectTimeout: ioredis keeps a timer that long after disconnecting a socket that never
    // connected (default 2 s), which holds the process (and Jest) open for no reason.
    const conn = new Redis(this.redisUrl, { ...opts, connectionName: `posvenda-${role}`, disconnectTimeout: 200 });
    // Without a listener ioredis prints every reconnect error; log them with context instead
    // (never the URL: it may hold a password).
    conn.on('error', (err: Error) => this.log.warn({ err, role }, 'redis connection error'));
    return conn;
  }

  private queue(name: string): BullQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = new BullQueue(name, { connection: this.producer(), prefix: this.prefix });
      q.on('error', (err) => this.log.warn({ err, job: name }, 'bullmq queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  private startWorker(name: string): void {
    const reg = this.registrations.get(name);
    if (!reg || this.workers.has(name)) return;
    const maxBackoffMs = this.defaults.maxBackoffMs;
    const worker = new Worker(name, (job: Job) => this.process(name, reg, job), {
      connection: this.workerRedis(),
      prefix: this.prefix,
      concurrency: reg.opts.concurrency ?? 1,
      limiter: reg.opts.rateLimit && { max: reg.opts.rateLimit.max, duration: reg.opts.rateLimit.durationMs },
      settings: {
        backoffStrategy: (attemptsMade, type, _err, job) => {
          const base = job?.opts.backoff;
          const baseMs = typeof base === 'object' ? (base.delay ?? this.defaults.backoffMs) : this.defaults.backoffMs;
          if (type !== BACKOFF_TYPE) this.log.warn({ job: name, type }, 'unknown backoff type, using ours');
          return backoffDelayMs(attemptsMade, baseMs, maxBackoffMs);
        },
      },
    });
    worker.on('error', (err) => this.log.error({ err, job: name }, 'bullmq worker error'));
    worker.on('failed', (job, err) => {
      if (job) this.onJobFailed(name, job, err);
    });
    this.workers.set(name, worker);
  }

  private process(name: string, reg: Registration, job: Job): Promise<void> {
    const run = this.runJob(name, reg, job);
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async runJob(name: string, reg: Registration, job: Job): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const jobId = job.id ?? '';
    try {
      await reg.run(job.data, { attempt, jobId });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof PermanentJobError) {
        // BullMQ skips the remaining attempts for UnrecoverableError; keep ours as the cause.
        const unrecoverable = new UnrecoverableError(err.message);
        unrecoverable.cause = err;
        throw unrecoverable;
      }
      const ctx = { job: name, jobId, attempt, attempts: job.opts.attempts };
      if (attempt < (job.opts.attempts ?? 1)) this.log.warn({ ...ctx, err }, 'job failed, will retry');
      throw err;
    }
  }

  /** BullMQ emits `failed` after every failed run; only the final one is a dead letter. */
  private onJobFailed(name: string, job: Job, thrown: Error): void {
    const unrecoverable = thrown instanceof UnrecoverableError || thrown.name === 'UnrecoverableError';
    if (!unrecoverable && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const err = unrecoverable && thrown.cause instanceof Error ? thrown.cause : thrown;
    const jobId = job.id ?? '';
    const ctx = { job: name, jobId, attempt: job.attemptsMade, attempts: job.opts.attempts };
    const why = unrecoverable ? 'permanent error' : 'attempts used up';
    this.log.error(
      { ...ctx, err, details: err instanceof PermanentJobError ? err.details : undefined },
      `job dead-lettered: ${why}`,
    );
    const p = (async () => {
      for (const cb of this.failedCallbacks) {
        try {
          await cb(name, job.data, err, jobId);
        } catch (cbErr) {
          this.log.error({ ...ctx, err: cbErr }, 'onFailed callback threw');
        }
      }
    })();
    this.pendingCallbacks.add(p);
    void p.finally(() => this.pendingCallbacks.delete(p));
  }

  private async withTimeout<R>(what: string, fn: () => Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what}: Redis did not answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Waits for all promises to settle, at most `ms`; true when they all did. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  if (promises.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function quit(conn: Redis | undefined): Promise<void> {
  if (!conn) return;
  try {
    if (conn.status === 'ready') await conn.quit();
    else conn.disconnect();
  } catch {
    conn.disconnect();
  }
}
