import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** `excluded."column"`: the proposed value inside `onConflictDoUpdate({ set })` of a multi-row insert. */
export function excluded(column: PgColumn): SQL {
  return sql.raw(`excluded."${column.name}"`);
}
