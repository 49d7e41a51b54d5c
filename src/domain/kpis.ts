import { COMPANY_TIME_ZONE, localDate } from './calendar';
import { addDays, daysBetween, type IsoDate } from './warranty';

/**
 * The assistance KPIs of PRO-AST-01 §6.1 ("Prazo de Produção de 15 dias. Prazo de Assistência de
 * 9 dias. Custo com assistência que represente menos de 1% do faturamento do mês"), plus the
 * review figures the manager follows. Pure: facts in, figures out.
 *
 * Counting rules (also in docs/decisions.md):
 * - Days are calendar days in America/Sao_Paulo: an instant becomes the local date it falls on,
 *   and a lead time is the number of midnights between two local dates (submitted and shipped on
 *   the same day = 0 days). "On time" = lead time ≤ the deadline.
 * - Lead times (assistance: first submission → shipped; production: release → shipped) and the
 *   assistance cost count in the day, ISO week (Monday) and month the request was SHIPPED.
 * - Requests by reason / product / customer, returns, decision time and bot completion count in
 *   the day the request was FIRST SUBMITTED (its protocol was created), whatever happened later.
 * - Cost of a request = staff override (`costBrl`) or Σ quantity × product unit cost; a request
 *   with an item without a unit cost and no override has no cost ("missing", counted apart).
 *   Charged assistance (the last of accepted/charged decisions is `charged`) is paid by the
 *   customer, so it is reported apart and not counted against 1% of the revenue.
 * - Decision time: from each submission (the first, or a resubmission after a return) to the next
 *   decision (accepted, returned, charged, rejected), in hours.
 */

export const KPI_TIME_ZONE = COMPANY_TIME_ZONE;

/** Decision statuses: the reviewer's answer to a submission. */
const DECISION_STATUSES: readonly string[] = ['accepted', 'returned', 'charged', 'rejected'];

export interface KpiItemFact {
  productCode: string;
  description: string;
  quantity: number;
  /** Product unit cost in BRL; null = unknown. */
  unitCost: number | null;
}

export interface KpiStatusEvent {
  at: Date;
  from: string | null;
  to: string;
}

/** What the KPIs need to know about one request. */
export interface KpiRequestFact {
  protocol: string;
  status: string;
  origin: string;
  channel: string;
  reasonCategory: string;
  inWarranty: boolean;
  customer: { code: string; name: string };
  /** First submission (the protocol's creation). */
  openedAt: Date;
  releasedAt: Date | null;
  shippedAt: Date | null;
  /** Staff override of the cost; null = from the items. */
  costBrl: number | null;
  items: KpiItemFact[];
  /** Status events in the order they happened. */
  statusEvents: KpiStatusEvent[];
}

export interface KpiOptions {
  /** First and last day of the period (inclusive), local dates. */
  from: IsoDate;
  to: IsoDate;
  assistanceDeadlineDays: number;
  productionDeadlineDays: number;
  /** Revenue entered by the manager, by month `YYYY-MM`. */
  revenueByMonth: Record<string, number>;
  /** Share of the revenue the assistance cost should stay under (PRO-AST-01: 1%). */
  costTargetShare?: number;
  timeZone?: string;
}

export interface Bucket {
  label: string;
  min: number;
  /** Inclusive; null = no upper bound. */
  max: number | null;
  count: number;
}

export interface PeriodLeadTime {
  /** `YYYY-MM` or the Monday of the ISO week `YYYY-MM-DD`. */
  period: string;
  count: number;
  onTime: number;
  onTimePct: number | null;
  avgDays: number | null;
}

export interface LeadTimeStats {
  deadlineDays: number;
  count: number;
  onTime: number;
  onTimePct: number | null;
  avgDays: number | null;
  medianDays: number | null;
  maxDays: number | null;
  buckets: Bucket[];
  byWeek: PeriodLeadTime[];
  byMonth: PeriodLeadTime[];
}

export interface MonthCost {
  month: string;
  /** Assistance (non-charged) cost of the requests shipped that month. */
  costBrl: number;
  /** Non-charged requests shipped that month. */
  requests: number;
  /** Of those, how many have no known cost (not in costBrl). */
  requestsWithoutCost: number;
  /** Charged assistance shipped that month (paid by the customer; not in costBrl). */
  chargedRequests: number;
  chargedCostBrl: number;
  revenueBrl: number | null;
  /** costTargetShare × revenue. */
  targetBrl: number | null;
  /** Cost as % of the revenue. */
  pctOfRevenue: number | null;
  withinTarget: boolean | null;
}

