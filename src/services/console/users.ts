import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { consoleSessions, users } from '../../db/schema';
import { createUser, hashPassword, type Role } from '../auth';
import { ClientError } from '../errors';
import { endUserSessions } from './sessions';

export async function listUsers(db: Database) {
  const rows = await db.select().from(users).orderBy(asc(users.name), asc(users.id));
  const open = await db
    .select({ userId: consoleSessions.userId, n: count() })
    .from(consoleSessions)
    .where(isNull(consoleSessions.endedAt))
    .groupBy(consoleSessions.userId);
  const byUser = new Map(open.map((o) => [o.userId, Number(o.n)]));
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt,
    openSessions: byUser.get(u.id) ?? 0,
  }));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Create a console user; without a password one is generated (shown once). */
export async function createConsoleUser(
  db: Database,
  u: { email: string; name: string; role: Role; password?: string },
): Promise<{ id: number; password: string; generated: boolean }> {
  const email = u.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 200) throw new ClientError(400, 'E-mail inválido.');
  const name = u.name.trim();
  if (!name || name.length > 120) throw new ClientError(400, 'Informe o nome (até 120 caracteres).');
  if (u.password !== undefined && u.password.length < 8) {
    throw new ClientError(400, 'A senha precisa de pelo menos 8 caracteres (ou deixe em branco para gerar uma).');
  }
  const [dup] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (dup) throw new ClientError(409, `Já existe um usuário com o e-mail ${email}.`);
  return createUser(db, { email, name, role: u.role, password: u.password });
}

async function userOr404(db: Database, id: number) {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  if (!u) throw new ClientError(404, 'Usuário não encontrado.');
  return u;
}

/** Disable a user: every open session ends at once. Returns the user and how many sessions ended. */
export async function disableUser(db: Database, id: number, now: Date) {
  const u = await userOr404(db, id);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ disabled: true, updatedAt: now }).where(eq(users.id, id));
    const ended = await endUserSessions(tx, id, 'disabled', now);
    return { user: u, ended };
  });
}

export async function enableUser(db: Database, id: number, now: Date) {
  const u = await userOr404(db, id);
  await db
    .update(users)
    .set({ disabled: false, updatedAt: now })
    .where(and(eq(users.id, id)));
  return { user: u };
}

/** A new generated password (shown once); the user's open sessions end. */
export async function resetPassword(db: Database, id: number, now: Date) {
  const u = await userOr404(db, id);
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, id));
    await endUserSessions(tx, id, 'password-reset', now);
  });
  return { user: u, password };
}
