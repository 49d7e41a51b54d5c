import { eq } from 'drizzle-orm';
import pino from 'pino';
import { createNotifyMailer } from '../../src/channels/email/notify-mail';
import { dbKeyValueStore } from '../../src/db/kv-store';
import { customers, requests } from '../../src/db/schema';
import { MemoryQueue } from '../../src/jobs/memory-queue';
import { SlaAlertScheduler } from '../../src/jobs/sla-alerts';
import { createUser } from '../../src/services/auth';
import { findSlaAlerts, latestSlaAlerts, runSlaCheck, slaEmailedKey } from '../../src/services/sla-alerts';
import { startTestApp, type TestApp, TODAY } from '../support/app';
import { ConsoleAgent } from '../support/browser';
import { dbKinds } from '../support/db';
import { type SmtpListener, startSmtpListener } from '../support/smtp-listener';

/*
 * The daily SLA check on a real database: which requests it lists (the queue's deadline rule),
 * the stored list shown on the queue page, the manager's e-mail through a real SMTP server,
 * and the job run through the in-process queue. TODAY is 2026-11-29; the deadline 9 days.
 */
const silent = pino({ level: 'silent' });
const PASSWORD = 'senha-sla-1';

// [protocol, status, age in days]
const SEED: [string, string, number][] = [
  ['AT-800001', 'submitted', 12], // past
  ['AT-800002', 'accepted', 9], // near (deadline day)
  ['AT-800003', 'imported', 7], // near (two days left)
  ['AT-800004', 'released', 6], // ok
  ['AT-800005', 'returned', 15], // the customer's turn: no clock
  ['AT-800006', 'shipped', 20], // done
  ['AT-800007', 'charged', 10], // past
];

