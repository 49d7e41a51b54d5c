/** Retry policy of a queue instance, used for jobs that do not set their own. */
export interface QueueDefaults {
  /** Total runs per job, the first included (default 8). */
  attempts: number;
  /** Base backoff in ms (default 1000): waits 1 s, 2 s, 4 s, … between runs. */
  backoffMs: number;
  /** Upper bound of one backoff wait in ms (default 5 minutes). */
  maxBackoffMs: number;
}

/** 8 attempts, 1 s base, at most 5 min between two runs (≈ 2 min from first to last run). */
export const DEFAULT_QUEUE_DEFAULTS: Readonly<QueueDefaults> = Object.freeze({
  attempts: 8,
  backoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
});

/** Fills and checks a partial `QueueDefaults` (throws on nonsense such as 0 attempts). */
export function resolveQueueDefaults(partial: Partial<QueueDefaults> = {}): QueueDefaults {
  const d: QueueDefaults = {
    attempts: partial.attempts ?? DEFAULT_QUEUE_DEFAULTS.attempts,
    backoffMs: partial.backoffMs ?? DEFAULT_QUEUE_DEFAULTS.backoffMs,
    maxBackoffMs: partial.maxBackoffMs ?? DEFAULT_QUEUE_DEFAULTS.maxBackoffMs,
  };
  if (!Number.isInteger(d.attempts) || d.attempts < 1)
    throw new Error('queue defaults: attempts must be an integer >= 1');
  if (!Number.isFinite(d.backoffMs) || d.backoffMs < 0) throw new Error('queue defaults: backoffMs must be >= 0');
  if (!Number.isFinite(d.maxBackoffMs) || d.maxBackoffMs < 0)
    throw new Error('queue defaults: maxBackoffMs must be >= 0');
  return d;
}

/** The wait before run `attempt + 1` after run `attempt` failed: `base * 2^(attempt-1)`, capped. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(Math.max(attempt - 1, 0), 52); // 2^52 is past any sensible cap
  return Math.min(Math.round(baseMs * 2 ** exp), maxMs);
}
