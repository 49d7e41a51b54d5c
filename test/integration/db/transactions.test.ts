import net from 'node:net';
import { eq, sql } from 'drizzle-orm';
import {
  ConnectionLostError,
  type DbHandle,
  finalStatement,
  openPostgres,
  rowsOf,
  transaction,
} from '../../../src/db/client';
import { customers } from '../../../src/db/schema';
import { dbKinds, freshPostgres, openTestDb } from '../../support/db';

const codes = async (h: DbHandle) =>
  (await h.db.select({ code: customers.code }).from(customers)).map((r) => r.code).sort();
const newCustomer = (code: string, cnpj: string) =>
  sql`insert into ${customers} (code, name, cnpj) values (${code}, ${`Loja ${code}`}, ${cnpj}) returning id, code`;

describe.each(dbKinds())('transactions on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openTestDb(kind);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.db.delete(customers);
  });

  it('runs a final statement last and hands its rows to finish', async () => {
    const out = await transaction(h.db, async (tx) => {
      await tx.insert(customers).values({ code: 'A', name: 'Loja A', cnpj: '11111111000111' });
      const [a] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.code, 'A'));
      return finalStatement(newCustomer('B', '22222222000122'), (rows) => ({ first: a!.id, second: rows[0]!.code }));
    });
    expect(out.second).toBe('B');
    expect(typeof out.first).toBe('number');
    expect(await codes(h)).toEqual(['A', 'B']);
  });

  it('keeps nothing when the final statement fails, and says why', async () => {
    const failed = transaction(h.db, async (tx) => {
      await tx.insert(customers).values({ code: 'A', name: 'Loja A', cnpj: '11111111000111' });
      // Same code again: unique violation in the statement sent with COMMIT.
      return finalStatement(newCustomer('A', '33333333000133'), (rows) => rows);
    });
    const error = (await failed.catch((e: unknown) => e)) as Error & { cause?: Error };
    // drizzle on PGlite wraps the database's error (as `cause`); on PostgreSQL it arrives as it is.
    expect(`${error.message} ${error.cause?.message ?? ''}`).toMatch(/duplicate key value violates unique constraint/);
    expect(await codes(h)).toEqual([]);
    // The connection is clean afterwards.
    await transaction(h.db, async () => finalStatement(newCustomer('C', '44444444000144'), () => null));
    expect(await codes(h)).toEqual(['C']);
  });

  it('keeps nothing when the callback throws', async () => {
    await expect(
      h.db.transaction(async (tx) => {
        await tx.insert(customers).values({ code: 'A', name: 'Loja A', cnpj: '11111111000111' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await codes(h)).toEqual([]);
  });

  it('rolls back only a nested transaction (savepoint) that fails', async () => {
    await h.db.transaction(async (tx) => {
      await tx.insert(customers).values({ code: 'A', name: 'Loja A', cnpj: '11111111000111' });
      await expect(
        tx.transaction(async (inner) => {
          await inner.insert(customers).values({ code: 'B', name: 'Loja B', cnpj: '22222222000122' });
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      await tx.transaction(async (inner) => {
        await inner.insert(customers).values({ code: 'C', name: 'Loja C', cnpj: '33333333000133' });
      });
    });
    expect(await codes(h)).toEqual(['A', 'C']);
  });
});

const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('transaction runner on PostgreSQL: round trips and lost connections', () => {
  let h: DbHandle & { url: string };
  let admin: DbHandle;
  beforeAll(async () => {
    h = await freshPostgres();
    admin = await openPostgres(h.url, { max: 1 });
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await h?.close();
  });

  /** Socket writes to PostgreSQL made while `fn` runs. */
  async function writesDuring(fn: () => Promise<unknown>): Promise<number> {
    const port = Number(new URL(h.url).port || 5432);
    const original = net.Socket.prototype.write;
    let writes = 0;
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (this.remotePort === port) writes++;
      return (original as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof original;
    try {
      await fn();
    } finally {
      net.Socket.prototype.write = original;
    }
    return writes;
  }

  it('sends BEGIN with the first statement and the final statement with COMMIT', async () => {
    const run = () =>
      transaction(h.db, async (tx) => {
        await tx.select({ id: customers.id }).from(customers).where(eq(customers.code, 'none'));
        return finalStatement(newCustomer(`W${Math.random()}`.slice(0, 10), '55555555000155'), () => null);
      });
    await run(); // statements are prepared on first use (one more round trip each, once per connection)
    await h.db.delete(customers);
    // postgres.js's own begin(): BEGIN, select, insert, COMMIT = 4 writes and 4 round trips.
    expect(await writesDuring(run)).toBe(2);
    expect(await codes(h)).toHaveLength(1);
  });

  it('turns a connection lost mid-transaction into an error, keeps nothing and keeps serving', async () => {
    await h.db.delete(customers);
    const lost = h.db.transaction(async (tx) => {
      await tx.insert(customers).values({ code: 'L', name: 'Loja L', cnpj: '66666666000166' });
      const [me] = rowsOf(await tx.execute(sql`select pg_backend_pid() as pid`));
      await admin.db.execute(sql`select pg_terminate_backend(${me!.pid})`);
      await new Promise((r) => setTimeout(r, 200)); // the close reaches the client
      await tx.select().from(customers);
    });
    await expect(lost).rejects.toBeInstanceOf(ConnectionLostError);
    // The pool reconnects; the lost transaction left nothing.
    for (let i = 0; i < 12; i++) await h.db.transaction(async (tx) => tx.select().from(customers));
    expect(await codes(h)).toEqual([]);
  });
});
