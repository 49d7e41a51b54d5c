import { localDate } from '../../../src/domain/calendar';
import {
  computeKpis,
  deadlineBuckets,
  decisionHours,
  type KpiItemFact,
  type KpiRequestFact,
  median,
  monthsBetween,
  weekStart,
  weeksBetween,
} from '../../../src/domain/kpis';

/*
 * A hand-computed fixture (figures worked out on paper, in the comments): period 01/10–30/11/2026,
 * deadlines 9 and 15 days, revenue October R$ 100.000, November R$ 10.000. São Paulo is UTC−3.
 *
 * | req | origin | reason     | cust | opened (SP) | released | shipped (SP)       | assist. | prod. | cost            |
 * |-----|--------|------------|------|-------------|----------|--------------------|---------|-------|-----------------|
 * | A   | bot    | industria  | C1   | 27/10       | 29/10    | 03/11              | 7       | 5     | 2×50 + 1×30=130 |
 * | B   | bot    | transporte | C2   | 05/10       | 12/10    | 20/10              | 15      | 8     | override 400    |
 * | C   | sac    | cliente    | C1   | 20/10       | 25/10    | 12/11 (charged)    | 23      | 18    | 4×25=100 charged|
 * | D   | bot    | industria  | C3   | 22/10       | 24/10    | 31/10 22:30 (UTC: 01/11) | 9 | 7     | 2×30 = 60       |
 * | E   | bot    | industria  | C2   | 02/11       | 05/11    | 16/11              | 14      | 11    | unknown         |
 * | F   | sac    | transporte | C3   | 28/11       | –        | –                  |         |       |                 |
 * | G   | bot    | industria  | C1   | 20/09       | 22/09    | 30/09 (outside)    |         |       |                 |
 * | H   | bot    | cliente    | C1   | 30/11 23:00 (UTC: 01/12) | – | –               |         |       |                 |
 * | I   | bot    | industria  | C2   | 25/09       | 01/10    | 06/10              | 11      | 5     | 1×30 = 30       |
 *
 * B was returned twice (decisions after 6 h, 24 h, then accepted after 2 h); H returned once (10 h).
 */

const at = (iso: string) => new Date(iso);
const item = (productCode: string, quantity: number, unitCost: number | null): KpiItemFact => ({
  productCode,
  description: `Produto ${productCode}`,
  quantity,
  unitCost,
});
const C1 = { code: 'C1', name: 'Alfa Móveis' };
const C2 = { code: 'C2', name: 'Beta Ambientes' };
const C3 = { code: 'C3', name: 'Gama Planejados' };

function fact(p: Partial<KpiRequestFact> & Pick<KpiRequestFact, 'protocol' | 'openedAt'>): KpiRequestFact {
  return {
    status: 'shipped',
    origin: 'bot',
    channel: 'web',
    reasonCategory: 'industria',
    inWarranty: true,
    customer: C1,
    releasedAt: null,
    shippedAt: null,
    costBrl: null,
    items: [],
    statusEvents: [{ at: p.openedAt, from: null, to: 'submitted' }],
    ...p,
  };
}
const ev = (iso: string, from: string | null, to: string) => ({ at: at(iso), from, to });

