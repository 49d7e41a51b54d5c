import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { apiTokens, users } from '../db/schema';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export const ROLES = ['assistant', 'manager', 'sac', 'projects', 'training', 'finance', 'commercial'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: a token or a console user. */
export interface Actor {
  name: string;
  role: Role;
}

/** Roles allowed for each kind of action (manager may do all). */
export const PERMISSIONS = {
  read: ROLES,
  decide: ['assistant', 'manager'],
  answerForward: ['assistant', 'manager', 'projects', 'training', 'finance', 'sac'],
  /** KPIs for BI tools (GET /api/kpis). */
  kpis: ['assistant', 'manager', 'commercial', 'finance'],
} as const satisfies Record<string, readonly Role[]>;

export function can(role: Role, action: keyof typeof PERMISSIONS): boolean {
  return role === 'manager' || (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** API tokens are 32 random bytes; stored as sha256 (enough for high-entropy secrets, and O(1) to look up). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createToken(db: Database, role: Role, name?: string): Promise<{ id: number; token: string }> {
  const token = `pv_${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .insert(apiTokens)
    .values({ name: name ?? `${role} token`, role, tokenHash: hashToken(token) })
    .returning({ id: apiTokens.id });
  return { id: row!.id, token };
}

/** Revoke by id or by the token itself. Returns how many were revoked. */
export async function revokeToken(db: Database, idOrToken: string): Promise<number> {
  const where = /^\d+$/.test(idOrToken)
    ? eq(apiTokens.id, Number(idOrToken))
    : eq(apiTokens.tokenHash, hashToken(idOrToken));
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(where, isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length;
}

export async function actorForToken(db: Database, token: string): Promise<Actor | null> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return null;
  const role = roleSchema.safeParse(row.role);
  return role.success ? { name: `token:${row.name}`, role: role.data } : null;
}

/** scrypt with a random salt: `scrypt$N$salt$hash` (N fixed at node's default cost). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export async function createUser(
  db: Database,
  u: { email: string; name: string; role: Role; password?: string },
): Promise<{ id: number; password: string; generated: boolean }> {
  const generated = !u.password;
  const password = u.password ?? randomBytes(12).toString('base64url');
  if (password.length < 8) throw new Error('password must have at least 8 characters');
  const [row] = await db
    .insert(users)
    .values({
      email: u.email.trim().toLowerCase(),
      name: u.name,
      role: u.role,
      passwordHash: await hashPassword(password),
    })
    .returning({ id: users.id });
  return { id: row!.id, password, generated };
}
