import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, is, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { runBound } from './compiled';
import { type FinalStatement, isFinalStatement, pipelinedTransaction } from './pipelined-transaction';
import * as schema from './schema';

export { ConnectionLostError, type FinalStatement, finalStatement } from './pipelined-transaction';

export type Schema = typeof schema;
/** The drizzle handle repositories use; the same type on PGlite and PostgreSQL. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle. Inside a transaction use only this (PGlite has one connection). */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either: repository functions take whichever the caller holds. */
export type Executor = Database | Tx;

export interface DbHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** postgres.js returns an array; PGlite returns `{ rows }`. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}

/**
 * `db.transaction`, where the callback may end with a {@link finalStatement}: on PostgreSQL it is sent together
 * with COMMIT by the transaction runner; on PGlite it runs here, last, before drizzle commits.
 */
export async function transaction<T>(db: Database, fn: (tx: Tx) => Promise<T | FinalStatement<T>>): Promise<T> {
  return (await db.transaction(async (tx) => {
    const out = await fn(tx as Tx);
    if (!isFinalStatement(out) || pipelined.has(db)) return out;
    const st = out.statement;
    return out.finish(is(st, SQL) ? rowsOf(await tx.execute(st)) : await runBound(tx, st));
  })) as T;
}

/** Databases whose transactions run on {@link pipelinedTransaction} (it runs a final statement itself). */
const pipelined = new WeakSet<Database>();

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../drizzle');

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by another process (pid ${pid}, probably the running server). ` +
        'Stop it first.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process per data directory: a second opener would corrupt it. A lock file
 * with our pid guards it; a stale lock (dead pid) is taken over.
 */
function acquireDirLock(dir: string): () => void {
  const lockPath = path.join(dir, 'posvenda.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new DataDirLockedError(dir, pid);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

/** Is the embedded database of this data dir held by a live process? */
export function embeddedDbHolder(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'pglite', 'posvenda.lock'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Statements with more parameters than this are batch shapes (imports): not worth a server-side plan each. */
const MAX_PREPARED_PARAMETERS = 64;

const preparable = (params: unknown[]) => params.length > 0 && params.length <= MAX_PREPARED_PARAMETERS;

/**
 * drizzle hands postgres.js `prepare: false` for every query not built with `.prepare(name)` (drizzle issue
 * #6096). postgres.js then sends each parameterised statement in two round trips (Parse + Describe, wait for
 * the parameter types, then Bind + Execute) and PostgreSQL parses and plans it every time. On the message path
 * that was most of the cost (docs/decisions.md §19). This wrapper restores postgres.js's own default, named
 * statements cached per connection (one round trip, parsed and planned once), for parameterised statements
 * of up to {@link MAX_PREPARED_PARAMETERS} parameters, inside transactions and savepoints too. Statements
 * without parameters (migrations, DDL) are left as they were. Transactions (`begin`) run on our own runner,
 * which saves two round trips each (src/db/pipelined-transaction.ts).
 */
export function preparingClient(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) => {
          return target.unsafe(query, params as postgres.ParameterOrJSON<never>[] | undefined, {
            ...options,
            prepare: preparable(params ?? []),
          });
        };
      }
      if (prop === 'begin') {
        // Our runner: BEGIN travels with the first statement, COMMIT with a final one (pipelined-transaction.ts).
        return (...args: unknown[]) => {
          const fn = args.at(-1);
          if (typeof fn !== 'function' || args.length > 1)
            throw new TypeError('begin(fn) only: transaction options are not used here');
          return pipelinedTransaction(target, fn as (sql: postgres.Sql) => unknown, preparingClient, preparable);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<DbHandle> {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {} });
  const db = drizzlePostgres(preparingClient(client), { schema }) as unknown as Database;
  pipelined.add(db);
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

/** Wrap an already opened PGlite instance (tests hand in clones of a migrated template). */
export function wrapPglite(pg: PGlite, onClose?: () => void): DbHandle {
  const db = drizzlePglite(pg, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await pg.close();
      onClose?.();
    },
  };
}

/** Open PGlite stored under `dir` (created when missing), or in memory when `dir` is undefined. */
export async function openPglite(dir?: string): Promise<DbHandle> {
  let release: (() => void) | undefined;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    release = acquireDirLock(dir);
  }
  try {
    const pg = new PGlite(dir ? { dataDir: dir } : {});
    await pg.waitReady;
    return wrapPglite(pg, release);
  } catch (e) {
    release?.();
    throw e;
  }
}

/** Apply the generated migrations in `drizzle/` (idempotent). */
export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === 'pglite') {
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete PGlite drizzle type
    await migratePglite(handle.db as any, { migrationsFolder: MIGRATIONS_DIR });
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete postgres-js drizzle type
    await migratePostgres(handle.db as any, { migrationsFolder: MIGRATIONS_DIR });
  }
}

/** The database the configuration names: PostgreSQL when `DATABASE_URL` is set, else PGlite under DATA_DIR. */
export async function openDatabase(cfg: { DATABASE_URL?: string; DATA_DIR: string }): Promise<DbHandle> {
  const handle = cfg.DATABASE_URL
    ? await openPostgres(cfg.DATABASE_URL)
    : await openPglite(path.join(cfg.DATA_DIR, 'pglite'));
  await migrate(handle);
  return handle;
}
