import type { Logger } from 'pino';
import { z } from 'zod';
import type { KeyValueStore } from '../channels/types';
import { COMPANY_TIME_ZONE } from '../domain/calendar';
import { latestSlaAlerts } from '../services/sla-alerts';
import type { Queue } from './queue';

export const SLA_JOB = 'sla.check';
const payloadSchema = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

export interface SlaSchedulerOptions {
  /** Today, `YYYY-MM-DD` (the app's clock). */
  today: () => string;
  now: () => Date;
  /** Local hour (America/Sao_Paulo) from which the day's check runs (SLA_ALERT_HOUR). */
  hour: number;
  /** How often the scheduler looks whether the day's check is due (default 15 min). */
  intervalMs?: number;
}

const hourFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: COMPANY_TIME_ZONE,
  hour: '2-digit',
  hourCycle: 'h23',
});

/** The hour (0–23) of `at` in São Paulo. */
export function saoPauloHour(at: Date): number {
  return Number(hourFormat.format(at));
}

/**
 * The daily SLA check as a queue job: a scheduler loop (every process runs one) adds the job
 * `sla.check` with the day as job id once the day's list is not stored yet and the local hour is
 * reached; the job id dedups the processes' adds while the job is in flight, and the stored
 * list's day stops further adds. The handler (`run`) computes and stores the list and e-mails it.
 */
export class SlaAlertScheduler {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queue: Queue,
    private readonly kv: KeyValueStore,
    run: (day: string) => Promise<void>,
    private readonly opts: SlaSchedulerOptions,
    private readonly log: Logger,
  ) {
    queue.handle(SLA_JOB, payloadSchema, ({ day }) => run(day), { concurrency: 1 });
  }

  /** Add today's job when due; returns whether it did. */
  async tick(): Promise<boolean> {
    const day = this.opts.today();
    if (saoPauloHour(this.opts.now()) < this.opts.hour) return false;
    const latest = await latestSlaAlerts(this.kv);
    if (latest?.day === day) return false;
    await this.queue.add(SLA_JOB, { day }, { jobId: `sla-check-${day}`, attempts: 5, backoffMs: 60_000 });
    return true;
  }

  start(): void {
    const tick = () =>
      this.tick().catch((err) => this.log.error({ err, job: SLA_JOB }, 'could not schedule the SLA check'));
    void tick();
    this.timer = setInterval(tick, this.opts.intervalMs ?? 15 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