describe.each(dbKinds())('SLA alerts on %s', (kind) => {
  let t: TestApp;
  let smtp: SmtpListener;

  beforeAll(async () => {
    t = await startTestApp(kind);
    smtp = await startSmtpListener();
    const [c] = await t.handle.db.select().from(customers).where(eq(customers.code, 'L100'));
    for (const [protocol, status, age] of SEED) {
      const opened = new Date(Date.parse(`${TODAY}T15:00:00Z`) - age * 86_400_000);
      await t.handle.db.insert(requests).values({
        protocol,
        status,
        channel: 'web',
        customerId: c!.id,
        contact: '+5554999112233',
        invoiceNumber: '88001',
        reasonCategory: 'industria',
        reasonDescription: 'defeito',
        inWarranty: status !== 'charged',
        createdAt: opened,
        submittedAt: opened,
      });
    }
    for (const role of ['assistant', 'finance'] as const) {
      await createUser(t.handle.db, { email: `${role}@sla.test`, name: role, role, password: PASSWORD });
    }
  }, 120_000);
  afterAll(async () => {
    await smtp?.close();
    await t?.close();
  });

  it('lists the open requests near or past the 9-day deadline, most overdue first', async () => {
    const items = await findSlaAlerts(t.handle.db, { today: TODAY, deadlineDays: 9 });
    expect(items.map((i) => [i.protocol, i.mark, i.ageDays])).toEqual([
      ['AT-800001', 'past', 12],
      ['AT-800007', 'past', 10],
      ['AT-800002', 'near', 9],
      ['AT-800003', 'near', 7],
    ]);
  });

  it('stores the list, e-mails the manager once a day through SMTP, and the queue page shows it', async () => {
    const kv = dbKeyValueStore(t.handle.db);
    const mailer = createNotifyMailer({
      smtp: { host: smtp.host, port: smtp.port, secure: false },
      from: { name: 'Posvenda', address: 'posvenda@fabrica.test' },
      log: silent,
    });
    const opts = {
      today: TODAY,
      deadlineDays: 9,
      now: new Date(`${TODAY}T10:05:00Z`),
      mail: (m: { subject: string; text: string }) => mailer.send('gestor@fabrica.test', m),
    };
    const list = await runSlaCheck(t.handle.db, kv, opts);
    expect(list.items).toHaveLength(4);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope.to).toEqual(['gestor@fabrica.test']);
    expect(mail!.parsed.subject).toBe('[Posvenda] Prazo de assistência: 2 vencida(s), 2 perto do prazo');
    expect(mail!.parsed.text).toContain('AT-800001');
    expect(mail!.header('auto-submitted')).toBe('auto-generated');
    expect(await kv.get(slaEmailedKey(TODAY))).toBeTruthy();
    // Run again the same day (a retry, another process): the list is refreshed, no second mail.
    await runSlaCheck(t.handle.db, kv, opts);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.mails).toHaveLength(1);
    expect((await latestSlaAlerts(kv))?.day).toBe(TODAY);

    const assistant = new ConsoleAgent(t.base);
    expect((await assistant.login('assistant@sla.test', PASSWORD)).status).toBe(303);
    const page = await assistant.get('/console/requests');
    expect(page.text).toContain('Alerta de prazo de assistência (9 dias)');
    expect(page.text).toContain('2 com prazo vencido');
    expect(page.text).toContain('2 perto do prazo');
    for (const p of ['AT-800001', 'AT-800002', 'AT-800003', 'AT-800007']) {
      expect(page.text).toContain(`href="/console/requests/${p}"`);
    }
    expect(page.text).not.toContain('href="/console/requests/AT-800004"');
    // Finance sees charged requests only: just that one.
    const finance = new ConsoleAgent(t.base);
    await finance.login('finance@sla.test', PASSWORD);
    const fin = await finance.get('/console/requests');
    expect(fin.status).toBe(200);
    expect(fin.text).toContain('Alerta de prazo de assistência');
    expect(fin.text).toContain('1 com prazo vencido');
    expect(fin.text).not.toContain('AT-800001');
  });

  it("sends the day's e-mail once when several processes check at once, and again after a failed send", async () => {
    const kv = dbKeyValueStore(t.handle.db);
    const sent: string[] = [];
    const slowMail = async (m: { subject: string }) => {
      await new Promise((r) => setTimeout(r, 30)); // SMTP takes a while: the other checks run meanwhile
      sent.push(m.subject);
    };
    const check = (today: string, mail: (m: { subject: string }) => Promise<void>, now = `${today}T10:05:00Z`) =>
      runSlaCheck(t.handle.db, kv, { today, deadlineDays: 9, now: new Date(now), mail });

    // Four processes (or a retry racing the first run) on the same day: one e-mail.
    await Promise.all(Array.from({ length: 4 }, () => check('2026-11-30', slowMail)));
    expect(sent).toHaveLength(1);

    // The SMTP server refuses: the job fails (and is retried), and the retry sends it.
    await expect(
      check('2026-12-01', async () => {
        throw new Error('SMTP 451');
      }),
    ).rejects.toThrow('SMTP 451');
    await check('2026-12-01', slowMail);
    expect(sent).toHaveLength(2);
    await check('2026-12-01', slowMail);
    expect(sent).toHaveLength(2);

    // A process died while sending: its claim is taken over only once it is 15 minutes old.
    await kv.set(slaEmailedKey('2026-12-02'), { state: 'claimed', claimedAt: '2026-12-02T10:00:00Z' });
    await check('2026-12-02', slowMail, '2026-12-02T10:10:00Z');
    expect(sent).toHaveLength(2);
    await check('2026-12-02', slowMail, '2026-12-02T10:16:00Z');
    expect(sent).toHaveLength(3);
  });

  it('runs as a queue job from the scheduler', async () => {
    const kv = dbKeyValueStore(t.handle.db);
    await kv.set('sla:alerts', { cleared: true });
    const q = new MemoryQueue({ logger: silent });
    const s = new SlaAlertScheduler(
      q,
      kv,
      async (day) => {
        await runSlaCheck(t.handle.db, kv, { today: day, deadlineDays: 9, now: new Date() });
      },
      { today: () => TODAY, now: () => new Date(`${TODAY}T12:00:00Z`), hour: 7 },
      silent,
    );
    await q.start();
    try {
      expect(await s.tick()).toBe(true);
      const until = Date.now() + 10_000;
      while (!(await latestSlaAlerts(kv)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect((await latestSlaAlerts(kv))?.items.map((i) => i.protocol)).toEqual([
        'AT-800001',
        'AT-800007',
        'AT-800002',
        'AT-800003',
      ]);
      expect(await s.tick()).toBe(false);
    } finally {
      s.stop();
      await q.close();
    }
  });
});
