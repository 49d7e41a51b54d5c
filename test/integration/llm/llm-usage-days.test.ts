import type { DbHandle } from '../../../src/db/client';
import { dbLlmLedger, llmTotalsByDay } from '../../../src/db/llm-calls-repo';
import { llmCalls } from '../../../src/db/schema';
import { dbKinds, openTestDb } from '../../support/db';

/** The model's spend counts by the company's day (America/Sao_Paulo), on the usage page and for the budget. */
describe.each(dbKinds())('model usage per company day on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openTestDb(kind);
    const call = { purpose: 'extract', model: 'm', promptVersion: 'v1', outcome: 'ok', inputTokens: 10 };
    await h.db.insert(llmCalls).values([
      // 23:30 on the 28th in Brasília.
      { ...call, at: new Date('2026-11-29T02:30:00Z'), costUsd: 0.5 },
      // 00:30 and 22:00 on the 29th in Brasília: the second is already the 30th in UTC.
      { ...call, at: new Date('2026-11-29T03:30:00Z'), costUsd: 1 },
      { ...call, at: new Date('2026-11-30T01:00:00Z'), costUsd: 2 },
      // 00:10 on the 30th in Brasília.
      { ...call, at: new Date('2026-11-30T03:10:00Z'), costUsd: 4 },
    ]);
  });
  afterAll(() => h?.close());

  it('groups the usage page by the day in Brasília, not in UTC', async () => {
    const days = await llmTotalsByDay(h.db, new Date('2026-11-01T00:00:00Z'));
    expect(days.map((d) => [d.day, d.costUsd, d.calls])).toEqual([
      ['2026-11-30', 4, 1],
      ['2026-11-29', 3, 2],
      ['2026-11-28', 0.5, 1],
    ]);
  });

  it('sums the spend from a given instant (the start of the day in Brasília)', async () => {
    const ledger = dbLlmLedger(h.db);
    expect(await ledger.spentSince(new Date('2026-11-29T03:00:00Z'))).toBe(7);
    expect(await ledger.spentSince(new Date('2026-11-30T03:00:00Z'))).toBe(4);
  });
});
