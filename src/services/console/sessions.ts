import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { consoleSessions, users } from '../../db/schema';
import { type Role, roleSchema } from '../auth';

/** A logged-in console user, as the session gives it. */
export interface ConsoleUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
  csrfToken: string;
}

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login, used or not. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 };

/** Last-seen is written at most this often (not one write per page view). */
const TOUCH_EVERY_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Start a session: a new random token (rotation: never reuses one the browser had). Returns the cookie value. */
export async function createSession(
  db: Executor,
  userId: number,
  meta: { ip?: string; userAgent?: string; now: Date },
): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db.insert(consoleSessions).values({
    id: hashToken(token),
    userId,
    csrfToken,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    createdAt: meta.now,
    lastSeenAt: meta.now,
  });
  return { token, csrfToken };
}

export type SessionLookup =
  | { ok: true; user: ConsoleUser }
  | { ok: false; reason: 'none' | 'ended' | 'idle' | 'expired' | 'disabled' };

/**
 * The user behind a cookie token, enforcing the idle and absolute timeouts and the user's
 * disabled flag (a session found past a limit is ended on the spot, with the reason).
 */
export async function lookupSession(
  db: Executor,
  token: string,
  policy: SessionPolicy,
  now: Date,
): Promise<SessionLookup> {
  if (!token || token.length > 200) return { ok: false, reason: 'none' };
  const id = hashToken(token);
  const [row] = await db
    .select({ s: consoleSessions, u: users })
    .from(consoleSessions)
    .innerJoin(users, eq(users.id, consoleSessions.userId))
    .where(eq(consoleSessions.id, id));
  if (!row) return { ok: false, reason: 'none' };
  if (row.s.endedAt) return { ok: false, reason: 'ended' };
  const t = now.getTime();
  let reason: 'idle' | 'expired' | 'disabled' | null = null;
  if (row.u.disabled) reason = 'disabled';
  else if (t - row.s.createdAt.getTime() > policy.absoluteMs) reason = 'expired';
  else if (t - row.s.lastSeenAt.getTime() > policy.idleMs) reason = 'idle';
  const role = roleSchema.safeParse(row.u.role);
  if (!reason && !role.success) reason = 'disabled';
  if (reason || !role.success) {
    await endSession(db, id, reason ?? 'disabled', now);
    return { ok: false, reason: reason ?? 'disabled' };
  }
  if (t - row.s.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(consoleSessions).set({ lastSeenAt: now }).where(eq(consoleSessions.id, id));
  }
  return {
    ok: true,
    user: {
      id: row.u.id,
      email: row.u.email,
      name: row.u.name,
      role: role.data,
      sessionId: id,
      csrfToken: row.s.csrfToken,
    },
  };
}

/** End one session by its id (the token's hash) or by the cookie token. */
export async function endSession(db: Executor, sessionId: string, reason: string, now: Date): Promise<void> {
  await db
    .update(consoleSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(consoleSessions.id, sessionId), isNull(consoleSessions.endedAt)));
}

export async function endSessionByToken(db: Executor, token: string, reason: string, now: Date): Promise<void> {
  if (token && token.length <= 200) await endSession(db, hashToken(token), reason, now);
}

/** End every open session of a user (disabled, password reset). Returns how many ended. */
export async function endUserSessions(db: Executor, userId: number, reason: string, now: Date): Promise<number> {
  const rows = await db
    .update(consoleSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(consoleSessions.userId, userId), isNull(consoleSessions.endedAt)))
    .returning({ id: consoleSessions.id });
  return rows.length;
}
