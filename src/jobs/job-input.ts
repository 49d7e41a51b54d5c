import type { z } from 'zod';
import { PermanentJobError } from './permanent-job-error';
import type { HandleOptions, JobOptions } from './queue';

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws unless `name` is a valid job name (BullMQ uses it as the queue name: no `:`). */
export function assertJobName(name: string): void {
  if (!JOB_NAME.test(name)) {
    throw new Error(`invalid job name ${JSON.stringify(name)}: use 1-100 letters, digits, '.', '_' or '-'`);
  }
}

/**
 * Makes a custom job id safe for both runners: `:` (BullMQ's key separator) becomes `_`, and an
 * integer-looking id (BullMQ refuses those: they could clash with its generated ids) gets the
 * prefix `id-`. Deterministic, so one outbox id always maps to the same job id.
 */
export function sanitizeJobId(jobId: string): string {
  if (jobId.length === 0) throw new Error('jobId must not be empty');
  const s = jobId.replaceAll(':', '_');
  return `${Number.parseInt(s, 10)}` === s ? `id-${s}` : s;
}

/** Throws on per-job options that make no sense (negative delay, 0 attempts, …). */
export function checkJobOptions(opts: JobOptions): void {
  if (opts.delayMs !== undefined && !(Number.isFinite(opts.delayMs) && opts.delayMs >= 0)) {
    throw new Error('job option delayMs must be >= 0');
  }
  if (opts.attempts !== undefined && !(Number.isInteger(opts.attempts) && opts.attempts >= 1)) {
    throw new Error('job option attempts must be an integer >= 1');
  }
  if (opts.backoffMs !== undefined && !(Number.isFinite(opts.backoffMs) && opts.backoffMs >= 0)) {
    throw new Error('job option backoffMs must be >= 0');
  }
}

/** Throws on `Queue.handle` options that make no sense (concurrency 0, a rate of 0 per period, …). */
export function checkHandleOptions(opts: HandleOptions): void {
  if (opts.concurrency !== undefined && !(Number.isInteger(opts.concurrency) && opts.concurrency >= 1)) {
    throw new Error('handle option concurrency must be an integer >= 1');
  }
  const r = opts.rateLimit;
  if (r && !(Number.isInteger(r.max) && r.max >= 1 && Number.isFinite(r.durationMs) && r.durationMs > 0)) {
    throw new Error('handle option rateLimit needs an integer max >= 1 and durationMs > 0');
  }
}

/**
 * Validates a job payload read back from the queue. A payload the schema rejects can never
 * succeed, so it becomes a `PermanentJobError` (details: the zod issues) for the dead letter.
 */
export function parseJobPayload<T>(name: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  throw new PermanentJobError(`invalid payload for job "${name}": ${summary}`, { issues });
}
