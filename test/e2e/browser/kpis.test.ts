import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../../src/services/auth';
import { startTestApp, type TestApp } from '../../support/app';
import { artifactPath, launchChromium } from '../../support/browser';
import { dbKinds } from '../../support/db';
import { KPI_PERIOD, seedKpiRequests } from '../../support/kpi-seed';

/*
 * The KPIs dashboard in a real browser (Debian's Chromium): the charts are really drawn under the
 * console's strict CSP (Chart.js from /console/static, data from attributes, no inline script),
 * the manager enters a month's revenue, a reviewer overrides a request's cost through htmx.
 * Screenshots go to test-artifacts/.
 */
const MANAGER = { email: 'thiago@posvenda.test', password: 'gestor-senha-1', name: 'Thiago' };

/** Poll a page expression (the CSP forbids the eval behind playwright's waitForFunction). */
async function waitFor<T>(page: Page, expression: string, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate<T>(expression);
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${expression} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** For each chart canvas: its id, whether kpis.js drew it, and how many pixels are not blank. */
const CANVAS_INK = `(() => [...document.querySelectorAll('canvas[data-chart]')].map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
  return { id: c.id, drawn: c.getAttribute('data-drawn') === 'true', width: c.width, ink };
}))()`;

describe.each(dbKinds())('KPIs dashboard in a browser on %s', (kind) => {
  let t: TestApp;
  let browser: Browser | null = null;

  beforeAll(async () => {
    t = await startTestApp(kind);
    browser = await launchChromium();
    await createUser(t.handle.db, { ...MANAGER, role: 'manager' });
    await seedKpiRequests(t.handle.db);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('draws every chart with the seeded data; revenue and cost forms work', async () => {
    if (!browser) return; // launchChromium() already said why
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    try {
      await page.goto(`${t.base}/console/login`);
      await page.fill('input[name=email]', MANAGER.email);
      await page.fill('input[name=password]', MANAGER.password);
      await Promise.all([page.waitForURL(`${t.base}/console`), page.click('button[type=submit]')]);

      // From the menu, then the period filter.
      await Promise.all([page.waitForURL('**/console/kpis'), page.click('nav.nav a[href="/console/kpis"]')]);
      await page.fill('input[name=from]', KPI_PERIOD.from);
      await page.fill('input[name=to]', KPI_PERIOD.to);
      await Promise.all([
        page.waitForURL('**/console/kpis?from=2026-10-01&to=2026-11-30'),
        page.click('.kpi-period button[type=submit]'),
      ]);

      const charts = await waitFor<{ id: string; drawn: boolean; width: number; ink: number }[]>(
        page,
        CANVAS_INK,
        (cs) => cs.length === 8 && cs.every((c) => c.drawn && c.ink > 0),
      );
      expect(charts.map((c) => c.id)).toEqual([
        'chart-assistance',
        'chart-production',
        'chart-ontime-month',
        'chart-ontime-week',
        'chart-cost',
        'chart-reason',
        'chart-product',
        'chart-customer',
      ]);
      for (const c of charts) expect([c.id, c.width > 100, c.ink > 500]).toEqual([c.id, true, true]);
      await expect(page.locator('.kpi-card').first().textContent()).resolves.toMatch(/50%/);
      await page.screenshot({ path: artifactPath(`console-kpis-${kind}.png`), fullPage: true });

      // The manager enters November's revenue: the cost is then judged against 1% of it.
      await page.fill('.revenue-form input[name=month]', '2026-11');
      await page.fill('.revenue-form input[name=revenue]', '10.000,00');
      await Promise.all([page.waitForURL('**/console/kpis?**ok=revenue**'), page.click('.revenue-form button')]);
      await expect(page.locator('.flash-ok').textContent()).resolves.toContain('Faturamento do mês salvo');
      await expect(page.locator('#custo').textContent()).resolves.toMatch(/1,3%/);
      await waitFor<{ drawn: boolean }[]>(page, CANVAS_INK, (cs) => cs.length === 8 && cs.every((c) => c.drawn));

      // A request's cost override, on the request page (htmx loads and posts the card in place).
      await page.goto(`${t.base}/console/requests/AT-900001`);
      await page.waitForSelector('#request-cost form');
      await expect(page.locator('#request-cost').textContent()).resolves.toMatch(/R\$\s130,00/);
      await page.fill('#request-cost input[name=cost]', '99,90');
      await page.click('#request-cost button');
      await waitFor<string>(page, `document.querySelector('#request-cost .cost-used')?.textContent ?? ''`, (s) =>
        /99,90/.test(s),
      );
      await page.screenshot({ path: artifactPath(`console-kpis-cost-${kind}.png`), fullPage: false });

      // A phone: the charts fit the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${t.base}/console/kpis?from=${KPI_PERIOD.from}&to=${KPI_PERIOD.to}`);
      await waitFor<{ drawn: boolean; ink: number }[]>(
        page,
        CANVAS_INK,
        (cs) => cs.length === 8 && cs.every((c) => c.drawn && c.ink > 0),
      );
      const chartsFit = await page.evaluate<boolean>(
        `[...document.querySelectorAll('canvas[data-chart]')].every((c) => c.getBoundingClientRect().right <= 391)`,
      );
      expect(chartsFit).toBe(true);
      await page.screenshot({ path: artifactPath(`console-kpis-phone-${kind}.png`), fullPage: false });

      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
