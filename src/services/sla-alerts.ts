import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { KeyValueStore } from '../channels/types';
import type { Executor } from '../db/client';
import { claimSetting, finishClaim, releaseClaim } from '../db/kv-store';
import { customers, requests } from '../db/schema';
import type { IsoDate } from '../domain/warranty';
import { ageInDays, DEADLINE_STATUSES, deadlineMark } from './console/deadline';

/**
 * SLA alerts (PRO-AST-01: "Prazo de Assistência de 9 dias"): the open requests about to miss the
 * assistance deadline or past it, computed once a day by a job and kept in the settings table
 * for the queue page. The rule itself (which statuses run the clock, when a request is "near"
 * or "past") lives in `console/deadline.ts`, the same one the queue's marks use.
 */

export const SLA_ALERTS_KEY = 'sla:alerts';
/** Set once the day's e-mail went out (`sla:emailed:2026-11-29`). */
export const slaEmailedKey = (day: IsoDate) => `sla:emailed:${day}`;
/** A claim to send the day's e-mail older than this belongs to a process that died while sending. */
const MAIL_CLAIM_STALE_MS = 15 * 60_000;

const itemSchema = z.object({
  protocol: z.string(),
  status: z.string(),
  customerCode: z.string(),
  customerName: z.string(),
  ageDays: z.number(),
  mark: z.enum(['near', 'past']),
  openedAt: z.string(),
});
export type SlaAlertItem = z.infer<typeof itemSchema>;

export const slaAlertListSchema = z.object({
  /** The day the list is for (`today` of the run). */
  day: z.string(),
  generatedAt: z.string(),
  deadlineDays: z.number(),
  items: z.array(itemSchema),
});
export type SlaAlertList = z.infer<typeof slaAlertListSchema>;

/** Open requests near or past the deadline on `today`, most overdue first. */
export async function findSlaAlerts(
  db: Executor,
  opts: { today: IsoDate; deadlineDays: number },
): Promise<SlaAlertItem[]> {
  const rows = await db
    .select({
      protocol: requests.protocol,
      status: requests.status,
      createdAt: requests.createdAt,
      customerCode: customers.code,
      customerName: customers.name,
    })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(inArray(requests.status, [...DEADLINE_STATUSES]))
    .orderBy(asc(requests.createdAt), asc(requests.id));
  const out: SlaAlertItem[] = [];
  for (const r of rows) {
    const ageDays = ageInDays(r.createdAt, opts.today);
    const mark = deadlineMark(ageDays, opts.deadlineDays, r.status);
    if (mark !== 'near' && mark !== 'past') continue;
    out.push({
      protocol: r.protocol,
      status: r.status,
      customerCode: r.customerCode,
      customerName: r.customerName,
      ageDays,
      mark,
      openedAt: r.createdAt.toISOString(),
    });
  }
  return out.sort((a, b) => b.ageDays - a.ageDays || (a.protocol < b.protocol ? -1 : 1));
}

/** The latest stored list, or null (none yet, or unreadable). */
export async function latestSlaAlerts(kv: KeyValueStore): Promise<SlaAlertList | null> {
  const parsed = slaAlertListSchema.safeParse(await kv.get(SLA_ALERTS_KEY));
  return parsed.success ? parsed.data : null;
}

/** The e-mail to the manager: subject and plain text (pt-BR). */
export function slaAlertMail(list: SlaAlertList, consoleUrl?: string): { subject: string; text: string } {
  const past = list.items.filter((i) => i.mark === 'past');
  const near = list.items.filter((i) => i.mark === 'near');
  const [y, m, d] = list.day.split('-');
  const line = (i: SlaAlertItem) =>
    `- ${i.protocol} · ${i.customerName} (${i.customerCode}) · ${i.ageDays} dias · status ${i.status}`;
  const parts = [
    `Prazo de assistência (${list.deadlineDays} dias) em ${d}/${m}/${y}:`,
    '',
    past.length ? `Prazo vencido (${past.length}):\n${past.map(line).join('\n')}` : 'Nenhuma com prazo vencido.',
    '',
    near.length ? `Perto do prazo (${near.length}):\n${near.map(line).join('\n')}` : 'Nenhuma perto do prazo.',
  ];
  if (consoleUrl) parts.push('', `Fila de revisão: ${consoleUrl.replace(/\/$/, '')}/console/requests?status=all`);
  return {
    subject: `[Posvenda] Prazo de assistência: ${past.length} vencida(s), ${near.length} perto do prazo`,
    text: `${parts.join('\n')}\n`,
  };
}

export interface SlaCheckOptions {
  today: IsoDate;
  deadlineDays: number;
  now: Date;
  /** Sends the manager's e-mail; absent = no e-mail (SLA_ALERT_EMAIL or SMTP not configured). */
  mail?: (m: { subject: string; text: string }) => Promise<void>;
  consoleUrl?: string;
}

/**
 * The daily check: compute the list, store it (replacing the previous one), and e-mail it once a
 * day when there is something to say. Safe to run again (a retry after a failed e-mail sends it
 * then; a list already mailed today is not mailed again).
 */
export async function runSlaCheck(db: Executor, kv: KeyValueStore, opts: SlaCheckOptions): Promise<SlaAlertList> {
  const items = await findSlaAlerts(db, opts);
  const list: SlaAlertList = {
    day: opts.today,
    generatedAt: opts.now.toISOString(),
    deadlineDays: opts.deadlineDays,
    items,
  };
  await kv.set(SLA_ALERTS_KEY, list);
  const key = slaEmailedKey(opts.today);
  // Once a day even with several processes: the day is claimed atomically before sending. A failed send gives
  // the claim back (the job's retry sends); a process that died while sending leaves a claim taken over later.
  if (opts.mail && items.length && (await claimSetting(db, key, opts.now, MAIL_CLAIM_STALE_MS))) {
    try {
      await opts.mail(slaAlertMail(list, opts.consoleUrl));
    } catch (e) {
      await releaseClaim(db, key);
      throw e;
    }
    await finishClaim(db, key, { at: opts.now.toISOString(), items: items.length });
  }
  return list;
}
