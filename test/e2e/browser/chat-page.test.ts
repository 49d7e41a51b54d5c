import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../../support/app';
import { artifactPath, launchChromium } from '../../support/browser';

/*
 * The customer's /chat page on a phone-sized Chromium: start with the phone of the register, send a
 * text with a photo from the file picker, answer the confirmation with the option button, and see
 * the protocol. Screenshot in test-artifacts/. (PGlite only: the page is the same on both databases.)
 */
const PHOTO = path.join(__dirname, '../../fixtures/email/photo.jpg');

describe('customer chat page in a browser', () => {
  let t: TestApp;
  let browser: Browser | null = null;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens a request from a phone: text + photo, confirm by button, protocol shown', async () => {
    if (!browser) return; // launchChromium() already said why
    const page = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    try {
      await page.goto(`${t.base}/chat`);
      const lastBot = () => page.locator('.msg.out').last().textContent();
      await page.click('#go');
      await expect(page.locator('#err').textContent()).resolves.toMatch(/telefone ou e-mail/);
      await page.fill('#from', '(54) 99911-2233');
      await page.fill('#name', 'Marcos');
      await page.click('#go');
      await page.setInputFiles('#files', PHOTO);
      await page.fill('#text', 'NF 88001 a porta basculante 410100 chegou amassada, 2 portas');
      await page.press('#text', 'Enter');
      await page.locator('.msg.in img.thumb').waitFor();
      await page.locator('.msg.out .opts button', { hasText: 'Sim' }).last().waitFor({ timeout: 15_000 });
      await expect(lastBot()).resolves.toMatch(/Posso registrar/);
      await page.locator('.msg.out .opts button', { hasText: 'Sim' }).last().click();
      await page.locator('.msg.out', { hasText: /AT-\d{6}/ }).waitFor({ timeout: 15_000 });
      // Nothing wider than the phone.
      await expect(page.evaluate<boolean>('document.documentElement.scrollWidth <= 391')).resolves.toBe(true);
      await page.screenshot({ path: artifactPath('chat-page-phone.png'), fullPage: true });
      // The request really exists, with the photo.
      const protocol = /AT-\d{6}/.exec(
        (await page.locator('.msg.out', { hasText: /AT-\d{6}/ }).textContent()) ?? '',
      )![0];
      const token = await t.token('manager');
      const req = await t.api<{ photos: unknown[]; status: string }>('GET', `/api/requests/${protocol}`, token);
      expect(req.json).toMatchObject({ status: 'submitted' });
      expect(req.json.photos).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
