import type { Logger } from 'pino';
import { BullmqQueue } from './bullmq-queue';
import { MemoryQueue } from './memory-queue';
import type { Queue } from './queue';
import type { QueueDefaults } from './queue-defaults';

/** Options of `createQueue`, usually straight from the parsed config. */
export interface CreateQueueOptions {
  /** `REDIS_URL`: BullMQ when set, the in-process runner otherwise. */
  redisUrl?: string;
  /** Redis key prefix (BullMQ only; default `posvenda`). */
  prefix?: string;
  logger: Logger;
  /** Retry policy for jobs that do not set their own (default 8 attempts, 1 s base, 5 min cap). */
  defaults?: Partial<QueueDefaults>;
  /** How long `close()` waits for running jobs (default 10 s). */
  closeTimeoutMs?: number;
}

/** The app's job runner: BullMQ when a Redis URL is given, else the in-process `MemoryQueue`. */
export function createQueue(opts: CreateQueueOptions): Queue {
  const { redisUrl, prefix, logger, defaults, closeTimeoutMs } = opts;
  if (redisUrl) {
    logger.info({ queue: 'bullmq', prefix: prefix ?? 'posvenda' }, 'job queue: BullMQ on Redis');
    return new BullmqQueue({ redisUrl, prefix, logger, defaults, closeTimeoutMs });
  }
  logger.info(
    { queue: 'memory' },
    'job queue: in-process (no REDIS_URL; pending jobs live only as long as the process)',
  );
  return new MemoryQueue({ logger, defaults, closeTimeoutMs });
}
