import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { KeyValueStore } from '../channels/types';
import type { Database } from '../db/client';
import { itemCosts, loadKpiFacts } from '../db/kpis-repo';
import { requestEvents, requests } from '../db/schema';
import { computeKpis, type KpiItemFact, type KpiReport, monthsBetween, requestCost } from '../domain/kpis';
import { addMonths, daysBetween, type IsoDate, parseDateBrOrIso } from '../domain/warranty';
import { ClientError } from './errors';

/** Longest period one report covers (a BI tool asks month by month or year by year). */
export const MAX_PERIOD_DAYS = 731;

/** Settings key of a month's revenue (`revenue:2026-11`), entered by the manager. */
export const revenueKey = (month: string) => `revenue:${month}`;

const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/** The revenue entered for each month that has one. */
export async function readRevenue(kv: KeyValueStore, months: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of months) {
    const v = z
      .number()
      .finite()
      .nonnegative()
      .safeParse(await kv.get(revenueKey(m)));
    if (v.success) out[m] = v.data;
  }
  return out;
}

/** Store a month's revenue (BRL); refuses a malformed month or a negative amount. */
export async function saveRevenue(kv: KeyValueStore, month: string, brl: number): Promise<void> {
  if (!monthSchema.safeParse(month).success) throw new ClientError(400, 'Mês inválido (use AAAA-MM).');
  if (!Number.isFinite(brl) || brl < 0 || brl > 1e13) throw new ClientError(400, 'Faturamento inválido.');
  await kv.set(revenueKey(month), Math.round(brl * 100) / 100);
}

export interface KpiPeriod {
  from: IsoDate;
  to: IsoDate;
}

/**
 * `from`/`to` from a query (`YYYY-MM-DD` or `dd/mm/aaaa`); defaults: the last three months up to
 * today (from the first day of the month two months back). Throws ClientError(400) with a
 * message in Portuguese when a date is not a date, `from` is after `to`, or the span is too long.
 */
export function parseKpiPeriod(query: { from?: unknown; to?: unknown }, today: IsoDate): KpiPeriod {
  const one = (v: unknown, name: string): IsoDate | undefined => {
    if (v === undefined || v === '') return undefined;
    const d = typeof v === 'string' ? parseDateBrOrIso(v) : null;
    if (!d) throw new ClientError(400, `"${name}" deve ser uma data AAAA-MM-DD.`);
    return d;
  };
  const to = one(query.to, 'to') ?? today;
  const from = one(query.from, 'from') ?? `${addMonths(`${to.slice(0, 7)}-01`, -2)}`;
  if (from > to) throw new ClientError(400, '"from" deve ser anterior ou igual a "to".');
  if (daysBetween(from, to) > MAX_PERIOD_DAYS) {
    throw new ClientError(400, `O período pode ter no máximo ${MAX_PERIOD_DAYS} dias.`);
  }
  return { from, to };
}

export interface KpiSettings {
  assistanceDeadlineDays: number;
  productionDeadlineDays: number;
}

/** Load the period's facts and the revenue entered, and compute every KPI. */
export async function kpiReport(
  db: Database,
  kv: KeyValueStore,
  period: KpiPeriod,
  settings: KpiSettings,
): Promise<KpiReport> {
  const [facts, revenueByMonth] = await Promise.all([
    loadKpiFacts(db, period),
    readRevenue(kv, monthsBetween(period.from, period.to)),
  ]);
  return computeKpis(facts, { ...period, ...settings, revenueByMonth });
}

/**
 * Set (or clear, with null) a request's assistance cost override; written to its history.
 * Returns the previous value.
 */
export async function setRequestCost(
  db: Database,
  protocol: string,
  costBrl: number | null,
  by: string,
): Promise<{ previous: number | null }> {
  if (costBrl !== null && (!Number.isFinite(costBrl) || costBrl < 0 || costBrl > 1e10)) {
    throw new ClientError(400, 'Custo inválido.');
  }
  const value = costBrl === null ? null : Math.round(costBrl * 100) / 100;
  return db.transaction(async (tx) => {
    const [req] = await tx
      .select({ id: requests.id, cost: requests.costBrl })
      .from(requests)
      .where(eq(requests.protocol, protocol.toUpperCase()))
      .for('update');
    if (!req) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
    await tx.update(requests).set({ costBrl: value, updatedAt: new Date() }).where(eq(requests.id, req.id));
    const brl = (n: number) => `R$ ${n.toFixed(2).replace('.', ',')}`;
    const note =
      value === null
        ? 'Custo da assistência: volta a ser calculado pelos itens'
        : `Custo da assistência definido em ${brl(value)}`;
    await tx
      .insert(requestEvents)
      .values({ requestId: req.id, by, kind: 'edit', note, data: { costBrl: { from: req.cost, to: value } } });
    return { previous: req.cost };
  });
}

export interface RequestCostView {
  protocol: string;
  /** Staff override; null = none. */
  overrideBrl: number | null;
  /** Σ quantity × unit cost; null when an item has no unit cost. */
  itemsBrl: number | null;
  /** Items whose product has no unit cost. */
  itemsWithoutCost: number;
  items: KpiItemFact[];
}

/** A request's cost: the override, and what its items cost. Null when the protocol is unknown. */
export async function loadRequestCost(db: Database, protocol: string): Promise<RequestCostView | null> {
  const [req] = await db
    .select({ id: requests.id, protocol: requests.protocol, cost: requests.costBrl })
    .from(requests)
    .where(eq(requests.protocol, protocol.toUpperCase()));
  if (!req) return null;
  const items = (await itemCosts(db, [req.id])).map(({ requestId: _, ...i }) => i);
  return {
    protocol: req.protocol,
    overrideBrl: req.cost,
    itemsBrl: requestCost({ costBrl: null, items }).costBrl,
    itemsWithoutCost: items.filter((i) => i.unitCost === null).length,
    items,
  };
}
