import { types as pgliteTypes } from '@electric-sql/pglite';
import { is, Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client';

/**
 * Statements of the message path, rendered to SQL text once and run straight on the driver
 * (docs/decisions.md §22).
 *
 * drizzle builds a query's text again on every call (its query builder and `sql` templates walk every chunk,
 * table and column) and maps every row: on the message path that was about a sixth of the server's CPU. A
 * compiled statement is written as a drizzle template (tables and columns still come from the schema) with
 * named placeholders, rendered once to `$1..$n` text; a call only fills in the values. Rows come back as the
 * driver gives them, with drizzle's own settings on both drivers: dates and timestamps as text, `bigint` as
 * text on PostgreSQL (callers map what they read).
 */

const dialect = new PgDialect();

/** A statement's text and where each named value goes. */
export interface Compiled<P extends Record<string, unknown>> {
  readonly text: string;
  /** Per `$n`: the placeholder's name, or a constant the template held. */
  readonly slots: readonly ({ name: keyof P } | { value: unknown })[];
}

/** A compiled statement with its values: what a driver runs. */
export interface Bound {
  readonly text: string;
  readonly params: unknown[];
}

type Placeholders<P> = { readonly [K in keyof P]: Placeholder };

/** Render a template once; `p.name` stands for a value given at each call. */
export function compile<P extends Record<string, unknown>>(build: (p: Placeholders<P>) => SQL): Compiled<P> {
  const p = new Proxy({} as Placeholders<P>, { get: (_t, name) => sql.placeholder(String(name)) });
  const q = dialect.sqlToQuery(build(p));
  return {
    text: q.sql,
    slots: q.params.map((x) => (is(x, Placeholder) ? { name: x.name as keyof P } : { value: x })),
  };
}

export function bind<P extends Record<string, unknown>>(st: Compiled<P>, values: P): Bound {
  return { text: st.text, params: st.slots.map((s) => ('name' in s ? values[s.name] : s.value)) };
}

/** `compile` for a family of shapes (a row count, a flag): each shape rendered on first use and kept. */
export function compiledFamily<K, P extends Record<string, unknown>>(
  build: (key: K, p: Placeholders<P>) => SQL,
): (key: K) => Compiled<P> {
  const cache = new Map<K, Compiled<P>>();
  return (key) => {
    let st = cache.get(key);
    if (!st) {
      st = compile<P>((p) => build(key, p));
      cache.set(key, st);
    }
    return st;
  };
}

/** PGlite returns these as text for drizzle; the same here, so rows look alike on both databases. */
const PGLITE_OPTIONS = {
  rowMode: 'object' as const,
  parsers: Object.fromEntries(
    [pgliteTypes.TIMESTAMP, pgliteTypes.TIMESTAMPTZ, pgliteTypes.DATE, pgliteTypes.INT8].map((t) => [
      t,
      (v: string) => v,
    ]),
  ),
};

interface PostgresJsLike {
  unsafe(text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
}
interface PgliteLike {
  query(text: string, params: unknown[], opts: typeof PGLITE_OPTIONS): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Run a bound statement on whatever `ex` is: the database or a transaction (inside a transaction it must be the
 * transaction's handle, as everywhere). Reaches the driver through drizzle's session (`session.client`: the
 * postgres.js client, our transaction runner's connection, or the PGlite instance or transaction); drizzle is
 * pinned, and every test of the message path runs on both databases.
 */
export async function runBound(ex: Executor, b: Bound): Promise<Record<string, unknown>[]> {
  const client = (ex as unknown as { session: { client: PostgresJsLike | PgliteLike } }).session.client;
  if ('unsafe' in client) return client.unsafe(b.text, b.params);
  return (await client.query(b.text, b.params, PGLITE_OPTIONS)).rows;
}

export function run<P extends Record<string, unknown>>(
  ex: Executor,
  st: Compiled<P>,
  values: P,
): Promise<Record<string, unknown>[]> {
  return runBound(ex, bind(st, values));
}
