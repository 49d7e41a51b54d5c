import type { DbHandle } from '../../src/db/client';
import { loadKpiFacts } from '../../src/db/kpis-repo';
import { dbKeyValueStore } from '../../src/db/kv-store';
import { kpiReport, readRevenue, saveRevenue, setRequestCost } from '../../src/services/kpis';
import { dbKinds, openTestDb } from '../support/db';
import { KPI_PERIOD, seedKpiRequests } from '../support/kpi-seed';

const SETTINGS = { assistanceDeadlineDays: 9, productionDeadlineDays: 15 };

describe.each(dbKinds())('KPI facts and report on %s', (kind) => {
  let h: DbHandle;

  beforeAll(async () => {
    h = await openTestDb(kind);
    await seedKpiRequests(h.db);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('loads the requests submitted or shipped around the period, with items, unit costs and status events', async () => {
    const facts = await loadKpiFacts(h.db, KPI_PERIOD);
    expect(facts.map((f) => f.protocol)).toEqual(['AT-900001', 'AT-900002', 'AT-900003', 'AT-900004', 'AT-900005']);
    const b = facts.find((f) => f.protocol === 'AT-900002')!;
    expect(b.statusEvents.map((e) => e.to)).toEqual([
      'submitted',
      'returned',
      'submitted',
      'returned',
      'submitted',
      'accepted',
      'released',
      'shipped',
    ]);
    expect(b.statusEvents[1]!.at.toISOString()).toBe('2026-10-05T18:00:00.000Z');
    expect(b).toMatchObject({ costBrl: 400, customer: { code: 'K2' }, origin: 'bot' });
    const a = facts.find((f) => f.protocol === 'AT-900001')!;
    expect(a.items).toEqual([
      { productCode: 'KP1', description: 'PRODUTO KP1', quantity: 2, unitCost: 50 },
      { productCode: 'KP2', description: 'PRODUTO KP2', quantity: 1, unitCost: 30 },
    ]);
    expect(a.openedAt.toISOString()).toBe('2026-10-27T13:00:00.000Z');
    expect(a.shippedAt?.toISOString()).toBe('2026-11-03T12:00:00.000Z');
    expect(facts.find((f) => f.protocol === 'AT-900005')!.items[0]!.unitCost).toBeNull();
  });

  it('computes the report from the database the same way on both databases', async () => {
    const kv = dbKeyValueStore(h.db);
    await saveRevenue(kv, '2026-10', 100_000);
    await saveRevenue(kv, '2026-11', 10_000);
    const r = await kpiReport(h.db, kv, KPI_PERIOD, SETTINGS);
    // 7, 15, 23, 9 days: two on time; AT-900004 shipped 31/10 22:30 in São Paulo counts in October.
    expect(r.assistanceLeadTime).toMatchObject({ count: 4, onTime: 2, onTimePct: 50, avgDays: 13.5 });
    expect(r.assistanceLeadTime.byMonth.map((m) => [m.period, m.count])).toEqual([
      ['2026-10', 2],
      ['2026-11', 2],
    ]);
    expect(r.productionLeadTime).toMatchObject({ count: 4, onTime: 3 });
    expect(r.cost.byMonth.map((m) => [m.month, m.costBrl, m.chargedCostBrl, m.targetBrl, m.withinTarget])).toEqual([
      ['2026-10', 460, 0, 1000, true],
      ['2026-11', 130, 100, 100, false],
    ]);
    expect(r.returns).toEqual({ requests: 5, returnedRequests: 1, returnEvents: 2, ratePct: 20 });
    expect(r.botCompletion).toEqual({ botRequests: 4, withoutReturn: 3, ratePct: 75 });
    expect(r.decisionTime).toMatchObject({ decisions: 6 });
  });

  it('keeps revenue per month in the settings and refuses nonsense', async () => {
    const kv = dbKeyValueStore(h.db);
    await saveRevenue(kv, '2026-09', 1234.567);
    expect(await readRevenue(kv, ['2026-08', '2026-09'])).toEqual({ '2026-09': 1234.57 });
    await expect(saveRevenue(kv, '2026-13', 1)).rejects.toThrow(/Mês inválido/);
    await expect(saveRevenue(kv, '2026-09', -1)).rejects.toThrow(/Faturamento inválido/);
  });

  it('a cost override replaces the items cost and is written to the history; clearing it goes back', async () => {
    const kv = dbKeyValueStore(h.db);
    expect(await setRequestCost(h.db, 'at-900001', 250.5, 'user:gestor@x')).toEqual({ previous: null });
    let r = await kpiReport(h.db, kv, KPI_PERIOD, SETTINGS);
    expect(r.requests.find((x) => x.protocol === 'AT-900001')).toMatchObject({ costBrl: 250.5, costSource: 'manual' });
    expect(r.cost.byMonth[1]!.costBrl).toBe(250.5);
    expect(await setRequestCost(h.db, 'AT-900001', null, 'user:gestor@x')).toEqual({ previous: 250.5 });
    r = await kpiReport(h.db, kv, KPI_PERIOD, SETTINGS);
    expect(r.requests.find((x) => x.protocol === 'AT-900001')).toMatchObject({ costBrl: 130, costSource: 'items' });
    await expect(setRequestCost(h.db, 'AT-999999', 1, 'x')).rejects.toThrow(/não encontrada/);
    await expect(setRequestCost(h.db, 'AT-900001', -5, 'x')).rejects.toThrow(/Custo inválido/);
  });
});
