import { sql } from 'drizzle-orm';
import { type DbHandle, transaction } from '../../../src/db/client';
import { bind, compile, compiledFamily, run } from '../../../src/db/compiled';
import { customers } from '../../../src/db/schema';
import { dbKinds, openTestDb } from '../../support/db';

describe('compiled statements', () => {
  it('renders once to $n text; a placeholder used twice takes two slots, constants stay constants', () => {
    const st = compile<{ code: string; name: string }>(
      (p) => sql`select ${p.code} as a, ${'fixed'} as b, ${p.code} as c, ${p.name} as d`,
    );
    expect(st.text).toBe('select $1 as a, $2 as b, $3 as c, $4 as d');
    expect(bind(st, { code: 'L1', name: 'Loja' }).params).toEqual(['L1', 'fixed', 'L1', 'Loja']);
  });

  it('renders each shape of a family once', () => {
    let builds = 0;
    const family = compiledFamily<number, Record<string, unknown>>((n, p) => {
      builds++;
      return sql`select ${sql.join(
        Array.from({ length: n }, (_, i) => p[`v${i}`]),
        sql`, `,
      )}`;
    });
    expect(family(2).text).toBe('select $1, $2');
    expect(family(2)).toBe(family(2));
    expect(family(3).text).toBe('select $1, $2, $3');
    expect(builds).toBe(2);
  });
});

describe.each(dbKinds())('compiled statements on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openTestDb(kind);
  }, 60_000);
  afterAll(() => h?.close());

  const insert = compile<{ code: string; name: string; cnpj: string }>(
    (p) => sql`insert into ${customers} (code, name, cnpj) values (${p.code}, ${p.name}, ${p.cnpj})
               returning ${customers.id}, ${customers.code}, ${customers.createdAt}`,
  );

  it('runs on the database and inside a transaction, rows as the driver gives them (timestamps as text)', async () => {
    const [row] = await run(h.db, insert, { code: 'C1', name: 'Loja Um', cnpj: '11111111000111' });
    expect(row).toMatchObject({ id: expect.any(Number), code: 'C1', created_at: expect.any(String) });
    expect(Number.isNaN(new Date(row!.created_at as string).getTime())).toBe(false);
    const inTx = await transaction(h.db, async (tx) => run(tx, insert, { code: 'C2', name: 'Loja Dois', cnpj: '2' }));
    expect(inTx[0]).toMatchObject({ code: 'C2' });
  });

  it('rolls back with the transaction it runs in', async () => {
    await expect(
      transaction(h.db, async (tx) => {
        await run(tx, insert, { code: 'C3', name: 'Loja Três', cnpj: '3' });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const rows = await run(
      h.db,
      compile((p) => sql`select count(*)::int as n from ${customers} where code = ${p.c}`),
      {
        c: 'C3',
      },
    );
    expect(rows[0]!.n).toBe(0);
  });
});
