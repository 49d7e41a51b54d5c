import pino from 'pino';
import { parseConfig } from '../../../src/config';
import { MemoryQueue } from '../../../src/jobs/memory-queue';
import { SlaAlertScheduler, saoPauloHour } from '../../../src/jobs/sla-alerts';
import { SLA_ALERTS_KEY, type SlaAlertList, slaAlertMail } from '../../../src/services/sla-alerts';
import { memoryKv } from '../../support/memory-kv';
import { waitFor } from './describe-queue-behaviour';

const silent = pino({ level: 'silent' });

const list = (day: string): SlaAlertList => ({
  day,
  generatedAt: `${day}T10:00:00.000Z`,
  deadlineDays: 9,
  items: [
    {
      protocol: 'AT-000010',
      status: 'submitted',
      customerCode: 'L100',
      customerName: 'ARTE MOVEIS',
      ageDays: 11,
      mark: 'past',
      openedAt: '2026-11-18T12:00:00.000Z',
    },
    {
      protocol: 'AT-000011',
      status: 'accepted',
      customerCode: 'L200',
      customerName: 'ESPACO DECOR',
      ageDays: 8,
      mark: 'near',
      openedAt: '2026-11-21T12:00:00.000Z',
    },
  ],
});

describe('SLA alert scheduler', () => {
  it('reads the hour in São Paulo (UTC−3)', () => {
    expect(saoPauloHour(new Date('2026-11-29T09:59:00Z'))).toBe(6);
    expect(saoPauloHour(new Date('2026-11-29T10:00:00Z'))).toBe(7);
    expect(saoPauloHour(new Date('2026-11-30T02:30:00Z'))).toBe(23);
  });

  it('adds the day’s job once the hour is reached and until the day’s list is stored', async () => {
    const q = new MemoryQueue({ logger: silent });
    const kv = memoryKv();
    let now = new Date('2026-11-29T09:00:00Z'); // 06:00 in São Paulo
    const runs: string[] = [];
    const s = new SlaAlertScheduler(
      q,
      kv,
      async (day) => {
        runs.push(day);
        await kv.set(SLA_ALERTS_KEY, list(day));
      },
      { today: () => '2026-11-29', now: () => now, hour: 7 },
      silent,
    );
    await q.start();
    try {
      expect(await s.tick()).toBe(false); // too early
      now = new Date('2026-11-29T10:30:00Z');
      expect(await s.tick()).toBe(true);
      await waitFor('the check ran', () => runs.length === 1);
      expect(runs).toEqual(['2026-11-29']);
      expect(await s.tick()).toBe(false); // today's list is there
      await kv.set(SLA_ALERTS_KEY, list('2026-11-28'));
      expect(await s.tick()).toBe(true); // yesterday's list: run again
      await waitFor('the check ran again', () => runs.length === 2);
    } finally {
      s.stop();
      await q.close();
    }
  });

  it('writes the manager’s e-mail in Portuguese with every protocol', () => {
    const m = slaAlertMail(list('2026-11-29'), 'https://posvenda.example.com/');
    expect(m.subject).toBe('[Posvenda] Prazo de assistência: 1 vencida(s), 1 perto do prazo');
    expect(m.text).toContain('Prazo de assistência (9 dias) em 29/11/2026:');
    expect(m.text).toContain('- AT-000010 · ARTE MOVEIS (L100) · 11 dias · status submitted');
    expect(m.text).toContain('Perto do prazo (1):\n- AT-000011');
    expect(m.text).toContain('https://posvenda.example.com/console/requests?status=all');
  });
});

describe('SLA alert configuration', () => {
  it('defaults to 07:00 and no e-mail; refuses a bad address or hour, naming the variables only', () => {
    const defaults = parseConfig({});
    expect(defaults.SLA_ALERT_HOUR).toBe(7);
    expect(defaults.SLA_ALERT_EMAIL).toBeUndefined();
    expect(parseConfig({ SLA_ALERT_EMAIL: ' gestor@fabrica.com.br ', SLA_ALERT_HOUR: '6' })).toMatchObject({
      SLA_ALERT_EMAIL: 'gestor@fabrica.com.br',
      SLA_ALERT_HOUR: 6,
    });
    expect(() => parseConfig({ SLA_ALERT_EMAIL: 'gestor-secreto', SLA_ALERT_HOUR: '24' })).toThrow(
      /SLA_ALERT_EMAIL.*SLA_ALERT_HOUR|SLA_ALERT_HOUR.*SLA_ALERT_EMAIL/,
    );
    expect(() => parseConfig({ SLA_ALERT_EMAIL: 'gestor-secreto' })).toThrow(/^(?!.*gestor-secreto).*SLA_ALERT_EMAIL/);
  });
});