const A = fact({
  protocol: 'AT-000001',
  openedAt: at('2026-10-27T13:00:00Z'),
  releasedAt: at('2026-10-29T12:00:00Z'),
  shippedAt: at('2026-11-03T12:00:00Z'),
  items: [item('P100', 2, 50), item('P200', 1, 30)],
  statusEvents: [
    ev('2026-10-27T13:00:00Z', null, 'submitted'),
    ev('2026-10-27T19:00:00Z', 'submitted', 'accepted'),
    ev('2026-10-28T12:00:00Z', 'accepted', 'imported'),
    ev('2026-10-29T12:00:00Z', 'imported', 'released'),
    ev('2026-11-03T12:00:00Z', 'released', 'shipped'),
  ],
});
const B = fact({
  protocol: 'AT-000002',
  reasonCategory: 'transporte',
  customer: C2,
  openedAt: at('2026-10-05T12:00:00Z'),
  releasedAt: at('2026-10-12T12:00:00Z'),
  shippedAt: at('2026-10-20T12:00:00Z'),
  costBrl: 400,
  items: [item('P100', 1, 50)],
  statusEvents: [
    ev('2026-10-05T12:00:00Z', null, 'submitted'),
    ev('2026-10-05T18:00:00Z', 'submitted', 'returned'),
    ev('2026-10-07T12:00:00Z', 'returned', 'submitted'),
    ev('2026-10-08T12:00:00Z', 'submitted', 'returned'),
    ev('2026-10-10T12:00:00Z', 'returned', 'submitted'),
    ev('2026-10-10T14:00:00Z', 'submitted', 'accepted'),
    ev('2026-10-11T12:00:00Z', 'accepted', 'imported'),
    ev('2026-10-12T12:00:00Z', 'imported', 'released'),
    ev('2026-10-20T12:00:00Z', 'released', 'shipped'),
  ],
});
const C = fact({
  protocol: 'AT-000003',
  origin: 'sac',
  channel: 'sac',
  reasonCategory: 'cliente',
  inWarranty: false,
  openedAt: at('2026-10-20T12:00:00Z'),
  releasedAt: at('2026-10-25T12:00:00Z'),
  shippedAt: at('2026-11-12T12:00:00Z'),
  items: [item('P300', 4, 25)],
  statusEvents: [
    ev('2026-10-20T12:00:00Z', null, 'submitted'),
    ev('2026-10-21T12:00:00Z', 'submitted', 'charged'),
    ev('2026-10-23T12:00:00Z', 'charged', 'imported'),
    ev('2026-10-25T12:00:00Z', 'imported', 'released'),
    ev('2026-11-12T12:00:00Z', 'released', 'shipped'),
  ],
});
const D = fact({
  protocol: 'AT-000004',
  customer: C3,
  openedAt: at('2026-10-22T12:00:00Z'),
  releasedAt: at('2026-10-24T12:00:00Z'),
  // 22:30 on 31/10 in São Paulo: October, although it is already November in UTC.
  shippedAt: at('2026-11-01T01:30:00Z'),
  items: [item('P200', 2, 30)],
  statusEvents: [ev('2026-10-22T12:00:00Z', null, 'submitted'), ev('2026-10-22T15:00:00Z', 'submitted', 'accepted')],
});
const E = fact({
  protocol: 'AT-000005',
  customer: C2,
  openedAt: at('2026-11-02T12:00:00Z'),
  releasedAt: at('2026-11-05T12:00:00Z'),
  shippedAt: at('2026-11-16T12:00:00Z'),
  items: [item('P400', 1, null)],
  statusEvents: [ev('2026-11-02T12:00:00Z', null, 'submitted'), ev('2026-11-02T16:00:00Z', 'submitted', 'accepted')],
});
const F = fact({
  protocol: 'AT-000006',
  status: 'submitted',
  origin: 'sac',
  channel: 'sac',
  reasonCategory: 'transporte',
  customer: C3,
  openedAt: at('2026-11-28T12:00:00Z'),
  items: [item('P100', 3, 50)],
});
const G = fact({
  protocol: 'AT-000007',
  openedAt: at('2026-09-20T12:00:00Z'),
  releasedAt: at('2026-09-22T12:00:00Z'),
  shippedAt: at('2026-09-30T12:00:00Z'),
  items: [item('P100', 9, 50)],
  statusEvents: [ev('2026-09-20T12:00:00Z', null, 'submitted'), ev('2026-09-20T13:00:00Z', 'submitted', 'accepted')],
});
const H = fact({
  protocol: 'AT-000008',
  status: 'returned',
  reasonCategory: 'cliente',
  // 23:00 on 30/11 in São Paulo: inside the period, although it is 01/12 in UTC.
  openedAt: at('2026-12-01T02:00:00Z'),
  items: [item('P500', 1, 10)],
  statusEvents: [ev('2026-12-01T02:00:00Z', null, 'submitted'), ev('2026-12-01T12:00:00Z', 'submitted', 'returned')],
});
const I = fact({
  protocol: 'AT-000009',
  customer: C2,
  openedAt: at('2026-09-25T12:00:00Z'),
  releasedAt: at('2026-10-01T12:00:00Z'),
  shippedAt: at('2026-10-06T12:00:00Z'),
  items: [item('P200', 1, 30)],
  statusEvents: [ev('2026-09-25T12:00:00Z', null, 'submitted'), ev('2026-09-25T13:00:00Z', 'submitted', 'accepted')],
});

const OPTS = {
  from: '2026-10-01',
  to: '2026-11-30',
  assistanceDeadlineDays: 9,
  productionDeadlineDays: 15,
  revenueByMonth: { '2026-10': 100_000, '2026-11': 10_000 },
};
// Order must not matter.
const report = computeKpis([I, H, G, F, E, D, C, B, A], OPTS);

