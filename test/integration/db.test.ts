import { sql } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { dbKinds, openTestDb } from '../support/db';

describe.each(dbKinds())('database on %s', (kind) => {
  it('is migrated and writable', async () => {
    const h = await openTestDb(kind);
    try {
      await h.db.insert(customers).values({ code: 'C1', name: 'Loja', cnpj: '24680135000103' });
      const rows = await h.db.select().from(customers);
      expect(rows.map((r) => r.code)).toEqual(['C1']);
      const r = await h.db.execute(sql`select nextval('request_protocol_seq') as n`);
      expect(r).toBeDefined();
    } finally {
      await h.close();
    }
  }, 60_000);
});
