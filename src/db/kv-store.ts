import { eq, sql } from 'drizzle-orm';
import type { KeyValueStore } from '../channels/types';
import { type Database, type Executor, rowsOf } from './client';
import { settings } from './schema';

/** Adapter state (IMAP UIDVALIDITY + last UID, …) kept in the `settings` table. */
export function dbKeyValueStore(db: Database): KeyValueStore {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
      return row ? (row.value as T) : undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      await db
        .insert(settings)
        .values({ key, value })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
    },
  };
}

/**
 * Take `key` for a one-time action shared by several processes (the day's SLA e-mail): true when this caller
 * got it. Atomic (one statement). A claim still `claimed` after `staleAfterMs` (its holder died mid-action) may
 * be taken over; a key marked done by {@link finishClaim} never is.
 */
export async function claimSetting(db: Executor, key: string, now: Date, staleAfterMs: number): Promise<boolean> {
  const value = JSON.stringify({ state: 'claimed', claimedAt: now.toISOString() });
  const staleBefore = new Date(now.getTime() - staleAfterMs).toISOString();
  const rows = rowsOf(
    await db.execute(sql`
      insert into ${settings} (key, value) values (${key}, ${value}::jsonb)
      on conflict (key) do update set value = excluded.value, updated_at = now()
        where ${settings}.value->>'state' = 'claimed' and (${settings}.value->>'claimedAt')::timestamptz < ${staleBefore}::timestamptz
      returning key`),
  );
  return rows.length > 0;
}

/** The claimed action is done: record it (`value`), so the key is never taken again. */
export async function finishClaim(db: Executor, key: string, value: Record<string, unknown>): Promise<void> {
  await db
    .update(settings)
    .set({ value: { ...value, state: 'done' }, updatedAt: new Date() })
    .where(eq(settings.key, key));
}

/** The claimed action failed: let the next attempt (a retry, another process) take the key at once. */
export async function releaseClaim(db: Executor, key: string): Promise<void> {
  await db.execute(sql`delete from ${settings} where key = ${key} and value->>'state' = 'claimed'`);
}
