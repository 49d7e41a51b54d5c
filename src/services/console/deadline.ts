import { localDate } from '../../domain/calendar';
import { daysBetween } from '../../domain/warranty';

/** How a request stands against the assistance deadline (PRO-AST-01: "Prazo de Assistência de 9 dias"). */
export type DeadlineMark = 'ok' | 'near' | 'past' | 'none';

/**
 * Statuses where the team still owes the customer something, so the deadline runs. `returned`
 * waits on the customer, and shipped/closed/rejected are done.
 */
export const DEADLINE_STATUSES: readonly string[] = ['submitted', 'accepted', 'charged', 'imported', 'released'];

/** Whole days since the request was opened, as the company's calendar days (`today` is `YYYY-MM-DD`). */
export function ageInDays(createdAt: Date, today: string): number {
  return Math.max(0, daysBetween(localDate(createdAt), today));
}

/**
 * `near` from two days before the deadline (day 7 of 9) up to the deadline day itself, `past`
 * after it; `none` when the status does not run the clock. Pure.
 */
export function deadlineMark(ageDays: number, deadlineDays: number, status: string): DeadlineMark {
  if (!DEADLINE_STATUSES.includes(status)) return 'none';
  if (ageDays > deadlineDays) return 'past';
  if (ageDays >= deadlineDays - 2) return 'near';
  return 'ok';
}
