/**
 * The job queue contract (ARCHITECTURE.md, "Queue"): one outbox row → one job whose id is the
 * outbox id. Delivery is at-least-once on both runners:
 * - a handler can run again for a job whose side effect already happened (crash or lost lock
 *   after the send, before completion was recorded), so handlers re-read their row and skip it
 *   when it is no longer pending;
 * - job ids dedup in-flight jobs only (waiting, delayed, retrying, active). Once a job finished,
 *   adding the same id runs it again: the outbox row's status is the real guard, the runner's
 *   dedup only saves work.
 */
import type { z } from 'zod';

export { PermanentJobError } from './permanent-job-error';

/** Per-job options of `Queue.add`. Absent fields take the queue instance's defaults. */
export interface JobOptions {
  /**
   * Deduplication key (the outbox row id for deliveries). While a job with this id is waiting,
   * delayed (also between retries) or active, adding it again is a no-op. Once the job finished
   * (completed or dead-lettered) the id is forgotten and may run again: the runner only dedups
   * in-flight work, the outbox row's status is the real guard against a second send.
   * `:` is replaced (see `sanitizeJobId`); the handler receives the sanitised id.
   */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total number of runs, the first one included (default: the queue's, 8 unless configured). */
  attempts?: number;
  /** Base of the exponential backoff: the wait before run n+1 is `backoffMs * 2^(n-1)`, capped. */
  backoffMs?: number;
}

/** What a handler learns about the run besides the payload. */
export interface JobInfo {
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** The job id (sanitised custom id, or one the runner generated). */
  jobId: string;
}

/**
 * A job handler: a plain function that does not know which runner calls it. Resolve = done;
 * throw = retry with backoff (or dead letter when attempts are used up); throw
 * `PermanentJobError` = dead letter now. It may run more than once for one job (at-least-once:
 * a crash after the side effect and before the runner records completion repeats the run), so
 * it must be idempotent, e.g. re-read the outbox row and skip it when it is already sent.
 */
export type JobHandler<T> = (data: T, info: JobInfo) => Promise<void>;

/** Per-name worker settings of `Queue.handle`. */
export interface HandleOptions {
  /** Jobs of this name that run at the same time in this process (default 1). */
  concurrency?: number;
  /** At most `max` jobs of this name start per `durationMs` (BullMQ: across all workers). */
  rateLimit?: { max: number; durationMs: number };
}

/** Called once when a job is dead-lettered (attempts used up, permanent error or invalid payload). */
export type FailedCallback = (name: string, data: unknown, err: Error, jobId: string) => void | Promise<void>;

/**
 * The job runner seen by the rest of the app. Two implementations: `BullmqQueue` (Redis, several
 * processes may share it) and `MemoryQueue` (in-process, when no REDIS_URL). Delivery is
 * at-least-once in both.
 */
export interface Queue {
  /**
   * Register the handler for a job name (with a zod schema that validates the payload: rule
   * "zod at every boundary"). A payload the schema rejects is dead-lettered as a
   * `PermanentJobError` (logged, never retried, never crashes the worker). One handler per name.
   * Names: letters, digits, `.`, `_`, `-` (no `:`).
   */
  handle<T>(name: string, schema: z.ZodType<T>, handler: JobHandler<T>, opts?: HandleOptions): void;
  /**
   * Enqueue a job. Resolves once the job is stored (in Redis for BullMQ); rejects when it could
   * not be (queue closed, Redis unreachable within the add timeout): the caller keeps its outbox
   * row pending and the periodic sweep adds it again. Jobs added before `start()` or before a
   * handler is registered wait for them.
   */
  add<T>(name: string, data: T, opts?: JobOptions): Promise<void>;
  /** Called when a job used up its attempts (dead letter): the app marks its outbox row failed. */
  onFailed(cb: FailedCallback): void;
  /** Start processing the registered handlers (handlers registered later start at once). */
  start(): Promise<void>;
  /** Stop taking jobs, wait for running ones (bounded), release connections. */
  close(): Promise<void>;
  readonly kind: 'bullmq' | 'memory';
}
