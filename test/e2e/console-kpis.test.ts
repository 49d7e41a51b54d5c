import { eq } from 'drizzle-orm';
import { customers, requestEvents, requests } from '../../src/db/schema';
import { ROLES, type Role } from '../../src/services/auth';
import { startTestApp, type TestApp } from '../support/app';
import { ConsoleAgent, consoleAgents } from '../support/browser';
import { dbKinds } from '../support/db';
import { KPI_PERIOD, seedKpiRequests } from '../support/kpi-seed';

/*
 * The KPIs page, its CSV, the monthly revenue form and the per-request cost override over HTTP:
 * route × role, CSRF, validation, escaping of customer text inside the charts' data.
 */
const PASSWORD = 'senha-console-1';
const XSS = '<img src=x onerror=alert(1)>"\'';
const Q = `?from=${KPI_PERIOD.from}&to=${KPI_PERIOD.to}`;
type Who = Role | 'anonymous';
const WHO: Who[] = [...ROLES, 'anonymous'];
const KPI_READERS: Role[] = ['assistant', 'manager', 'commercial', 'finance'];

const expected = (allowedRoles: Role[], yes: number, who: Who) =>
  who === 'anonymous' ? 302 : allowedRoles.includes(who) ? yes : 403;

describe.each(dbKinds())('KPIs in the console on %s', (kind) => {
  let t: TestApp;
  const agents = new Map<Who, ConsoleAgent>();

  beforeAll(async () => {
    t = await startTestApp(kind);
    await seedKpiRequests(t.handle.db);
    await t.handle.db
      .update(customers)
      .set({ name: `ALFA ${XSS}` })
      .where(eq(customers.code, 'K1'));
    agents.set('anonymous', new ConsoleAgent(t.base));
    for (const [role, a] of Object.entries(await consoleAgents(t.handle.db, t.base, ROLES, PASSWORD)))
      agents.set(role as Who, a);
  }, 120_000);
  afterAll(() => t?.close());

  const agent = (who: Who) => agents.get(who)!;

  it('GET: pages × roles', async () => {
    const table: [string, Role[], number][] = [
      [`/console/kpis${Q}`, KPI_READERS, 200],
      [`/console/kpis.csv${Q}`, KPI_READERS, 200],
      ['/console/requests/AT-900001/cost', ['assistant', 'manager', 'commercial', 'finance'], 200],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [url, roles, yes] of table) {
      for (const who of WHO) {
        got.push(`${who} GET ${url} → ${(await agent(who).get(url)).status}`);
        want.push(`${who} GET ${url} → ${expected(roles, yes, who)}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('POST: forms × roles (with a valid CSRF token)', async () => {
    const table: [string, Record<string, string>, Role[], number][] = [
      ['/console/kpis/revenue', { month: '2026-13', revenue: '10' }, ['manager'], 400],
      ['/console/requests/AT-999999/cost', { cost: '10' }, ['assistant', 'manager'], 404],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [url, form, roles, yes] of table) {
      for (const who of WHO) {
        await agent(who).get('/console/kpis');
        got.push(`${who} POST ${url} → ${(await agent(who).post(url, form)).status}`);
        want.push(`${who} POST ${url} → ${expected(roles, yes, who)}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('shows the figures, one canvas per chart with its data, and customer text escaped', async () => {
    const res = await agent('commercial').get(`/console/kpis${Q}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Indicadores da Assistência Técnica');
    expect(res.text).not.toContain(XSS);
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('/console/static/chart.umd.min.js');
    expect(res.text).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    const charts = [...res.text.matchAll(/<canvas id="([^"]+)"[^>]*data-chart="([^"]*)"/g)];
    expect(charts.map((m) => m[1])).toEqual([
      'chart-assistance',
      'chart-production',
      'chart-ontime-month',
      'chart-ontime-week',
      'chart-cost',
      'chart-reason',
      'chart-product',
      'chart-customer',
    ]);
    // What the browser does with an attribute value.
    const decodeAttr = (s: string) =>
      s
        .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
        .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const specs = Object.fromEntries(charts.map((m) => [m[1], JSON.parse(decodeAttr(m[2]!))]));
    expect(specs['chart-assistance'].datasets[0].data).toEqual([0, 0, 2, 0, 1, 1]);
    expect(specs['chart-ontime-month'].labels).toEqual(['out/2026', 'nov/2026']);
    expect(specs['chart-ontime-month'].datasets[0].data).toEqual([50, 50]);
    expect(specs['chart-customer'].labels).toContain(`ALFA ${XSS}`.slice(0, 40));
    expect(specs['chart-customer'].labels).toContain('=SOMA(1+1) MOVEIS');
    expect(res.text).toContain('href="/console/requests/AT-900002"');
    expect(res.text).not.toContain('Salvar faturamento'); // commercial may not enter revenue
  });

  it('the manager enters the month’s revenue; the page then judges the cost against 1%', async () => {
    const m = agent('manager');
    const page = await m.get(`/console/kpis${Q}`);
    expect(page.text).toContain('Salvar faturamento');
    expect(page.text).toContain('não informado');
    expect((await m.post('/console/kpis/revenue', { month: '2026-11', revenue: 'dez mil' })).status).toBe(400);
    const noCsrf = await m.post('/console/kpis/revenue', { month: '2026-11', revenue: '10', _csrf: 'x' });
    expect(noCsrf.status).toBe(403);
    const res = await m.post('/console/kpis/revenue', { month: '2026-11', revenue: '10.000,00', ...KPI_PERIOD });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/console/kpis?from=${KPI_PERIOD.from}&to=${KPI_PERIOD.to}&ok=revenue#custo`);
    const after = await m.get(`/console/kpis${Q}&ok=revenue`);
    expect(after.text).toContain('Faturamento do mês salvo.');
    expect(after.text).toMatch(/R\$\s10\.000,00/);
    expect(after.text).toMatch(/1,3%/); // 130 of 10,000
  });

  it('a reviewer overrides a request’s cost (history + audit); commercial only reads it', async () => {
    const a = agent('assistant');
    const reqPage = await a.get('/console/requests/AT-900001');
    expect(reqPage.status).toBe(200);
    expect(reqPage.text).toContain('hx-get="&#x2F;console&#x2F;requests&#x2F;AT-900001&#x2F;cost"');
    const sacPage = await agent('sac').get('/console/requests/AT-900001');
    expect(sacPage.text).not.toContain('request-cost');

    const frag = await a.get('/console/requests/AT-900001/cost', { 'hx-request': 'true' });
    expect(frag.text).toMatch(/Pelos itens: <b>R\$\s130,00<\/b>/);
    expect(frag.text).toContain('Salvar custo');
    expect((await a.post('/console/requests/AT-900001/cost', { cost: '-3' })).status).toBe(400);
    const saved = await a.post('/console/requests/AT-900001/cost', { cost: '250,50' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/console/requests/AT-900001?ok=edited');
    const shown = await agent('commercial').get('/console/requests/AT-900001/cost', { 'hx-request': 'true' });
    expect(shown.text).toMatch(/class="cost-used">R\$\s250,50/);
    expect(shown.text).not.toContain('Salvar custo');
    const [row] = await t.handle.db.select().from(requests).where(eq(requests.protocol, 'AT-900001'));
    expect(row!.costBrl).toBe(250.5);
    const events = await t.handle.db.select().from(requestEvents).where(eq(requestEvents.requestId, row!.id));
    expect(events.some((e) => e.kind === 'edit' && /R\$ 250,50/.test(e.note ?? ''))).toBe(true);
    // Empty = back to the items' cost.
    await a.post('/console/requests/AT-900001/cost', { cost: '' });
    const [cleared] = await t.handle.db.select().from(requests).where(eq(requests.protocol, 'AT-900001'));
    expect(cleared!.costBrl).toBeNull();
  });

  it('the CSV download is the same report, with a BOM', async () => {
    const res = await fetch(`${t.base}/console/kpis.csv${Q}`, {
      headers: { cookie: [...agent('finance').cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(res.status).toBe(200);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[0]).toMatch(/^\uFEFFprotocolo;status;origem;/);
    expect(text).toContain('AT-900004;shipped;bot;web;K2;');
  });
});
