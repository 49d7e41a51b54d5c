import { eq } from 'drizzle-orm';
import type { KeyValueStore } from '../channels/types';
import type { Database } from './client';
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