describe('KPI helpers', () => {
  it('takes calendar dates in São Paulo, not UTC', () => {
    expect(localDate(at('2026-11-01T01:30:00Z'))).toBe('2026-10-31');
    expect(localDate(at('2026-11-01T03:00:00Z'))).toBe('2026-11-01');
    expect(localDate(at('2026-11-01T02:59:59Z'))).toBe('2026-10-31');
  });

  it('weeks start on Monday; months and weeks of a period are listed in order', () => {
    expect(weekStart('2026-11-01')).toBe('2026-10-26'); // a Sunday
    expect(weekStart('2026-11-02')).toBe('2026-11-02'); // a Monday
    expect(monthsBetween('2026-11-15', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(weeksBetween('2026-10-01', '2026-10-12')).toEqual(['2026-09-28', '2026-10-05', '2026-10-12']);
  });

  it('builds buckets around the deadline', () => {
    expect(deadlineBuckets(9).map((b) => b.label)).toEqual(['0–3', '4–6', '7–9', '10–12', '13–15', '16+']);
    expect(deadlineBuckets(15).map((b) => b.label)).toEqual(['0–5', '6–10', '11–15', '16–20', '21–25', '26+']);
    expect(deadlineBuckets(1).map((b) => b.label)).toEqual(['0', '1', '2', '3', '4+']);
  });

  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('decision time restarts at each resubmission (B: 6 h, 24 h, 2 h)', () => {
    expect(decisionHours(B)).toEqual([6, 24, 2]);
    expect(decisionHours(F)).toEqual([]);
  });
});

describe('KPIs on the hand-computed fixture', () => {
  it('lists the requests submitted or shipped in the period (G is outside, H and I inside)', () => {
    expect(report.requests.map((r) => r.protocol)).toEqual([
      'AT-000001',
      'AT-000002',
      'AT-000003',
      'AT-000004',
      'AT-000005',
      'AT-000006',
      'AT-000008',
      'AT-000009',
    ]);
    const i = report.requests.find((r) => r.protocol === 'AT-000009')!;
    expect(i).toMatchObject({ submittedInPeriod: false, shippedInPeriod: true, assistanceDays: 11 });
    const d = report.requests.find((r) => r.protocol === 'AT-000004')!;
    expect(d).toMatchObject({ shippedOn: '2026-10-31', assistanceDays: 9, assistanceOnTime: true, productionDays: 7 });
    expect(report.submitted).toBe(7);
  });

  it('assistance lead time: 7, 15, 23, 9, 14, 11 days against 9', () => {
    const a = report.assistanceLeadTime;
    expect(a).toMatchObject({ deadlineDays: 9, count: 6, onTime: 2, onTimePct: 33.3, avgDays: 13.2 });
    expect(a).toMatchObject({ medianDays: 12.5, maxDays: 23 });
    expect(a.buckets.map((b) => [b.label, b.count])).toEqual([
      ['0–3', 0],
      ['4–6', 0],
      ['7–9', 2],
      ['10–12', 1],
      ['13–15', 2],
      ['16+', 1],
    ]);
    expect(a.byMonth).toEqual([
      { period: '2026-10', count: 3, onTime: 1, onTimePct: 33.3, avgDays: 11.7 },
      { period: '2026-11', count: 3, onTime: 1, onTimePct: 33.3, avgDays: 14.7 },
    ]);
    expect(a.byWeek.map((w) => w.period)).toEqual([
      '2026-09-28',
      '2026-10-05',
      '2026-10-12',
      '2026-10-19',
      '2026-10-26',
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
      '2026-11-23',
      '2026-11-30',
    ]);
    const week = (p: string) => a.byWeek.find((w) => w.period === p)!;
    expect(week('2026-10-05')).toEqual({ period: '2026-10-05', count: 1, onTime: 0, onTimePct: 0, avgDays: 11 });
    // D, shipped Saturday 31/10 in São Paulo (Sunday in UTC would still be this week, but November).
    expect(week('2026-10-26')).toEqual({ period: '2026-10-26', count: 1, onTime: 1, onTimePct: 100, avgDays: 9 });
    expect(week('2026-11-16')).toMatchObject({ count: 1, onTime: 0 });
    expect(week('2026-09-28')).toEqual({ period: '2026-09-28', count: 0, onTime: 0, onTimePct: null, avgDays: null });
  });

  it('production lead time: 5, 8, 18, 7, 11, 5 days against 15', () => {
    const p = report.productionLeadTime;
    expect(p).toMatchObject({ deadlineDays: 15, count: 6, onTime: 5, onTimePct: 83.3, avgDays: 9 });
    expect(p).toMatchObject({ medianDays: 7.5, maxDays: 18 });
    expect(p.buckets.map((b) => b.count)).toEqual([2, 2, 1, 1, 0, 0]);
    expect(p.byMonth).toEqual([
      { period: '2026-10', count: 3, onTime: 3, onTimePct: 100, avgDays: 6.7 },
      { period: '2026-11', count: 3, onTime: 2, onTimePct: 66.7, avgDays: 11.3 },
    ]);
  });

  it('cost per shipping month against 1% of the revenue; charged assistance apart', () => {
    expect(report.cost.byMonth).toEqual([
      {
        month: '2026-10',
        costBrl: 490, // B 400 (override) + D 60 + I 30
        requests: 3,
        requestsWithoutCost: 0,
        chargedRequests: 0,
        chargedCostBrl: 0,
        revenueBrl: 100_000,
        targetBrl: 1000,
        pctOfRevenue: 0.49,
        withinTarget: true,
      },
      {
        month: '2026-11',
        costBrl: 130, // A; E has a product without cost; C is charged
        requests: 2,
        requestsWithoutCost: 1,
        chargedRequests: 1,
        chargedCostBrl: 100,
        revenueBrl: 10_000,
        targetBrl: 100,
        pctOfRevenue: 1.3,
        withinTarget: false,
      },
    ]);
    expect(report.cost).toMatchObject({ targetShare: 0.01, totalBrl: 620, chargedTotalBrl: 100 });
    const c = report.requests.find((r) => r.protocol === 'AT-000003')!;
    expect(c).toMatchObject({ kind: 'charged', costBrl: 100, costSource: 'items', assistanceDays: 23 });
    expect(report.requests.find((r) => r.protocol === 'AT-000002')).toMatchObject({
      costBrl: 400,
      costSource: 'manual',
    });
    expect(report.requests.find((r) => r.protocol === 'AT-000005')).toMatchObject({
      costBrl: null,
      costSource: 'missing',
    });
  });

  it('no revenue entered → no target', () => {
    const r = computeKpis([A], { ...OPTS, revenueByMonth: {} });
    expect(r.cost.byMonth[1]).toMatchObject({ costBrl: 130, revenueBrl: null, targetBrl: null, withinTarget: null });
  });

  it('requests by reason, product and customer (by submission date)', () => {
    expect(report.byReason).toEqual([
      { category: 'industria', requests: 3 },
      { category: 'cliente', requests: 2 },
      { category: 'transporte', requests: 2 },
    ]);
    expect(report.byProduct).toEqual([
      { productCode: 'P100', description: 'Produto P100', requests: 3, quantity: 6 },
      { productCode: 'P200', description: 'Produto P200', requests: 2, quantity: 3 },
      { productCode: 'P300', description: 'Produto P300', requests: 1, quantity: 4 },
      { productCode: 'P400', description: 'Produto P400', requests: 1, quantity: 1 },
      { productCode: 'P500', description: 'Produto P500', requests: 1, quantity: 1 },
    ]);
    expect(report.byCustomer).toEqual([
      { code: 'C1', name: 'Alfa Móveis', requests: 3 },
      { code: 'C2', name: 'Beta Ambientes', requests: 2 },
      { code: 'C3', name: 'Gama Planejados', requests: 2 },
    ]);
  });

  it('returns, decision time and bot completion', () => {
    expect(report.returns).toEqual({ requests: 7, returnedRequests: 2, returnEvents: 3, ratePct: 28.6 });
    // A 6, B 6+24+2, C 24, D 3, E 4, H 10 → 79 h over 8 decisions.
    expect(report.decisionTime).toEqual({ decisions: 8, avgHours: 9.9, medianHours: 6, maxHours: 24 });
    // Bot requests submitted in the period: A, B, D, E, H; without a return: A, D, E.
    expect(report.botCompletion).toEqual({ botRequests: 5, withoutReturn: 3, ratePct: 60 });
  });

  it('an empty period has no percentages (null, not 0 or NaN)', () => {
    const r = computeKpis([], OPTS);
    expect(r.assistanceLeadTime).toMatchObject({ count: 0, onTimePct: null, avgDays: null, medianDays: null });
    expect(r.returns.ratePct).toBeNull();
    expect(r.botCompletion.ratePct).toBeNull();
    expect(r.cost.byMonth.map((m) => m.costBrl)).toEqual([0, 0]);
  });
});
