import type { Logger } from 'pino';
import type { z } from 'zod';
import { assertJobName, checkHandleOptions, checkJobOptions, parseJobPayload, sanitizeJobId } from './job-input';
import { PermanentJobError } from './permanent-job-error';
import type { FailedCallback, HandleOptions, JobHandler, JobOptions, Queue } from './queue';
import { backoffDelayMs, type QueueDefaults, resolveQueueDefaults } from './queue-defaults';

/** Options of `MemoryQueue`. */
export interface MemoryQueueOptions {
  logger: Logger;
  /** Retry policy for jobs that do not set their own (default 8 attempts, 1 s base). */
  defaults?: Partial<QueueDefaults>;
  /** How long `close()` waits for running jobs before giving up on them (default 10 s). */
  closeTimeoutMs?: number;
}

interface Registration {
  /** Validates the payload, then calls the app's handler. */
  handler: JobHandler<unknown>;
  concurrency: number;
  rateLimit?: { max: number; durationMs: number };
}

interface Lane {
  registration?: Registration;
  /** Jobs due now, in arrival order. */
  ready: MemoryJob[];
  running: number;
  /** Start times of the latest runs (at most `rateLimit.max`), for the sliding-window limit. */
  starts: number[];
  rateTimer?: NodeJS.Timeout;
}

interface MemoryJob {
  key: string;
  name: string;
  id: string;
  data: unknown;
  /** Runs finished so far. */
  attemptsMade: number;
  attempts: number;
  backoffMs: number;
}

/**
 * In-process job runner, used when there is no REDIS_URL. Timers for delays and backoff,
 * per-name concurrency and optional per-name rate limit (sliding window over start times).
 * Payloads are copied through JSON on `add`, exactly like BullMQ stores them, so handlers see
 * the same thing on both runners. Nothing survives the process: a job that was pending at exit
 * is found again by the outbox sweep at the next start (its row is still pending).
 */
export class MemoryQueue implements Queue {
  readonly kind = 'memory' as const;
  private readonly log: Logger;
  private readonly defaults: QueueDefaults;
  private readonly closeTimeoutMs: number;
  private readonly lanes = new Map<string, Lane>();
  /** Every job not finished yet (waiting, delayed or active), by name + id: the in-flight dedup. */
  private readonly jobs = new Map<string, MemoryJob>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly failedCallbacks: FailedCallback[] = [];
  private readonly idleWaiters = new Set<() => void>();
  private running = 0;
  private started = false;
  private closing = false;
  private closed?: Promise<void>;
  private nextId = 1;

  constructor(opts: MemoryQueueOptions) {
    this.log = opts.logger.child({ component: 'queue', queue: 'memory' });
    this.defaults = resolveQueueDefaults(opts.defaults);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  }

  handle<T>(name: string, schema: z.ZodType<T>, handler: JobHandler<T>, opts: HandleOptions = {}): void {
    assertJobName(name);
    checkHandleOptions(opts);
    const lane = this.lane(name);
    if (lane.registration) throw new Error(`a handler for job "${name}" is already registered`);
    lane.registration = {
      handler: (data, info) => handler(parseJobPayload(name, schema, data), info),
      concurrency: opts.concurrency ?? 1,
      rateLimit: opts.rateLimit,
    };
    this.pump(name);
  }

  async add<T>(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    assertJobName(name);
    checkJobOptions(opts);
    if (this.closing) throw new Error(`queue is closed: job "${name}" not added`);
    const id = opts.jobId === undefined ? `mem-${this.nextId++}` : sanitizeJobId(opts.jobId);
    const key = `${name}\u0000${id}`;
    if (this.jobs.has(key)) {
      this.log.debug({ job: name, jobId: id }, 'job already pending: not added again');
      return;
    }
    const job: MemoryJob = {
      key,
      name,
      id,
      // Same round trip as BullMQ (JSON in Redis): no shared references, Dates become strings.
      data: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
      attemptsMade: 0,
      attempts: opts.attempts ?? this.defaults.attempts,
      backoffMs: opts.backoffMs ?? this.defaults.backoffMs,
    };
    this.jobs.set(key, job);
    this.schedule(job, opts.delayMs ?? 0);
  }

  onFailed(cb: FailedCallback): void {
    this.failedCallbacks.push(cb);
  }

  async start(): Promise<void> {
    if (this.closing) throw new Error('queue is closed');
    this.started = true;
    for (const name of this.lanes.keys()) this.pump(name);
  }

