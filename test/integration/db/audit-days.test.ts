import type { DbHandle } from '../../../src/db/client';
import { auditLog } from '../../../src/db/schema';
import { listAudit } from '../../../src/services/console/audit';
import { dbKinds, openTestDb } from '../../support/db';

/** The audit log's date filter means days in Brasília, as the console shows every time. */
describe.each(dbKinds())('audit log date filter on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openTestDb(kind);
    const row = { actor: 'gerente@loja.test', action: 'login.ok' };
    await h.db.insert(auditLog).values([
      { ...row, target: '28 23:30', at: new Date('2026-11-29T02:30:00Z') },
      { ...row, target: '29 00:30', at: new Date('2026-11-29T03:30:00Z') },
      { ...row, target: '29 22:00', at: new Date('2026-11-30T01:00:00Z') },
      { ...row, target: '30 00:10', at: new Date('2026-11-30T03:10:00Z') },
    ]);
  });
  afterAll(() => h?.close());

  const targets = async (from?: string, to?: string) =>
    (await listAudit(h.db, { from, to })).map((r) => r.target).sort();

  it('takes from/to as whole local days, both included', async () => {
    expect(await targets('2026-11-29', '2026-11-29')).toEqual(['29 00:30', '29 22:00']);
    expect(await targets('2026-11-30')).toEqual(['30 00:10']);
    expect(await targets(undefined, '2026-11-28')).toEqual(['28 23:30']);
    expect(await targets('2026-11-28', '2026-11-30')).toHaveLength(4);
  });
});