export interface KpiRequestRow {
  protocol: string;
  status: string;
  origin: string;
  channel: string;
  reasonCategory: string;
  inWarranty: boolean;
  kind: 'warranty' | 'charged';
  customerCode: string;
  customerName: string;
  openedOn: IsoDate;
  releasedOn: IsoDate | null;
  shippedOn: IsoDate | null;
  assistanceDays: number | null;
  assistanceOnTime: boolean | null;
  productionDays: number | null;
  productionOnTime: boolean | null;
  returns: number;
  costBrl: number | null;
  costSource: 'manual' | 'items' | 'missing';
  /** First submitted within the period (counts, returns, decision time, bot completion). */
  submittedInPeriod: boolean;
  /** Shipped within the period (lead times, cost). */
  shippedInPeriod: boolean;
}

export interface KpiReport {
  period: { from: IsoDate; to: IsoDate; timeZone: string };
  assistanceLeadTime: LeadTimeStats;
  productionLeadTime: LeadTimeStats;
  cost: { targetShare: number; byMonth: MonthCost[]; totalBrl: number; chargedTotalBrl: number };
  submitted: number;
  byReason: { category: string; requests: number }[];
  byProduct: { productCode: string; description: string; requests: number; quantity: number }[];
  byCustomer: { code: string; name: string; requests: number }[];
  returns: { requests: number; returnedRequests: number; returnEvents: number; ratePct: number | null };
  decisionTime: { decisions: number; avgHours: number | null; medianHours: number | null; maxHours: number | null };
  botCompletion: { botRequests: number; withoutReturn: number; ratePct: number | null };
  requests: KpiRequestRow[];
}

/** Monday of the ISO week of `date`. */
export function weekStart(date: IsoDate): IsoDate {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

export const monthOf = (date: IsoDate): string => date.slice(0, 7);

/** Every month `YYYY-MM` from the month of `from` to the month of `to`. */
export function monthsBetween(from: IsoDate, to: IsoDate): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const end = monthOf(to);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > end) break;
    out.push(key);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Mondays of every ISO week that touches [from, to]. */
export function weeksBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let w = weekStart(from); w <= to; w = addDays(w, 7)) out.push(w);
  return out;
}

const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
const pct = (part: number, whole: number) => (whole ? round((part / whole) * 100, 1) : null);
const avg = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 1) : null);

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Histogram buckets around a deadline: three steps up to the deadline, two after it, then "more".
 * For 9 days: 0–3, 4–6, 7–9, 10–12, 13–15, 16+; for 15: 0–5, 6–10, 11–15, 16–20, 21–25, 26+.
 */
export function deadlineBuckets(deadlineDays: number): Omit<Bucket, 'count'>[] {
  const step = Math.max(1, Math.ceil(deadlineDays / 3));
  const edges = [
    deadlineDays - 2 * step,
    deadlineDays - step,
    deadlineDays,
    deadlineDays + step,
    deadlineDays + 2 * step,
  ];
  const out: Omit<Bucket, 'count'>[] = [];
  let min = 0;
  for (const max of edges) {
    if (max < min) continue;
    out.push({ label: min === max ? `${min}` : `${min}–${max}`, min, max });
    min = max + 1;
  }
  out.push({ label: `${min}+`, min, max: null });
  return out;
}

interface LeadSample {
  shippedOn: IsoDate;
  days: number;
}

function leadTimeStats(samples: LeadSample[], deadlineDays: number, from: IsoDate, to: IsoDate): LeadTimeStats {
  const days = samples.map((s) => s.days);
  const onTime = (xs: LeadSample[]) => xs.filter((s) => s.days <= deadlineDays).length;
  const period = (key: string, xs: LeadSample[]): PeriodLeadTime => ({
    period: key,
    count: xs.length,
    onTime: onTime(xs),
    onTimePct: pct(onTime(xs), xs.length),
    avgDays: avg(xs.map((s) => s.days)),
  });
  return {
    deadlineDays,
    count: samples.length,
    onTime: onTime(samples),
    onTimePct: pct(onTime(samples), samples.length),
    avgDays: avg(days),
    medianDays: median(days),
    maxDays: days.length ? Math.max(...days) : null,
    buckets: deadlineBuckets(deadlineDays).map((b) => ({
      ...b,
      count: days.filter((d) => d >= b.min && (b.max === null || d <= b.max)).length,
    })),
    byWeek: weeksBetween(from, to).map((w) =>
      period(
        w,
        samples.filter((s) => weekStart(s.shippedOn) === w),
      ),
    ),
    byMonth: monthsBetween(from, to).map((m) =>
      period(
        m,
        samples.filter((s) => monthOf(s.shippedOn) === m),
      ),
    ),
  };
}