  close(): Promise<void> {
    this.closed ??= this.doClose();
    return this.closed;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const lane of this.lanes.values()) {
      if (lane.rateTimer) clearTimeout(lane.rateTimer);
      lane.rateTimer = undefined;
    }
    const dropped = this.jobs.size - this.running;
    if (dropped > 0) {
      this.log.warn({ dropped }, 'memory queue closed with pending jobs: the outbox sweep re-adds them at next start');
    }
    if (this.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      let done: (() => void) | undefined;
      const idle = new Promise<void>((resolve) => {
        done = resolve;
        this.idleWaiters.add(resolve);
      });
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.closeTimeoutMs);
      });
      const result = await Promise.race([idle, timeout]);
      clearTimeout(timer);
      if (done) this.idleWaiters.delete(done);
      if (result === 'timeout') {
        this.log.warn(
          { running: this.running, timeoutMs: this.closeTimeoutMs },
          'close: jobs still running after the timeout; their outcome is not recorded',
        );
      }
    }
    this.jobs.clear();
    for (const lane of this.lanes.values()) lane.ready.length = 0;
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { ready: [], running: 0, starts: [] };
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private schedule(job: MemoryJob, delayMs: number): void {
    if (delayMs <= 0) {
      this.lane(job.name).ready.push(job);
      this.pump(job.name);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closing) return;
      this.lane(job.name).ready.push(job);
      this.pump(job.name);
    }, delayMs);
    this.timers.add(t);
  }

  /** Starts as many ready jobs of `name` as concurrency and rate limit allow. */
  private pump(name: string): void {
    const lane = this.lanes.get(name);
    const reg = lane?.registration;
    if (!lane || !reg || !this.started || this.closing) return;
    while (lane.running < reg.concurrency && lane.ready.length > 0) {
      if (reg.rateLimit) {
        const now = Date.now();
        const { max, durationMs } = reg.rateLimit;
        const oldest = lane.starts.length >= max ? lane.starts[lane.starts.length - max] : undefined;
        if (oldest !== undefined && now - oldest < durationMs) {
          if (!lane.rateTimer) {
            lane.rateTimer = setTimeout(
              () => {
                lane.rateTimer = undefined;
                this.pump(name);
              },
              oldest + durationMs - now,
            );
          }
          return;
        }
        lane.starts.push(now);
        if (lane.starts.length > max) lane.starts.splice(0, lane.starts.length - max);
      }
      const job = lane.ready.shift();
      if (job) void this.run(job, lane, reg);
    }
  }

  private async run(job: MemoryJob, lane: Lane, reg: Registration): Promise<void> {
    lane.running++;
    this.running++;
    const attempt = job.attemptsMade + 1;
    const ctx = { job: job.name, jobId: job.id, attempt, attempts: job.attempts };
    try {
      try {
        await reg.handler(job.data, { attempt, jobId: job.id });
        job.attemptsMade = attempt;
        this.jobs.delete(job.key);
        this.log.debug(ctx, 'job done');
      } catch (e) {
        job.attemptsMade = attempt;
        const err = toError(e);
        const permanent = err instanceof PermanentJobError;
        if (!permanent && attempt < job.attempts && !this.closing) {
          const delay = backoffDelayMs(attempt, job.backoffMs, this.defaults.maxBackoffMs);
          this.log.warn({ ...ctx, err, retryInMs: delay }, 'job failed, will retry');
          this.schedule(job, delay);
        } else if (!permanent && attempt < job.attempts) {
          this.jobs.delete(job.key);
          this.log.warn({ ...ctx, err }, 'job failed while closing: not retried in this process');
        } else {
          this.jobs.delete(job.key);
          await this.deadLetter(job, err, ctx);
        }
      }
    } finally {
      lane.running--;
      this.running--;
      if (this.running === 0) for (const w of this.idleWaiters) w();
      this.pump(job.name);
    }
  }

  private async deadLetter(job: MemoryJob, err: Error, ctx: Record<string, unknown>): Promise<void> {
    const why = err instanceof PermanentJobError ? 'permanent error' : 'attempts used up';
    this.log.error(
      { ...ctx, err, details: err instanceof PermanentJobError ? err.details : undefined },
      `job dead-lettered: ${why}`,
    );
    for (const cb of this.failedCallbacks) {
      try {
        await cb(job.name, job.data, err, job.id);
      } catch (cbErr) {
        this.log.error({ ...ctx, err: toError(cbErr) }, 'onFailed callback threw');
      }
    }
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
