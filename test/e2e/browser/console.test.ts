import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { T } from '../../../flows/texts';
import { createUser } from '../../../src/services/auth';
import { PRESET_MESSAGES } from '../../../src/services/console/decision-text';
import { photo, said, startTestApp, type TestApp, TODAY } from '../../support/app';
import { artifactPath, launchChromium } from '../../support/browser';
import { dbKinds } from '../../support/db';

/*
 * The staff console in a real browser (Debian's Chromium through playwright-core): an assistant
 * reviews a request the customer made in the web chat, returns it, sees it come back, accepts it;
 * the customer reads each decision in the web chat. Screenshots go to test-artifacts/.
 */
const L100 = '(54) 99911-2233';
const ASSISTANT = { email: 'gabriele@posvenda.test', password: 'assist-senha-1', name: 'Gabriele Ribeiro' };
const RETURN_MESSAGE = PRESET_MESSAGES.return[0]!;

/*
 * Browser-side checks are passed as source strings: the project's TypeScript has no DOM types
 * (server code must not see `document`), and playwright runs strings in the page as they are.
 */

/**
 * Poll a page expression from here (playwright's waitForFunction polls with eval inside the page,
 * which the console's CSP rightly forbids; page.evaluate goes through the DevTools protocol).
 */
async function waitFor<T>(page: Page, expression: string, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate<T>(expression);
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${expression} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The img (first match) has loaded real pixels; returns its natural width. */
async function imageLoaded(page: Page, selector: string): Promise<number> {
  // Thumbnails load lazily: bring the image on screen first.
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  const probe = `(() => { const i = document.querySelector(${JSON.stringify(selector)}); return i && i.complete ? i.naturalWidth : 0; })()`;
  return waitFor<number>(page, probe, (w) => w > 0);
}

/** Nothing wider than the phone's screen (a mobile browser would otherwise zoom the page out). */
async function fitsWidth(page: Page, width: number): Promise<boolean> {
  return page.evaluate<boolean>(`document.documentElement.scrollWidth <= ${width + 1}`);
}

describe.each(dbKinds())('staff console in a browser on %s', (kind) => {
  let t: TestApp;
  let browser: Browser | null = null;
  let protocol = '';

  beforeAll(async () => {
    t = await startTestApp(kind);
    browser = await launchChromium();
    await createUser(t.handle.db, { ...ASSISTANT, role: 'assistant' });
    // Other requests so the queue shows ages and deadline marks.
    const submit = async (from: string, text: string) => {
      let replies = await t.say(from, text, { photos: [await photo()] });
      for (let i = 0; i < 3 && !/AT-\d{6}/.test(said(replies)); i++) replies = await t.say(from, 'sim');
      return /AT-\d{6}/.exec(said(replies))![0];
    };
    const old = await submit('(54) 99911-0001', 'nf 88001, 2 frentes de gaveta 410117 com defeito de fabrica');
    const near = await submit('(54) 99911-0002', 'NF 88002 o tampo 520031 esta descascando');
    // Ages count from the app's "today" (TODAY), not the machine's clock.
    const daysBefore = (n: number) => new Date(Date.parse(`${TODAY}T15:00:00Z`) - n * 86_400_000).toISOString();
    await t.handle.db.execute(sql`update requests set created_at = ${daysBefore(11)} where protocol = ${old}`);
    await t.handle.db.execute(sql`update requests set created_at = ${daysBefore(8)} where protocol = ${near}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('reviews a request with a photo: return → customer corrects → accept', async () => {
    if (!browser) return; // launchChromium() already said why
    // The customer opens a request in the web chat, with a photo.
    const r1 = await t.say(L100, 'boa tarde, NF 88001 a porta basculante 410100 chegou amassada. 2 portas', {
      photos: [await photo()],
    });
    expect(said(r1)).toMatch(/Posso registrar/);
    protocol = /AT-\d{6}/.exec(said(await t.say(L100, 'sim')))![0];

    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // CSP violations and script errors show up here: the console must run clean under its own CSP.
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
      await page.fill('input[name=email]', ASSISTANT.email);
      await page.fill('input[name=password]', ASSISTANT.password);
      await Promise.all([page.waitForURL(`${t.base}/console`), page.click('button[type=submit]')]);

      // The queue: the new request is there, the old ones carry their deadline marks.
      const row = page.locator('tr', { has: page.locator(`a.protocol:text-is("${protocol}")`) });
      await expect(row.count()).resolves.toBe(1);
      await expect(page.locator('tr.deadline-past').count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('tr.deadline-near').count()).resolves.toBeGreaterThan(0);
      await page.screenshot({ path: artifactPath(`console-queue-${kind}.png`), fullPage: true });

      // The request page: the photo is really shown.
      await Promise.all([page.waitForURL(`**/console/requests/${protocol}`), row.locator('a.protocol').click()]);
      expect(await imageLoaded(page, '.photos img')).toBeGreaterThan(0);
      await expect(page.locator('.suggestion h2').textContent()).resolves.toMatch(/aceite/);
      await page.screenshot({ path: artifactPath(`console-request-${kind}.png`), fullPage: true });

      // Zoom: the thumbnail opens the full-size photo.
      await page.click('.photos a[data-lightbox]');
      expect(await imageLoaded(page, 'dialog.lightbox img')).toBeGreaterThan(0);
      await page.click('dialog.lightbox button');
      await page.waitForSelector('dialog.lightbox', { state: 'detached' });

      // Return it with a ready-made reason; the confirmation shows what the customer will read.
      await page.check('input[name=decision][value=return]');
      await page.selectOption('select[name=preset]', RETURN_MESSAGE);
      await expect(page.inputValue('#decision-message')).resolves.toBe(RETURN_MESSAGE);
      await page.click('#decision-form button[type=submit]');
      const preview = page.locator('[data-testid=customer-preview]');
      await preview.waitFor();
      // htmx put the confirmation into the page (no navigation to the preview URL).
      expect(page.url()).toBe(`${t.base}/console/requests/${protocol}`);
      const expected = T.decisionReturned(protocol, RETURN_MESSAGE);
      // biome-ignore lint/performance/useDomNodeTextContent: playwright's innerText keeps the <br> line breaks the customer sees
      expect((await preview.innerText()).trim()).toBe(expected);
      await page.screenshot({ path: artifactPath(`console-confirm-${kind}.png`), fullPage: false });
      await Promise.all([page.waitForURL(/ok=decided/), page.click('#confirm-box button[type=submit]')]);
      await expect(page.locator('h1 .pill').textContent()).resolves.toBe('Devolvida ao cliente');

      // The customer reads exactly that in the web chat.
      expect((await t.inbox(L100)).at(-1)?.text).toBe(expected);

      // The customer sends a new photo and confirms the summary: back in the queue as submitted.
      const r2 = await t.say(L100, 'segue a foto com a porta instalada', { photos: [await photo()] });
      expect(said(r2)).toMatch(/Fotos: 2/);
      expect(said(r2)).toMatch(/registrar|reenvi/i);
      expect(said(await t.say(L100, 'sim'))).toContain(protocol);
      await page.goto(`${t.base}/console`);
      const again = page.locator('tr', { has: page.locator(`a.protocol:text-is("${protocol}")`) });
      await expect(again.locator('.pill-submitted').textContent()).resolves.toBe('Em análise');
      await expect(again.textContent()).resolves.toMatch(/2ª rodada/);

      // Accept it: the customer gets the acceptance.
      await Promise.all([page.waitForURL(`**/console/requests/${protocol}`), again.locator('a.protocol').click()]);
      expect(await page.locator('.photos img').count()).toBe(2);
      await page.check('input[name=decision][value=accept]');
      await page.click('#decision-form button[type=submit]');
      // biome-ignore lint/performance/useDomNodeTextContent: playwright's innerText keeps the <br> line breaks the customer sees
      await expect(page.locator('[data-testid=customer-preview]').innerText()).resolves.toBe(
        T.decisionAccepted(protocol),
      );
      await Promise.all([page.waitForURL(/ok=decided/), page.click('#confirm-box button[type=submit]')]);
      await expect(page.locator('h1 .pill').textContent()).resolves.toBe('Aceita (garantia)');
      expect((await t.inbox(L100)).at(-1)?.text).toBe(T.decisionAccepted(protocol));
      await expect(page.locator('.history').textContent()).resolves.toMatch(/gabriele@posvenda\.test/);
      await page.screenshot({ path: artifactPath(`console-request-accepted-${kind}.png`), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('filters the queue as you type (htmx swaps the results in place)', async () => {
    if (!browser) return;
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      await page.goto(`${t.base}/console/login`);
      await page.fill('input[name=email]', ASSISTANT.email);
      await page.fill('input[name=password]', ASSISTANT.password);
      await Promise.all([page.waitForURL(`${t.base}/console`), page.click('button[type=submit]')]);
      await page.goto(`${t.base}/console/requests?status=all`);
      const before = await page.locator('#queue-results a.protocol').count();
      expect(before).toBeGreaterThan(1);
      await page.fill('input[name=q]', '88002');
      await waitFor<number>(page, `document.querySelectorAll('#queue-results a.protocol').length`, (n) => n === 1);
      expect(page.url()).toMatch(/q=88002/);
      await page.selectOption('select[name=warranty]', 'in');
      await waitFor<number>(page, `document.querySelectorAll('#queue-results a.protocol').length`, (n) => n === 0);
      await expect(page.locator('#queue-results .empty').textContent()).resolves.toMatch(/Nenhuma solicitação/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('fits a phone screen', async () => {
    if (!browser) return;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      await page.goto(`${t.base}/console/login`);
      await page.fill('input[name=email]', ASSISTANT.email);
      await page.fill('input[name=password]', ASSISTANT.password);
      await Promise.all([page.waitForURL(`${t.base}/console`), page.click('button[type=submit]')]);
      await page.goto(`${t.base}/console/requests?status=all`);
      expect(await fitsWidth(page, 390)).toBe(true);
      await page.screenshot({ path: artifactPath(`console-queue-phone-${kind}.png`), fullPage: true });
      await page.goto(`${t.base}/console/requests/${protocol || 'AT-000001'}`);
      expect(await imageLoaded(page, '.photos img')).toBeGreaterThan(0);
      expect(await fitsWidth(page, 390)).toBe(true);
      await page.screenshot({ path: artifactPath(`console-request-phone-${kind}.png`), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);
});