/** `charged` when the latest accepted/charged decision is `charged`; else warranty. */
export function assistanceKind(f: KpiRequestFact): 'warranty' | 'charged' {
  let kind: 'warranty' | 'charged' = 'warranty';
  for (const e of f.statusEvents) {
    if (e.to === 'charged') kind = 'charged';
    else if (e.to === 'accepted') kind = 'warranty';
  }
  return kind;
}

/** Cost of one request: the override, else Σ quantity × unit cost, else null (some cost unknown). */
export function requestCost(f: Pick<KpiRequestFact, 'costBrl' | 'items'>): {
  costBrl: number | null;
  source: 'manual' | 'items' | 'missing';
} {
  if (f.costBrl !== null) return { costBrl: round(f.costBrl, 2), source: 'manual' };
  if (!f.items.length || f.items.some((i) => i.unitCost === null)) return { costBrl: null, source: 'missing' };
  return {
    costBrl: round(
      f.items.reduce((s, i) => s + i.quantity * i.unitCost!, 0),
      2,
    ),
    source: 'items',
  };
}

/** Hours from each submission to the decision that answered it. */
export function decisionHours(f: KpiRequestFact): number[] {
  const out: number[] = [];
  let since: Date | null = f.openedAt;
  for (const e of f.statusEvents) {
    if (e.to === 'submitted') {
      // The first event is the submission itself; a later one is a resubmission.
      since = e.from === null ? f.openedAt : e.at;
    } else if (since && DECISION_STATUSES.includes(e.to)) {
      out.push((e.at.getTime() - since.getTime()) / 3_600_000);
      since = null;
    }
  }
  return out;
}

const returnsOf = (f: KpiRequestFact) => f.statusEvents.filter((e) => e.to === 'returned').length;

