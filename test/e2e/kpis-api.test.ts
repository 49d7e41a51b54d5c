import { parse } from 'csv-parse/sync';
import { dbKeyValueStore } from '../../src/db/kv-store';
import type { KpiReport } from '../../src/domain/kpis';
import { saveRevenue } from '../../src/services/kpis';
import { startTestApp, type TestApp } from '../support/app';
import { dbKinds } from '../support/db';
import { FORMULA_NAME, KPI_PERIOD, seedKpiRequests } from '../support/kpi-seed';

const Q = `?from=${KPI_PERIOD.from}&to=${KPI_PERIOD.to}`;

describe.each(dbKinds())('KPI API for BI tools on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind);
    await seedKpiRequests(t.handle.db);
    await saveRevenue(dbKeyValueStore(t.handle.db), '2026-11', 10_000);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('GET /api/kpis: manager, assistant, commercial and finance read it; other roles 403; no token 401', async () => {
    for (const role of ['manager', 'assistant', 'commercial', 'finance'] as const) {
      const r = await t.api<KpiReport>('GET', `/api/kpis${Q}`, await t.token(role));
      expect(r.status).toBe(200);
      expect(r.json.period).toEqual({ ...KPI_PERIOD, timeZone: 'America/Sao_Paulo' });
    }
    for (const role of ['sac', 'projects', 'training'] as const) {
      expect((await t.api('GET', `/api/kpis${Q}`, await t.token(role))).status).toBe(403);
    }
    expect((await t.http('GET', `/api/kpis${Q}`)).status).toBe(401);
    expect((await t.http('GET', `/api/kpis.csv${Q}`)).status).toBe(401);
  });

  it('answers the figures of the seeded requests', async () => {
    const { json } = await t.api<KpiReport>('GET', `/api/kpis${Q}`, await t.token('commercial'));
    expect(json.assistanceLeadTime).toMatchObject({ count: 4, onTime: 2, onTimePct: 50 });
    expect(json.cost.byMonth[1]).toMatchObject({ month: '2026-11', costBrl: 130, targetBrl: 100, withinTarget: false });
    expect(json.requests).toHaveLength(5);
  });

  it('refuses a bad period with a 400 and a message', async () => {
    const token = await t.token('manager');
    for (const q of [
      '?from=2026-13-01',
      '?from=2026-11-30&to=2026-10-01',
      '?from=2020-01-01&to=2026-01-01',
      '?to=ontem',
    ]) {
      const r = await t.api<{ error: string }>('GET', `/api/kpis${q}`, token);
      expect(r.status).toBe(400);
      expect(r.json.error).toBeTruthy();
    }
    // No dates: the last three months up to today (TODAY = 2026-11-29).
    const r = await t.api<KpiReport>('GET', '/api/kpis', token);
    expect(r.json.period).toMatchObject({ from: '2026-09-01', to: '2026-11-29' });
  });

  it('GET /api/kpis.csv: ; separated, UTF-8 with BOM, formula-looking cells neutralised, equal to the JSON', async () => {
    const token = await t.token('finance');
    const res = await fetch(`${t.base}/api/kpis.csv${Q}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toContain('kpis-2026-10-01-a-2026-11-30.csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: Record<string, string>[] = parse(bytes.toString('utf8').slice(1), { delimiter: ';', columns: true });
    const { json } = await t.api<KpiReport>('GET', `/api/kpis${Q}`, token);
    expect(rows.map((r) => r.protocolo)).toEqual(json.requests.map((r) => r.protocol));
    const b = rows.find((r) => r.protocolo === 'AT-900002')!;
    expect(b.cliente_nome).toBe(`'${FORMULA_NAME}`);
    expect(b).toMatchObject({
      prazo_assistencia_dias: '15',
      assistencia_no_prazo: 'não',
      prazo_producao_dias: '8',
      devolucoes: '2',
      custo_brl: '400',
      custo_origem: 'manual',
      expedida_em: '2026-10-20',
    });
    for (const r of rows) {
      const j = json.requests.find((x) => x.protocol === r.protocolo)!;
      expect(r.prazo_assistencia_dias).toBe(j.assistanceDays === null ? '' : String(j.assistanceDays));
      expect(r.custo_brl).toBe(j.costBrl === null ? '' : String(j.costBrl).replace('.', ','));
      expect(r.cliente_codigo).toBe(j.customerCode);
    }
    // No cell of the file starts a formula.
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@]/);
  });
});
