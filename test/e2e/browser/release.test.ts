import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { requests } from '../../../src/db/schema';
import { loadLayout } from '../../../src/integrations/erp/focco-export';
import { createUser } from '../../../src/services/auth';
import { exportBatch, saveErpData } from '../../../src/services/erp';
import { decide } from '../../../src/services/review';
import { photo, said, startTestApp, type TestApp } from '../../support/app';
import { artifactPath, launchChromium } from '../../support/browser';
import { dbKinds } from '../../support/db';

/*
 * The day's release in a real browser: three imported warranty requests (6, 3 and 5 kg) under a
 * 10 kg cap. The planner proposes the first two (9 kg); the assistant swaps, sees the total and the
 * over-cap mark change live, and records the day. Screenshot in test-artifacts/.
 */
const ASSISTANT = { email: 'libera@posvenda.test', password: 'libera-senha-1', name: 'Rita Libera' };

describe.each(dbKinds())('day release in a browser on %s', (kind) => {
  let t: TestApp;
  let browser: Browser | null = null;
  const protocols: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { console: { dailyCapKg: 10 } });
    browser = await launchChromium();
    await createUser(t.handle.db, { ...ASSISTANT, role: 'assistant' });
    const seed: [string, string, string][] = [
      ['(54) 99911-0001', 'nf 88001, 2 frentes de gaveta 410117 com defeito de fabrica', '6'],
      ['(54) 99911-0002', 'NF 88001 a porta basculante 410100 chegou amassada, 1 porta', '3'],
      ['(54) 99911-0003', 'nf 88001, 1 dobradiça 930011 veio quebrada de fabrica', '5'],
    ];
    const ids: number[] = [];
    for (const [i, [from, text, kg]] of seed.entries()) {
      let replies = await t.say(from, text, { photos: [await photo()] });
      for (let n = 0; n < 3 && !/AT-\d{6}/.test(said(replies)); n++) replies = await t.say(from, 'sim');
      const protocol = /AT-\d{6}/.exec(said(replies))![0];
      protocols.push(protocol);
      await decide(t.handle.db, protocol, 'accept', undefined, 'test');
      const saved = await saveErpData(
        t.handle.db,
        protocol,
        {
          erpOrderNumber: String(600001 + i),
          salesDivision: 'ASSISTENCIA',
          reason: 'DEFEITO',
          paymentCondition: 'SEM COBRANCA',
          cfop: '5.949',
          weightKg: kg,
          volumes: '1',
          orderSequence: String(i + 1),
        },
        'test',
      );
      expect(saved.ok).toBe(true);
      ids.push((await t.handle.db.select().from(requests).where(eq(requests.protocol, protocol)))[0]!.id);
    }
    await exportBatch(t.handle.db, ids, 'test', { layout: loadLayout(), companyUf: 'RS' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('proposes the day under the cap, updates the total live, and records the release', async () => {
    if (!browser) return; // launchChromium() already said why
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    try {
      await page.goto(`${t.base}/console/login`);
      await page.fill('input[name=email]', ASSISTANT.email);
      await page.fill('input[name=password]', ASSISTANT.password);
      await Promise.all([page.waitForURL(`${t.base}/console`), page.click('button[type=submit]')]);
      await page.goto(`${t.base}/console/releases`);

      const box = (p: string) => page.locator(`input[aria-label="Liberar ${p}"]`);
      const total = () => page.locator('[data-total]').textContent();
      const overCapShown = () => page.locator('[data-over]').isVisible();
      const [first, second, third] = protocols as [string, string, string];
      await expect(box(first).isChecked()).resolves.toBe(true);
      await expect(box(second).isChecked()).resolves.toBe(true);
      await expect(box(third).isChecked()).resolves.toBe(false);
      await expect(total()).resolves.toBe('9 kg');
      await expect(overCapShown()).resolves.toBe(false);

      await box(third).check();
      await expect(total()).resolves.toBe('14 kg');
      await expect(overCapShown()).resolves.toBe(true);
      await box(second).uncheck();
      await expect(total()).resolves.toBe('11 kg');
      await box(first).uncheck();
      await expect(total()).resolves.toBe('5 kg');
      await expect(overCapShown()).resolves.toBe(false);
      await box(first).check();
      await expect(total()).resolves.toBe('11 kg');
      await page.screenshot({ path: artifactPath(`release-plan-${kind}.png`), fullPage: true });

      // Over the cap without the confirmation box: refused, nothing released.
      await page.click('form.release-form button[type=submit]');
      await expect(page.locator('main').textContent()).resolves.toMatch(/passa do limite diário de 10 kg/);
      problems.length = 0; // the browser logs the 409 answer itself
      await page.goto(`${t.base}/console/releases`);
      await box(second).uncheck();
      await expect(total()).resolves.toBe('6 kg');
      await Promise.all([
        page.waitForURL('**/console/releases?ok=released'),
        page.click('form.release-form button[type=submit]'),
      ]);
      await expect(page.locator('.flash-ok').textContent()).resolves.toMatch(/Liberação do dia registrada/);
      const status = async (p: string) =>
        (await t.handle.db.select().from(requests).where(eq(requests.protocol, p)))[0]!.status;
      expect(await status(first)).toBe('released');
      expect(await status(second)).toBe('imported');
      expect(await status(third)).toBe('imported');
      // What is left is proposed for the next day: 3 + 5 kg fit.
      await expect(total()).resolves.toBe('8 kg');
      await page.screenshot({ path: artifactPath(`release-done-${kind}.png`), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