/** Every KPI of the period. */
export function computeKpis(facts: readonly KpiRequestFact[], opts: KpiOptions): KpiReport {
  const tz = opts.timeZone ?? KPI_TIME_ZONE;
  const share = opts.costTargetShare ?? 0.01;
  const inPeriod = (d: IsoDate | null) => d !== null && d >= opts.from && d <= opts.to;

  const rows: KpiRequestRow[] = [];
  const assistance: LeadSample[] = [];
  const production: LeadSample[] = [];
  const submittedFacts: KpiRequestFact[] = [];
  const monthCost = new Map<
    string,
    { cost: number; n: number; missing: number; charged: number; chargedCost: number }
  >();

  for (const f of facts) {
    const openedOn = localDate(f.openedAt, tz);
    const releasedOn = f.releasedAt ? localDate(f.releasedAt, tz) : null;
    const shippedOn = f.shippedAt ? localDate(f.shippedAt, tz) : null;
    const submittedInPeriod = inPeriod(openedOn);
    const shippedInPeriod = inPeriod(shippedOn);
    if (!submittedInPeriod && !shippedInPeriod) continue;
    const kind = assistanceKind(f);
    const cost = requestCost(f);
    const assistanceDays = shippedOn ? daysBetween(openedOn, shippedOn) : null;
    const productionDays = shippedOn && releasedOn ? daysBetween(releasedOn, shippedOn) : null;
    if (submittedInPeriod) submittedFacts.push(f);
    if (shippedInPeriod && shippedOn) {
      if (assistanceDays !== null) assistance.push({ shippedOn, days: assistanceDays });
      if (productionDays !== null) production.push({ shippedOn, days: productionDays });
      const m = monthOf(shippedOn);
      const c = monthCost.get(m) ?? { cost: 0, n: 0, missing: 0, charged: 0, chargedCost: 0 };
      if (kind === 'charged') {
        c.charged++;
        c.chargedCost += cost.costBrl ?? 0;
      } else {
        c.n++;
        if (cost.costBrl === null) c.missing++;
        else c.cost += cost.costBrl;
      }
      monthCost.set(m, c);
    }
    rows.push({
      protocol: f.protocol,
      status: f.status,
      origin: f.origin,
      channel: f.channel,
      reasonCategory: f.reasonCategory,
      inWarranty: f.inWarranty,
      kind,
      customerCode: f.customer.code,
      customerName: f.customer.name,
      openedOn,
      releasedOn,
      shippedOn,
      assistanceDays,
      assistanceOnTime: assistanceDays === null ? null : assistanceDays <= opts.assistanceDeadlineDays,
      productionDays,
      productionOnTime: productionDays === null ? null : productionDays <= opts.productionDeadlineDays,
      returns: returnsOf(f),
      costBrl: cost.costBrl,
      costSource: cost.source,
      submittedInPeriod,
      shippedInPeriod,
    });
  }
  rows.sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));

  const byMonth: MonthCost[] = monthsBetween(opts.from, opts.to).map((month) => {
    const c = monthCost.get(month) ?? { cost: 0, n: 0, missing: 0, charged: 0, chargedCost: 0 };
    const revenue = opts.revenueByMonth[month];
    const hasRevenue = typeof revenue === 'number' && revenue > 0;
    const costBrl = round(c.cost, 2);
    return {
      month,
      costBrl,
      requests: c.n,
      requestsWithoutCost: c.missing,
      chargedRequests: c.charged,
      chargedCostBrl: round(c.chargedCost, 2),
      revenueBrl: hasRevenue ? revenue : null,
      targetBrl: hasRevenue ? round(revenue * share, 2) : null,
      pctOfRevenue: hasRevenue ? round((costBrl / revenue) * 100, 2) : null,
      withinTarget: hasRevenue ? costBrl < revenue * share : null,
    };
  });

  const count = <K>(keyOf: (f: KpiRequestFact) => K[]) => {
    const m = new Map<K, number>();
    for (const f of submittedFacts) for (const k of new Set(keyOf(f))) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const byDesc = <T extends { requests: number }>(a: T, b: T, ka: string, kb: string) =>
    b.requests - a.requests || (ka < kb ? -1 : ka > kb ? 1 : 0);

  const products = new Map<string, { description: string; requests: number; quantity: number }>();
  for (const f of submittedFacts) {
    const seen = new Set<string>();
    for (const i of f.items) {
      const p = products.get(i.productCode) ?? { description: i.description, requests: 0, quantity: 0 };
      if (!seen.has(i.productCode)) p.requests++;
      seen.add(i.productCode);
      p.quantity += i.quantity;
      products.set(i.productCode, p);
    }
  }
  const customers = new Map<string, { name: string; requests: number }>();
  for (const f of submittedFacts) {
    const c = customers.get(f.customer.code) ?? { name: f.customer.name, requests: 0 };
    c.requests++;
    customers.set(f.customer.code, c);
  }

  const returned = submittedFacts.filter((f) => returnsOf(f) > 0).length;
  const hours = submittedFacts.flatMap(decisionHours);
  const bot = submittedFacts.filter((f) => f.origin === 'bot');
  const botClean = bot.filter((f) => returnsOf(f) === 0).length;

  return {
    period: { from: opts.from, to: opts.to, timeZone: tz },
    assistanceLeadTime: leadTimeStats(assistance, opts.assistanceDeadlineDays, opts.from, opts.to),
    productionLeadTime: leadTimeStats(production, opts.productionDeadlineDays, opts.from, opts.to),
    cost: {
      targetShare: share,
      byMonth,
      totalBrl: round(
        byMonth.reduce((s, m) => s + m.costBrl, 0),
        2,
      ),
      chargedTotalBrl: round(
        byMonth.reduce((s, m) => s + m.chargedCostBrl, 0),
        2,
      ),
    },
    submitted: submittedFacts.length,
    byReason: [...count((f) => [f.reasonCategory])]
      .map(([category, requests]) => ({ category, requests }))
      .sort((a, b) => byDesc(a, b, a.category, b.category)),
    byProduct: [...products]
      .map(([productCode, p]) => ({ productCode, ...p }))
      .sort((a, b) => byDesc(a, b, a.productCode, b.productCode)),
    byCustomer: [...customers].map(([code, c]) => ({ code, ...c })).sort((a, b) => byDesc(a, b, a.code, b.code)),
    returns: {
      requests: submittedFacts.length,
      returnedRequests: returned,
      returnEvents: submittedFacts.reduce((s, f) => s + returnsOf(f), 0),
      ratePct: pct(returned, submittedFacts.length),
    },
    decisionTime: {
      decisions: hours.length,
      avgHours: avg(hours),
      medianHours: hours.length ? round(median(hours)!, 1) : null,
      maxHours: hours.length ? round(Math.max(...hours), 1) : null,
    },
    botCompletion: { botRequests: bot.length, withoutReturn: botClean, ratePct: pct(botClean, bot.length) },
    requests: rows,
  };
}
