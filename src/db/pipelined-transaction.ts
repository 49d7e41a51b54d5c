import { is, SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Bound } from './compiled';

/**
 * Transactions on PostgreSQL in fewer round trips (docs/decisions.md §20).
 *
 * postgres.js's `sql.begin()` waits for BEGIN's answer before the first statement and sends COMMIT after the
 * last statement's answer: on the message path that was 2 of 5 round trips, and each round trip costs a socket
 * write and a wake-up of the server on both sides. This runner, used under drizzle's `db.transaction`, sends
 * BEGIN together with the first statement (same socket write) and, when the transaction's callback hands back
 * its last statement as a {@link FinalStatement}, sends that statement together with COMMIT.
 *
 * Safety: statements of one connection run in order, so the first statement always runs after BEGIN. If the
 * final statement fails, PostgreSQL answers the COMMIT that follows it with ROLLBACK (no error): the runner then
 * throws the statement's error, and nothing of the transaction is kept.
 *
 * It runs on a connection from `sql.reserve()`. postgres.js does not guard a reserved connection whose server
 * went away (the next statement throws inside a timer and takes the process down), so the runner watches the
 * connection's close (postgres.js's per-connection `onclose`, set through the query option `onexecute`, which
 * is how its own `begin()` does it) and refuses further statements on it with {@link ConnectionLostError}.
 */

const FINAL = Symbol('final statement');

/** A transaction's last statement and how to turn its rows into the transaction's result. */
export interface FinalStatement<T> {
  readonly [FINAL]: true;
  /** A drizzle template, or a compiled statement with its values (src/db/compiled.ts). */
  readonly statement: SQL | Bound;
  readonly finish: (rows: Record<string, unknown>[]) => T;
}

/**
 * Return this from a {@link transaction} callback to run `statement` last: on PostgreSQL it travels with the
 * COMMIT (one round trip less per transaction); on PGlite it simply runs before the commit.
 */
export function finalStatement<T>(
  statement: SQL | Bound,
  finish: (rows: Record<string, unknown>[]) => T,
): FinalStatement<T> {
  return { [FINAL]: true, statement, finish };
}

export function isFinalStatement(x: unknown): x is FinalStatement<unknown> {
  return typeof x === 'object' && x !== null && (x as { [FINAL]?: unknown })[FINAL] === true;
}

export class ConnectionLostError extends Error {
  constructor(cause?: unknown) {
    super('The database connection was lost during the transaction; nothing of it was kept.', { cause });
    this.name = 'ConnectionLostError';
  }
}

export class TransactionRolledBackError extends Error {
  constructor() {
    super('PostgreSQL rolled the transaction back at COMMIT.');
    this.name = 'TransactionRolledBackError';
  }
}

const dialect = new PgDialect();

/** The per-connection hook postgres.js calls when that connection closes (internal, see the header). */
interface ConnectionHooks {
  onclose?: ((e: Error) => void) | null;
}

type Scoped = postgres.Sql & { savepoint: (fn: (sql: postgres.Sql) => unknown) => Promise<unknown> };

/**
 * Run `fn` in a transaction on a reserved connection. `wrap` decorates the connection's client for `fn` (the
 * caller's prepared-statement policy); `prepare` tells whether the final statement may be a named statement.
 */
export async function pipelinedTransaction(
  client: postgres.Sql,
  fn: (sql: postgres.Sql) => unknown,
  wrap: (sql: postgres.Sql) => postgres.Sql,
  prepare: (params: unknown[]) => boolean,
): Promise<unknown> {
  const reserved = await client.reserve();
  let hooks: ConnectionHooks | undefined;
  let lost: Error | undefined;
  const onclose = (e: Error) => {
    lost = e;
  };
  // Sent with the first statement: postgres.js writes everything queued in one tick as one write.
  const begin = reserved
    .unsafe('begin', [], {
      onexecute: (c: ConnectionHooks) => {
        hooks = c;
        c.onclose = onclose;
        return true; // keep the connection open for pipelining (falsy would hold statements until BEGIN's answer)
      },
    } as postgres.UnsafeQueryOptions)
    .execute();
  begin.catch(() => {}); // its failure surfaces through the statements after it, or below
  const guard = (): void => {
    if (lost) throw new ConnectionLostError(lost);
  };
  const scoped = guarded(wrap(reserved), reserved, guard);
  let committing = false;
  try {
    const out = await fn(scoped);
    guard();
    await begin;
    let final: Promise<unknown> = Promise.resolve([]);
    if (isFinalStatement(out)) {
      const q = is(out.statement, SQL)
        ? dialect.sqlToQuery(out.statement)
        : { sql: out.statement.text, params: out.statement.params };
      final = reserved
        .unsafe(q.sql, q.params as postgres.ParameterOrJSON<never>[], { prepare: prepare(q.params) })
        .execute();
      final.catch(() => {});
    }
    const commit = reserved.unsafe('commit').execute();
    commit.catch(() => {});
    committing = true;
    const [f, c] = await Promise.allSettled([final, commit]);
    if (f.status === 'rejected') throw lost ? new ConnectionLostError(f.reason) : f.reason;
    if (c.status === 'rejected') throw lost ? new ConnectionLostError(c.reason) : c.reason;
    if ((c.value as { command?: string }).command !== 'COMMIT') throw new TransactionRolledBackError();
    // postgres.js answers with an array of row objects.
    return isFinalStatement(out) ? out.finish(f.value as Record<string, unknown>[]) : out;
  } catch (e) {
    if (!committing && !lost) await reserved.unsafe('rollback').catch(() => {});
    throw lost && !(e instanceof ConnectionLostError) ? new ConnectionLostError(e) : e;
  } finally {
    if (hooks?.onclose === onclose) hooks.onclose = null;
    // A lost connection is already back in postgres.js's pool of closed ones (reconnected on next use).
    if (!lost) reserved.release();
  }
}

/** The reserved connection as `fn` sees it: refuses statements once the connection is lost; has savepoints. */
function guarded(sql: postgres.Sql, reserved: postgres.ReservedSql, guard: () => void): Scoped {
  let savepoints = 0;
  const scoped: Scoped = new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        const unsafe = Reflect.get(target, prop, receiver) as postgres.Sql['unsafe'];
        return (...args: Parameters<postgres.Sql['unsafe']>) => {
          guard();
          return unsafe(...args);
        };
      }
      if (prop === 'savepoint') {
        return async (fn: (sql: postgres.Sql) => unknown) => {
          const name = `s${++savepoints}`;
          guard();
          await reserved.unsafe(`savepoint ${name}`);
          try {
            const result = await fn(scoped);
            guard();
            await reserved.unsafe(`release savepoint ${name}`);
            return result;
          } catch (e) {
            if (!(e instanceof ConnectionLostError)) await reserved.unsafe(`rollback to savepoint ${name}`);
            throw e;
          }
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as Scoped;
  return scoped;
}
